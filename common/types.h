#pragma once
// SQL data types. A DataType is a small value (copyable); nested types own their children.
// Physical representation (see common/batch.h): BOOLEAN, INTEGER, BIGINT, TIMESTAMP (epoch
// milliseconds, UTC), DATE (days since 1970-01-01) and DECIMAL (unscaled, precision <= 18) all live
// in int64 columns; DOUBLE in double columns; VARCHAR and BYTES in string columns; STRUCT, ARRAY
// and MAP in Value columns.

#include <cstdint>
#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace sluice {

enum class TypeId : uint8_t {
  kNull = 0,  // the type of a bare NULL literal before coercion
  kBoolean,
  kInteger,  // 32-bit signed
  kBigint,   // 64-bit signed
  kDouble,
  kDecimal,  // DECIMAL(p, s), p <= 18, stored unscaled in an int64
  kVarchar,
  kTimestamp,  // epoch milliseconds, UTC
  kDate,       // days since epoch
  kBytes,
  kStruct,
  kArray,
  kMap,  // keys are always VARCHAR
};

enum class PhysicalKind : uint8_t { kNull, kInt64, kDouble, kString, kNested };

class DataType {
 public:
  DataType() = default;
  explicit DataType(TypeId id) : id_(id) {}

  static DataType Null() { return DataType(TypeId::kNull); }
  static DataType Boolean() { return DataType(TypeId::kBoolean); }
  static DataType Integer() { return DataType(TypeId::kInteger); }
  static DataType Bigint() { return DataType(TypeId::kBigint); }
  static DataType Double() { return DataType(TypeId::kDouble); }
  static DataType Decimal(int precision, int scale);
  static DataType Varchar() { return DataType(TypeId::kVarchar); }
  static DataType Timestamp() { return DataType(TypeId::kTimestamp); }
  static DataType Date() { return DataType(TypeId::kDate); }
  static DataType Bytes() { return DataType(TypeId::kBytes); }
  static DataType Struct(std::vector<std::string> field_names, std::vector<DataType> field_types);
  static DataType Array(DataType element);
  static DataType Map(DataType value);  // MAP<VARCHAR, value>

  TypeId id() const { return id_; }
  int precision() const { return precision_; }
  int scale() const { return scale_; }
  // STRUCT: one per field; ARRAY: [element]; MAP: [value].
  const std::vector<DataType>& children() const { return children_; }
  const std::vector<std::string>& field_names() const { return field_names_; }
  // For STRUCT: index of a field by (already case-folded) name, or -1.
  int FieldIndex(std::string_view name) const;

  // Inline: row-at-a-time paths (appends, encoders) ask it per cell.
  PhysicalKind physical() const {
    switch (id_) {
      case TypeId::kNull: return PhysicalKind::kNull;
      case TypeId::kBoolean:
      case TypeId::kInteger:
      case TypeId::kBigint:
      case TypeId::kDecimal:
      case TypeId::kTimestamp:
      case TypeId::kDate: return PhysicalKind::kInt64;
      case TypeId::kDouble: return PhysicalKind::kDouble;
      case TypeId::kVarchar:
      case TypeId::kBytes: return PhysicalKind::kString;
      case TypeId::kStruct:
      case TypeId::kArray:
      case TypeId::kMap: return PhysicalKind::kNested;
    }
    return PhysicalKind::kNull;
  }
  bool is_numeric() const {
    return id_ == TypeId::kInteger || id_ == TypeId::kBigint || id_ == TypeId::kDouble ||
           id_ == TypeId::kDecimal;
  }
  bool is_integral() const { return id_ == TypeId::kInteger || id_ == TypeId::kBigint; }
  bool is_string() const { return id_ == TypeId::kVarchar; }
  bool is_nested() const {
    return id_ == TypeId::kStruct || id_ == TypeId::kArray || id_ == TypeId::kMap;
  }

  // SQL spelling: "BIGINT", "DECIMAL(10, 2)", "STRUCT<a BIGINT, b VARCHAR>", "ARRAY<VARCHAR>",
  // "MAP<VARCHAR, DOUBLE>". ParseTypeString(t.ToString()) == t.
  std::string ToString() const;

  bool operator==(const DataType& other) const;
  bool operator!=(const DataType& other) const { return !(*this == other); }

 private:
  TypeId id_ = TypeId::kNull;
  int precision_ = 0;
  int scale_ = 0;
  std::vector<DataType> children_;
  std::vector<std::string> field_names_;
};

// Prints ToString() (for test failure messages and logs).
std::ostream& operator<<(std::ostream& out, const DataType& type);

// Parses the spelling produced by DataType::ToString (used by the catalog and plan serialization;
// SQL text is parsed by the parser, not this).
Result<DataType> ParseTypeString(std::string_view text);

// A named, typed column of a relation or of an operator's output.
struct Field {
  std::string name;
  DataType type;
};

class Schema {
 public:
  Schema() = default;
  explicit Schema(std::vector<Field> fields) : fields_(std::move(fields)) {}
  const std::vector<Field>& fields() const { return fields_; }
  size_t size() const { return fields_.size(); }
  const Field& field(size_t index) const { return fields_[index]; }
  // Index of a column by exact (case-folded) name, or -1.
  int IndexOf(std::string_view name) const;
  void Add(Field field) { fields_.push_back(std::move(field)); }

 private:
  std::vector<Field> fields_;
};

}  // namespace sluice
