// JsonRecordEncoder, ValueToJson and base64 (the encoding half of common/json_codec.h).

#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>

#include "common/json_codec.h"
#include "common/json_writer.h"
#include "common/number_text.h"

namespace sluice {

namespace {

constexpr char kBase64Alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void AppendInt(int64_t v, std::string& out) {
  char buffer[kInt64TextRoom];
  out.append(buffer, WriteInt64Text(v, buffer));
}

// A quoted DATE; years beyond +-32767 (outside WriteDateText's range) through AppendDateText.
char* WriteDateCell(int32_t days, char* dest) {
  *dest++ = '"';
  if (days >= kMinTextDateDays && days <= kMaxTextDateDays) {
    dest = WriteDateText(days, dest);
  } else {
    std::string text;
    AppendDateText(days, text);
    std::memcpy(dest, text.data(), text.size());
    dest += text.size();
  }
  *dest++ = '"';
  return dest;
}

void AppendDouble(double v, std::string& out) {
  if (!std::isfinite(v)) {
    out += "null";  // JSON has no NaN or infinity
    return;
  }
  char buffer[32];
  auto result = std::to_chars(buffer, buffer + sizeof(buffer), v);
  out.append(buffer, result.ptr);
}

// Scalars stored in int64 columns, by their SQL type.
void AppendInt64Cell(const DataType& type, int64_t v, std::string& out) {
  switch (type.id()) {
    case TypeId::kBoolean: out += v != 0 ? "true" : "false"; break;
    case TypeId::kDecimal: AppendDecimalText(v, type.scale(), out); break;
    case TypeId::kDate: {
      char buffer[kDateTextRoom + 2];
      out.append(buffer, WriteDateCell(static_cast<int32_t>(v), buffer));
      break;
    }
    default: AppendInt(v, out); break;  // INTEGER, BIGINT, TIMESTAMP (epoch ms)
  }
}

void AppendStringCell(const DataType& type, std::string_view v, std::string& out) {
  if (type.id() == TypeId::kBytes) {
    out.push_back('"');
    AppendBase64(v, out);
    out.push_back('"');
  } else {
    AppendJsonString(v, out);
  }
}

}  // namespace

char* WriteBase64(std::string_view bytes, char* dest) {
  const size_t full = bytes.size() / 3 * 3;
  const auto* data = reinterpret_cast<const unsigned char*>(bytes.data());
  for (size_t byte_idx = 0; byte_idx < full; byte_idx += 3) {
    uint32_t group =
        (uint32_t{data[byte_idx]} << 16) | (uint32_t{data[byte_idx + 1]} << 8) | data[byte_idx + 2];
    dest[0] = kBase64Alphabet[(group >> 18) & 63];
    dest[1] = kBase64Alphabet[(group >> 12) & 63];
    dest[2] = kBase64Alphabet[(group >> 6) & 63];
    dest[3] = kBase64Alphabet[group & 63];
    dest += 4;
  }
  const size_t rest = bytes.size() - full;
  if (rest == 0) return dest;
  uint32_t group = uint32_t{data[full]} << 16;
  if (rest == 2) group |= uint32_t{data[full + 1]} << 8;
  dest[0] = kBase64Alphabet[(group >> 18) & 63];
  dest[1] = kBase64Alphabet[(group >> 12) & 63];
  dest[2] = rest == 2 ? kBase64Alphabet[(group >> 6) & 63] : '=';
  dest[3] = '=';
  return dest + 4;
}

void AppendBase64(std::string_view bytes, std::string& out) {
  const size_t start = out.size();
  out.resize(start + Base64Size(bytes.size()));
  WriteBase64(bytes, out.data() + start);
}

bool DecodeBase64(std::string_view text, std::string& out) {
  out.clear();
  if (text.size() % 4 != 0) return false;
  out.reserve(text.size() / 4 * 3);
  uint32_t group = 0;
  int sextets = 0;
  size_t padding = 0;
  for (size_t char_idx = 0; char_idx < text.size(); ++char_idx) {
    char c = text[char_idx];
    uint32_t sextet;
    if (c >= 'A' && c <= 'Z') {
      sextet = static_cast<uint32_t>(c - 'A');
    } else if (c >= 'a' && c <= 'z') {
      sextet = static_cast<uint32_t>(c - 'a' + 26);
    } else if (c >= '0' && c <= '9') {
      sextet = static_cast<uint32_t>(c - '0' + 52);
    } else if (c == '+') {
      sextet = 62;
    } else if (c == '/') {
      sextet = 63;
    } else if (c == '=' && char_idx + 2 >= text.size()) {
      // Padding only in the last two positions, and nothing but padding after it.
      ++padding;
      sextet = 0;
    } else {
      return false;
    }
    if (padding > 0 && c != '=') return false;
    group = (group << 6) | sextet;
    if (++sextets == 4) {
      out.push_back(static_cast<char>((group >> 16) & 0xFF));
      out.push_back(static_cast<char>((group >> 8) & 0xFF));
      out.push_back(static_cast<char>(group & 0xFF));
      group = 0;
      sextets = 0;
    }
  }
  out.resize(out.size() - padding);
  return true;
}

void AppendValueJson(const Value& value, std::string& out) {
  if (value.is_null()) {
    out += "null";
    return;
  }
  const DataType& type = value.type();
  switch (type.physical()) {
    case PhysicalKind::kNull: out += "null"; return;
    case PhysicalKind::kInt64: AppendInt64Cell(type, value.int_value(), out); return;
    case PhysicalKind::kDouble: AppendDouble(value.double_value(), out); return;
    case PhysicalKind::kString: AppendStringCell(type, value.string_value(), out); return;
    case PhysicalKind::kNested: break;
  }
  const NestedValue& nested = value.nested();
  if (type.id() == TypeId::kArray) {
    out.push_back('[');
    for (size_t element_idx = 0; element_idx < nested.values.size(); ++element_idx) {
      if (element_idx > 0) out.push_back(',');
      AppendValueJson(nested.values[element_idx], out);
    }
    out.push_back(']');
    return;
  }
  const std::vector<std::string>& keys =
      type.id() == TypeId::kMap ? nested.keys : type.field_names();
  out.push_back('{');
  for (size_t entry_idx = 0; entry_idx < nested.values.size(); ++entry_idx) {
    if (entry_idx > 0) out.push_back(',');
    AppendJsonString(keys[entry_idx], out);
    out.push_back(':');
    AppendValueJson(nested.values[entry_idx], out);
  }
  out.push_back('}');
}

std::string ValueToJson(const Value& value) {
  std::string out;
  AppendValueJson(value, out);
  return out;
}

JsonRecordEncoder::JsonRecordEncoder(const Schema& schema) {
  types_.reserve(schema.size());
  key_prefixes_.reserve(schema.size());
  fixed_bound_ = 2;  // {} or the closing brace
  for (size_t column_idx = 0; column_idx < schema.size(); ++column_idx) {
    const Field& field = schema.field(column_idx);
    types_.push_back(field.type);
    std::string prefix(1, column_idx == 0 ? '{' : ',');
    AppendJsonString(field.name, prefix);
    prefix.push_back(':');
    fixed_bound_ += prefix.size();
    short_prefixes_ &= prefix.size() <= kPrefixCopyBytes;
    key_prefixes_.push_back(std::move(prefix));
    const PhysicalKind physical = field.type.physical();
    has_nested_ |= physical == PhysicalKind::kNested;
    CellKind kind = CellKind::kNull;
    switch (physical) {
      case PhysicalKind::kNull: kind = CellKind::kNull; break;
      case PhysicalKind::kInt64: {
        const TypeId id = field.type.id();
        kind = id == TypeId::kDecimal   ? CellKind::kDecimal
               : id == TypeId::kBoolean ? CellKind::kBoolean
               : id == TypeId::kDate    ? CellKind::kDate
                                        : CellKind::kInteger;  // BIGINT, INTEGER, TIMESTAMP
        break;
      }
      case PhysicalKind::kDouble: kind = CellKind::kDouble; break;
      case PhysicalKind::kString:
        kind = field.type.id() == TypeId::kBytes ? CellKind::kBytes : CellKind::kText;
        break;
      case PhysicalKind::kNested: kind = CellKind::kNested; break;
    }
    kinds_.push_back(kind);
    if (physical == PhysicalKind::kString) {
      string_columns_.push_back(column_idx);
      fixed_bound_ += MaxJsonStringSize(0) + 4;  // quotes, or "null"
    } else {
      // An int64, a quoted DATE or a boolean fit in 48 bytes (whole-word stores included), a
      // DECIMAL in DecimalTextRoom; a DOUBLE in shortest round-trip form or null in 32.
      fixed_bound_ += kind == CellKind::kDecimal         ? DecimalTextRoom(field.type.scale())
                      : physical == PhysicalKind::kInt64 ? 48
                                                         : 32;
    }
  }
  if (short_prefixes_) {
    for (const std::string& prefix : key_prefixes_) {
      std::array<char, kPrefixCopyBytes> padded{};
      std::memcpy(padded.data(), prefix.data(), prefix.size());
      padded_prefixes_.push_back(padded);
    }
  }
  fixed_bound_ += kPrefixCopyBytes;  // the last block may reach past the closing brace
}

inline size_t JsonRecordEncoder::MaxEncodedSize(const RecordBatch& batch, size_t row) const {
  // BYTES become base64 (4 per 3 bytes), text at most 6 bytes per byte (\u00XX); quotes and
  // "null" are in fixed_bound_. A NULL cell's view (empty, or whatever a kernel left) only makes
  // the bound larger, so validity is not looked at.
  size_t bound = fixed_bound_;
  for (size_t column_idx : string_columns_) {
    bound += 6 * batch.column(column_idx).strings()[row].size();
  }
  return bound;
}

void JsonRecordEncoder::EncodeRow(const RecordBatch& batch, size_t row, EncodeBuffer& out) const {
  if (has_nested_ || types_.empty()) {
    std::string text;
    EncodeRow(batch, row, text);
    out.Append(text);
    return;
  }
  char* dest = out.Reserve(MaxEncodedSize(batch, row));
  for (size_t column_idx = 0; column_idx < types_.size(); ++column_idx) {
    const std::string& prefix = key_prefixes_[column_idx];
    if (short_prefixes_) {
      // A fixed-size move the compiler inlines; the bytes past the prefix are overwritten next
      // (the bound has kPrefixCopyBytes of slack for the last ones).
      std::memcpy(dest, padded_prefixes_[column_idx].data(), kPrefixCopyBytes);
    } else {
      std::memcpy(dest, prefix.data(), prefix.size());
    }
    dest += prefix.size();
    const Column& column = batch.column(column_idx);
    if (column.IsNull(row)) {
      std::memcpy(dest, "null", 4);
      dest += 4;
      continue;
    }
    switch (kinds_[column_idx]) {
      case CellKind::kInteger: dest = WriteInt64Text(column.GetInt64(row), dest); break;
      case CellKind::kDecimal:
        dest = WriteDecimalText(column.GetInt64(row), types_[column_idx].scale(), dest);
        break;
      case CellKind::kBoolean:
        // Both spellings copied as 8 bytes (the bound has room); the length picks one.
        std::memcpy(dest, column.GetInt64(row) != 0 ? "true\0\0\0\0" : "false\0\0\0", 8);
        dest += column.GetInt64(row) != 0 ? 4 : 5;
        break;
      case CellKind::kDate:
        dest = WriteDateCell(static_cast<int32_t>(column.GetInt64(row)), dest);
        break;
      case CellKind::kDouble: {
        double v = column.GetDouble(row);
        if (std::isfinite(v)) {
          dest = std::to_chars(dest, dest + 32, v).ptr;
        } else {
          std::memcpy(dest, "null", 4);  // JSON has no NaN or infinity
          dest += 4;
        }
        break;
      }
      case CellKind::kText: dest = WriteJsonString(column.GetString(row), dest); break;
      case CellKind::kBytes:
        *dest++ = '"';
        dest = WriteBase64(column.GetString(row), dest);
        *dest++ = '"';
        break;
      case CellKind::kNull:
        std::memcpy(dest, "null", 4);
        dest += 4;
        break;
      case CellKind::kNested: break;  // excluded above
    }
  }
  *dest++ = '}';
  out.Commit(dest);
}

void JsonRecordEncoder::EncodeRow(const RecordBatch& batch, size_t row, std::string& out) const {
  if (types_.empty()) {
    out += "{}";
    return;
  }
  for (size_t column_idx = 0; column_idx < types_.size(); ++column_idx) {
    out += key_prefixes_[column_idx];
    const Column& column = batch.column(column_idx);
    if (column.IsNull(row)) {
      out += "null";
      continue;
    }
    const DataType& type = types_[column_idx];
    switch (type.physical()) {
      case PhysicalKind::kNull: out += "null"; break;
      case PhysicalKind::kInt64: AppendInt64Cell(type, column.GetInt64(row), out); break;
      case PhysicalKind::kDouble: AppendDouble(column.GetDouble(row), out); break;
      case PhysicalKind::kString: AppendStringCell(type, column.GetString(row), out); break;
      case PhysicalKind::kNested: AppendValueJson(column.GetNested(row), out); break;
    }
  }
  out.push_back('}');
}

}  // namespace sluice
