#include "common/value.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstring>
#include <ostream>

#include "common/json_codec.h"
#include "common/number_text.h"

namespace sluice {

Value Value::Null(DataType type) {
  Value value;
  value.type_ = std::move(type);
  return value;
}

Value Value::Boolean(bool v) {
  Value value;
  value.type_ = DataType::Boolean();
  value.is_null_ = false;
  value.int_ = v ? 1 : 0;
  return value;
}

Value Value::Integer(int32_t v) {
  Value value;
  value.type_ = DataType::Integer();
  value.is_null_ = false;
  value.int_ = v;
  return value;
}

Value Value::Bigint(int64_t v) {
  Value value;
  value.type_ = DataType::Bigint();
  value.is_null_ = false;
  value.int_ = v;
  return value;
}

Value Value::Double(double v) {
  Value value;
  value.type_ = DataType::Double();
  value.is_null_ = false;
  value.double_ = v;
  return value;
}

Value Value::Decimal(int64_t unscaled, int precision, int scale) {
  Value value;
  value.type_ = DataType::Decimal(precision, scale);
  value.is_null_ = false;
  value.int_ = unscaled;
  return value;
}

Value Value::Varchar(std::string v) {
  Value value;
  value.type_ = DataType::Varchar();
  value.is_null_ = false;
  value.string_ = std::move(v);
  return value;
}

Value Value::Timestamp(int64_t epoch_millis) {
  Value value;
  value.type_ = DataType::Timestamp();
  value.is_null_ = false;
  value.int_ = epoch_millis;
  return value;
}

Value Value::Date(int32_t days) {
  Value value;
  value.type_ = DataType::Date();
  value.is_null_ = false;
  value.int_ = days;
  return value;
}

Value Value::Bytes(std::string v) {
  Value value;
  value.type_ = DataType::Bytes();
  value.is_null_ = false;
  value.string_ = std::move(v);
  return value;
}

Value Value::Struct(DataType type, std::vector<Value> fields) {
  Value value;
  value.type_ = std::move(type);
  value.is_null_ = false;
  value.nested_ = std::make_shared<const NestedValue>(NestedValue{{}, std::move(fields)});
  return value;
}

Value Value::Array(DataType type, std::vector<Value> elements) {
  Value value;
  value.type_ = std::move(type);
  value.is_null_ = false;
  value.nested_ = std::make_shared<const NestedValue>(NestedValue{{}, std::move(elements)});
  return value;
}

Value Value::Map(DataType type, std::vector<std::string> keys, std::vector<Value> values) {
  Value value;
  value.type_ = std::move(type);
  value.is_null_ = false;
  value.nested_ =
      std::make_shared<const NestedValue>(NestedValue{std::move(keys), std::move(values)});
  return value;
}

Value Value::FromInt64(const DataType& type, int64_t v) {
  switch (type.id()) {
    case TypeId::kBoolean: return Boolean(v != 0);
    case TypeId::kInteger: return Integer(static_cast<int32_t>(v));
    case TypeId::kDecimal: return Decimal(v, type.precision(), type.scale());
    case TypeId::kTimestamp: return Timestamp(v);
    case TypeId::kDate: return Date(static_cast<int32_t>(v));
    default: return Bigint(v);
  }
}

namespace {

std::string QuoteSql(std::string_view text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') out.push_back('\'');
    out.push_back(c);
  }
  out.push_back('\'');
  return out;
}

std::string HexBytes(std::string_view bytes) {
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (char c : bytes) {
    unsigned char u = static_cast<unsigned char>(c);
    out.push_back(kHex[u >> 4]);
    out.push_back(kHex[u & 0xF]);
  }
  return out;
}

}  // namespace

std::string Value::ToString() const {
  if (is_null_) return "NULL";
  switch (type_.id()) {
    case TypeId::kNull: return "NULL";
    case TypeId::kBoolean: return int_ != 0 ? "true" : "false";
    case TypeId::kInteger:
    case TypeId::kBigint: return std::to_string(int_);
    case TypeId::kDouble: return FormatDouble(double_);
    case TypeId::kDecimal: return FormatDecimal(int_, type_.scale());
    case TypeId::kVarchar: return string_;
    case TypeId::kTimestamp: return FormatTimestamp(int_);
    case TypeId::kDate: return FormatDate(static_cast<int32_t>(int_));
    case TypeId::kBytes: return "\\x" + HexBytes(string_);  // PostgreSQL's bytea output
    case TypeId::kStruct:
    case TypeId::kArray:
    case TypeId::kMap: return ValueToJson(*this);
  }
  return "NULL";
}

std::string Value::ToSqlLiteral() const {
  if (is_null_) return "NULL";
  switch (type_.id()) {
    case TypeId::kBoolean: return int_ != 0 ? "TRUE" : "FALSE";
    case TypeId::kVarchar: return QuoteSql(string_);
    case TypeId::kTimestamp: return "TIMESTAMP " + QuoteSql(FormatTimestamp(int_));
    case TypeId::kDate: return "DATE " + QuoteSql(FormatDate(static_cast<int32_t>(int_)));
    case TypeId::kBytes: return "X'" + HexBytes(string_) + "'";
    case TypeId::kArray: {
      std::string out = "ARRAY[";
      for (size_t element_idx = 0; element_idx < nested_->values.size(); ++element_idx) {
        if (element_idx > 0) out += ", ";
        out += nested_->values[element_idx].ToSqlLiteral();
      }
      return out + "]";
    }
    case TypeId::kStruct:
    case TypeId::kMap: {
      std::string out = "{";
      for (size_t entry_idx = 0; entry_idx < nested_->values.size(); ++entry_idx) {
        if (entry_idx > 0) out += ", ";
        const std::string& key =
            type_.id() == TypeId::kMap ? nested_->keys[entry_idx] : type_.field_names()[entry_idx];
        out += QuoteSql(key) + ": " + nested_->values[entry_idx].ToSqlLiteral();
      }
      return out + "}";
    }
    default: return ToString();
  }
}

bool Value::operator==(const Value& other) const {
  if (type_ != other.type_ || is_null_ != other.is_null_) return false;
  if (is_null_) return true;
  switch (type_.physical()) {
    case PhysicalKind::kNull: return true;
    case PhysicalKind::kInt64: return int_ == other.int_;
    case PhysicalKind::kDouble:
      // Content equality: NaN equals NaN so that values can be compared in tests and state.
      return double_ == other.double_ || (std::isnan(double_) && std::isnan(other.double_));
    case PhysicalKind::kString: return string_ == other.string_;
    case PhysicalKind::kNested:
      return nested_ == other.nested_ ||
             (nested_->keys == other.nested_->keys && nested_->values == other.nested_->values);
  }
  return false;
}

std::ostream& operator<<(std::ostream& out, const Value& value) {
  return out << value.ToSqlLiteral();
}

namespace {

void AppendPadded(int64_t value, int width, std::string& out) {
  char buffer[24];
  auto result = std::to_chars(buffer, buffer + sizeof(buffer), value);
  for (int pad = width - static_cast<int>(result.ptr - buffer); pad > 0; --pad) out.push_back('0');
  out.append(buffer, result.ptr);
}

void AppendDate(int64_t days, std::string& out) {
  if (days >= kMinTextDateDays && days <= kMaxTextDateDays) {
    const size_t start = out.size();
    out.resize(start + kDateTextRoom);
    char* end = WriteDateText(static_cast<int32_t>(days), out.data() + start);
    out.resize(static_cast<size_t>(end - out.data()));
    return;
  }
  // Years beyond +-32767 (WriteDateText's range): std::chrono's calendar.
  std::chrono::year_month_day ymd{std::chrono::sys_days{std::chrono::days{days}}};
  int year = static_cast<int>(ymd.year());
  if (year < 0) {
    out.push_back('-');
    year = -year;
  }
  AppendPadded(year, 4, out);
  out.push_back('-');
  AppendPadded(static_cast<unsigned>(ymd.month()), 2, out);
  out.push_back('-');
  AppendPadded(static_cast<unsigned>(ymd.day()), 2, out);
}

// Floor division, so that times before 1970 land on the previous day.
int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

bool ReadDigits(std::string_view text, size_t& pos, size_t count, int& value) {
  if (pos + count > text.size()) return false;
  value = 0;
  for (size_t digit_idx = 0; digit_idx < count; ++digit_idx) {
    char c = text[pos + digit_idx];
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  pos += count;
  return true;
}

// Reads "YYYY-MM-DD" at `pos` into days since the epoch.
bool ReadDate(std::string_view text, size_t& pos, int64_t& days) {
  int year, month, day;
  if (!ReadDigits(text, pos, 4, year) || pos >= text.size() || text[pos++] != '-' ||
      !ReadDigits(text, pos, 2, month) || pos >= text.size() || text[pos++] != '-' ||
      !ReadDigits(text, pos, 2, day)) {
    return false;
  }
  std::chrono::year_month_day ymd{std::chrono::year{year},
                                  std::chrono::month{static_cast<unsigned>(month)},
                                  std::chrono::day{static_cast<unsigned>(day)}};
  if (!ymd.ok()) return false;
  days = std::chrono::sys_days{ymd}.time_since_epoch().count();
  return true;
}

}  // namespace

std::string FormatTimestamp(int64_t epoch_millis) {
  int64_t days = FloorDiv(epoch_millis, 86'400'000);
  int64_t millis_of_day = epoch_millis - days * 86'400'000;
  std::string out;
  out.reserve(23);
  AppendDate(days, out);
  out.push_back(' ');
  AppendPadded(millis_of_day / 3'600'000, 2, out);
  out.push_back(':');
  AppendPadded(millis_of_day / 60'000 % 60, 2, out);
  out.push_back(':');
  AppendPadded(millis_of_day / 1000 % 60, 2, out);
  out.push_back('.');
  AppendPadded(millis_of_day % 1000, 3, out);
  return out;
}

std::string FormatDate(int32_t days) {
  std::string out;
  AppendDate(days, out);
  return out;
}

void AppendDateText(int32_t days, std::string& out) { AppendDate(days, out); }

void AppendDecimalText(int64_t unscaled, int scale, std::string& out) {
  const size_t start = out.size();
  out.resize(start + DecimalTextRoom(scale));
  char* end = WriteDecimalText(unscaled, scale, out.data() + start);
  out.resize(static_cast<size_t>(end - out.data()));
}

std::string FormatDecimal(int64_t unscaled, int scale) {
  std::string out;
  AppendDecimalText(unscaled, scale, out);
  return out;
}

std::string FormatDouble(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
  char buffer[32];
  auto result = std::to_chars(buffer, buffer + sizeof(buffer), v);
  return std::string(buffer, result.ptr);
}

Result<int64_t> ParseTimestamp(std::string_view text) {
  auto invalid = [&] {
    return Status::Execution("invalid timestamp '" + std::string(text) +
                             "': expected 'YYYY-MM-DD HH:MM:SS[.fff]'");
  };
  size_t pos = 0;
  int64_t days;
  if (!ReadDate(text, pos, days)) return invalid();
  int64_t millis_of_day = 0;
  if (pos < text.size() && (text[pos] == ' ' || text[pos] == 'T')) {
    ++pos;
    int hour, minute, second = 0;
    if (!ReadDigits(text, pos, 2, hour) || pos >= text.size() || text[pos++] != ':' ||
        !ReadDigits(text, pos, 2, minute)) {
      return invalid();
    }
    if (pos < text.size() && text[pos] == ':') {
      ++pos;
      if (!ReadDigits(text, pos, 2, second)) return invalid();
    }
    if (hour > 23 || minute > 59 || second > 59) return invalid();
    int millis = 0;
    if (pos < text.size() && text[pos] == '.') {
      ++pos;
      size_t fraction_digits = 0;
      // Digits beyond milliseconds are accepted and truncated.
      while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
        if (fraction_digits < 3) millis = millis * 10 + (text[pos] - '0');
        ++fraction_digits;
        ++pos;
      }
      if (fraction_digits == 0) return invalid();
      for (size_t digit_idx = fraction_digits; digit_idx < 3; ++digit_idx) millis *= 10;
    }
    if (pos < text.size() && text[pos] == 'Z') ++pos;
    millis_of_day = ((hour * 60 + minute) * 60 + second) * int64_t{1000} + millis;
  }
  if (pos != text.size()) return invalid();
  return days * 86'400'000 + millis_of_day;
}

Result<int32_t> ParseDate(std::string_view text) {
  size_t pos = 0;
  int64_t days;
  if (!ReadDate(text, pos, days) || pos != text.size()) {
    return Status::Execution("invalid date '" + std::string(text) + "': expected 'YYYY-MM-DD'");
  }
  return static_cast<int32_t>(days);
}

Result<int64_t> ParseDecimal(std::string_view text, int precision, int scale) {
  auto type_name = [&] {
    return "DECIMAL(" + std::to_string(precision) + ", " + std::to_string(scale) + ")";
  };
  auto invalid = [&] {
    return Status::Execution("invalid " + type_name() + " value '" + std::string(text) + "'");
  };
  size_t pos = 0;
  bool negative = false;
  if (pos < text.size() && (text[pos] == '-' || text[pos] == '+')) negative = text[pos++] == '-';
  size_t int_start = pos;
  while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') ++pos;
  size_t int_end = pos;
  size_t frac_start = pos, frac_end = pos;
  if (pos < text.size() && text[pos] == '.') {
    frac_start = ++pos;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') ++pos;
    frac_end = pos;
  }
  if (int_end == int_start && frac_end == frac_start) return invalid();
  int64_t exponent = 0;
  if (pos < text.size() && (text[pos] == 'e' || text[pos] == 'E')) {
    ++pos;
    bool negative_exponent = false;
    if (pos < text.size() && (text[pos] == '-' || text[pos] == '+')) {
      negative_exponent = text[pos++] == '-';
    }
    size_t exponent_start = pos;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      // Beyond this the value is 0 or overflows anyway; capping keeps the arithmetic safe.
      if (exponent < 100000) exponent = exponent * 10 + (text[pos] - '0');
      ++pos;
    }
    if (pos == exponent_start) return invalid();
    if (negative_exponent) exponent = -exponent;
  }
  if (pos != text.size()) return invalid();

  // The digits d1..dn (integer then fraction part) mean D * 10^(exponent - fraction length); the
  // unscaled value keeps the first `kept` of them, scaled by 10^scale, then rounds on the next.
  size_t int_digits = int_end - int_start;
  size_t frac_digits = frac_end - frac_start;
  int64_t total_digits = static_cast<int64_t>(int_digits + frac_digits);
  int64_t kept = total_digits + exponent - static_cast<int64_t>(frac_digits) + scale;
  uint64_t limit = 1;
  for (int digit_idx = 0; digit_idx < precision; ++digit_idx) limit *= 10;
  auto digit_at = [&](int64_t index) {
    size_t i = static_cast<size_t>(index);
    return i < int_digits ? text[int_start + i] - '0' : text[frac_start + i - int_digits] - '0';
  };
  auto out_of_range = [&] {
    return Status::Execution("value '" + std::string(text) + "' out of range for " + type_name());
  };
  uint64_t unscaled = 0;
  for (int64_t digit_idx = 0; digit_idx < std::min(kept, total_digits); ++digit_idx) {
    unscaled = unscaled * 10 + static_cast<uint64_t>(digit_at(digit_idx));
    if (unscaled >= limit) return out_of_range();
  }
  for (int64_t zero_idx = total_digits; zero_idx < kept && unscaled != 0; ++zero_idx) {
    unscaled *= 10;
    if (unscaled >= limit) return out_of_range();
  }
  if (kept >= 0 && kept < total_digits && digit_at(kept) >= 5) {
    if (++unscaled >= limit) return out_of_range();
  }
  int64_t result = static_cast<int64_t>(unscaled);
  return negative ? -result : result;
}

}  // namespace sluice
