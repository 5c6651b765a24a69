#pragma once
// Value: one SQL value of any type, including NULL and nested values. Used for literals, nested
// (STRUCT/ARRAY/MAP) column cells, INSERT ... VALUES and interactive results. Hot paths work on
// typed columns (common/batch.h), not on Values.

#include <cstdint>
#include <iosfwd>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/types.h"

namespace sluice {

class Value;

// Elements of a STRUCT (by field index), ARRAY (in order) or MAP (keys[i] -> values[i]).
struct NestedValue {
  std::vector<std::string> keys;  // MAP only
  std::vector<Value> values;
};

class Value {
 public:
  Value() = default;  // NULL of type NULL

  static Value Null(DataType type = DataType::Null());
  static Value Boolean(bool v);
  static Value Integer(int32_t v);
  static Value Bigint(int64_t v);
  static Value Double(double v);
  static Value Decimal(int64_t unscaled, int precision, int scale);
  static Value Varchar(std::string v);
  static Value Timestamp(int64_t epoch_millis);
  static Value Date(int32_t days);
  static Value Bytes(std::string v);
  static Value Struct(DataType type, std::vector<Value> fields);
  static Value Array(DataType type, std::vector<Value> elements);
  static Value Map(DataType type, std::vector<std::string> keys, std::vector<Value> values);
  // Builds a value from its physical representation (as stored in a Column of `type`).
  static Value FromInt64(const DataType& type, int64_t v);

  const DataType& type() const { return type_; }
  bool is_null() const { return is_null_; }

  // REQUIRES: !is_null() and the matching physical kind.
  bool bool_value() const { return int_ != 0; }
  int64_t int_value() const { return int_; }  // integers, timestamps, dates, unscaled decimals
  double double_value() const { return double_; }
  const std::string& string_value() const { return string_; }  // VARCHAR, BYTES
  const NestedValue& nested() const { return *nested_; }

  // Display form used by the shell and PRINT: strings unquoted, NULL as "NULL", timestamps as
  // "2023-11-14 22:13:20.000", decimals with their scale, nested values as JSON-like text.
  std::string ToString() const;
  // SQL literal form: strings quoted, used in messages ("'abc'", "NULL", "12.50").
  std::string ToSqlLiteral() const;

  // Equality of type-and-content; NULL == NULL here (this is not SQL '=').
  bool operator==(const Value& other) const;
  bool operator!=(const Value& other) const { return !(*this == other); }

 private:
  DataType type_;
  bool is_null_ = true;
  int64_t int_ = 0;
  double double_ = 0;
  std::string string_;
  std::shared_ptr<const NestedValue> nested_;
};

// Prints ToSqlLiteral() (for test failure messages and logs).
std::ostream& operator<<(std::ostream& out, const Value& value);

// Formatting helpers shared by values, functions and codecs.
std::string FormatTimestamp(int64_t epoch_millis);       // "2023-11-14 22:13:20.000"
std::string FormatDate(int32_t days);                    // "2023-11-14"
std::string FormatDecimal(int64_t unscaled, int scale);  // "-12.50" for (-1250, 2)
// Append forms of FormatDate / FormatDecimal for encoders that must not allocate per field.
void AppendDateText(int32_t days, std::string& out);
void AppendDecimalText(int64_t unscaled, int scale, std::string& out);
std::string FormatDouble(double v);  // shortest round-trip form, "1.5", "1e+20", "NaN"
// Parses "2023-11-14 22:13:20[.123]" / "2023-11-14T22:13:20[.123][Z]" / "2023-11-14".
Result<int64_t> ParseTimestamp(std::string_view text);
Result<int32_t> ParseDate(std::string_view text);
// Parses decimal text ("-12.345", "+.5", "1e3") exactly into the unscaled form of
// DECIMAL(precision, scale), rounding half away from zero to the scale. Errors (EXECUTION) on bad
// syntax or when the value does not fit the precision.
Result<int64_t> ParseDecimal(std::string_view text, int precision, int scale);

}  // namespace sluice
