#include "cli/format/cell_text.h"

#include <charconv>

#include "common/value.h"

namespace sluice {

namespace {

void AppendInt(int64_t value, std::string& out) {
  char buffer[24];
  auto result = std::to_chars(buffer, buffer + sizeof(buffer), value);
  out.append(buffer, result.ptr);
}

void AppendDouble(double value, std::string& out) {
  std::string text = FormatDouble(value);
  // "3" would read as an integer; "1e+20", "NaN" and "Infinity" already say what they are.
  if (text.find_first_not_of("-0123456789") == std::string::npos) text += ".0";
  out += text;
}

}  // namespace

void AppendCellText(const Column& column, size_t row, std::string& out) {
  const DataType& type = column.type();
  switch (type.id()) {
    case TypeId::kBoolean: out += column.GetInt64(row) != 0 ? "true" : "false"; return;
    case TypeId::kInteger:
    case TypeId::kBigint: AppendInt(column.GetInt64(row), out); return;
    case TypeId::kDouble: AppendDouble(column.GetDouble(row), out); return;
    case TypeId::kDecimal: AppendDecimalText(column.GetInt64(row), type.scale(), out); return;
    case TypeId::kVarchar: out += column.GetString(row); return;
    case TypeId::kTimestamp: out += FormatTimestamp(column.GetInt64(row)); return;
    case TypeId::kDate: AppendDateText(static_cast<int32_t>(column.GetInt64(row)), out); return;
    default:
      // BYTES and nested values are rare in results; the slow path keeps one definition of them.
      out += column.GetValue(row).ToString();
      return;
  }
}

bool IsRightAligned(const DataType& type) { return type.is_numeric(); }

size_t DisplayWidth(std::string_view text) {
  size_t width = 0;
  for (char c : text) {
    // Count every byte that does not continue a multi-byte sequence (10xxxxxx).
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++width;
  }
  return width;
}

}  // namespace sluice
