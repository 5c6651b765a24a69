// The order-preserving byte encoding of cells (aggregate_accumulator.h): group keys, join keys
// and distinct values are compared, hashed and stored as these bytes.

#include <cstring>

#include "common/big_endian.h"
#include "runtime/operator/aggregate_accumulator.h"

namespace sluice {

namespace {

// EncodeCell's 8 bytes of a non-NULL DOUBLE: sortable as unsigned big-endian bytes.
uint64_t OrderedDoubleBits(double value) {
  if (value == 0) value = 0;  // -0.0 and 0.0 are one group
  uint64_t bits = 0;
  std::memcpy(&bits, &value, sizeof bits);
  return (bits & (1ULL << 63)) ? ~bits : bits ^ (1ULL << 63);
}

}  // namespace

void EncodeCell(const Column& column, size_t row, std::string& out) {
  if (column.IsNull(row)) {
    out.push_back('\0');
    return;
  }
  // Numbers, the common keys and arguments, go in one append of the tag and 8 bytes: appending
  // byte by byte was most of what encoding a changelog aggregate's rows cost.
  char number[9];
  number[0] = '\1';
  switch (column.type().physical()) {
    case PhysicalKind::kNull: out.push_back('\1'); break;
    case PhysicalKind::kInt64:
      StoreOrderedInt64(column.GetInt64(row), number + 1);
      out.append(number, sizeof number);
      break;
    case PhysicalKind::kDouble:
      StoreBigEndian64(OrderedDoubleBits(column.GetDouble(row)), number + 1);
      out.append(number, sizeof number);
      break;
    case PhysicalKind::kString: {
      out.push_back('\1');
      std::string_view text = column.GetString(row);
      // Escape NUL so a shorter string still sorts first and keys stay prefix-free. (Text without
      // NUL, nearly all of it, is appended whole.)
      for (size_t nul = text.find('\0'); nul != std::string_view::npos; nul = text.find('\0')) {
        out.append(text.substr(0, nul + 1));
        out.push_back('\xff');
        text.remove_prefix(nul + 1);
      }
      out.append(text);
      out.append("\0\0", 2);
      break;
    }
    case PhysicalKind::kNested: {
      out.push_back('\1');
      std::string text = column.GetNested(row).ToString();
      AppendBigEndian(text.size(), 8, out);
      out += text;
      break;
    }
  }
}

namespace {

// Whether every key of the batch has a fixed size: numbers only, no NULL.
bool FixedWidthKeys(const std::vector<Column>& columns, size_t num_rows) {
  for (const Column& column : columns) {
    const PhysicalKind kind = column.type().physical();
    if (kind != PhysicalKind::kInt64 && kind != PhysicalKind::kDouble) return false;
    if (column.size() < num_rows) return false;
    const size_t cells =
        kind == PhysicalKind::kInt64 ? column.ints().size() : column.doubles().size();
    if (cells < num_rows) return false;
    if (std::memchr(column.valid().data(), 0, num_rows) != nullptr) return false;
  }
  return true;
}

}  // namespace

void EncodeKeys(const std::vector<Column>& columns, size_t num_rows, std::string& out,
                std::vector<size_t>& ends) {
  ends.resize(num_rows);
  if (num_rows == 0) return;
  if (!FixedWidthKeys(columns, num_rows)) {
    for (size_t row = 0; row < num_rows; ++row) {
      for (const Column& column : columns) EncodeCell(column, row, out);
      ends[row] = out.size();
    }
    return;
  }
  constexpr size_t kCellBytes = 1 + 8;  // the non-NULL tag and the number
  const size_t key_bytes = kCellBytes * columns.size();
  const size_t first = out.size();
  out.resize(first + key_bytes * num_rows);
  char* keys = out.data() + first;
  for (size_t column_idx = 0; column_idx < columns.size(); ++column_idx) {
    const Column& column = columns[column_idx];
    char* cell = keys + kCellBytes * column_idx;
    if (column.type().physical() == PhysicalKind::kInt64) {
      const int64_t* values = column.ints().data();
      for (size_t row = 0; row < num_rows; ++row, cell += key_bytes) {
        cell[0] = '\1';
        StoreOrderedInt64(values[row], cell + 1);
      }
    } else {
      const double* values = column.doubles().data();
      for (size_t row = 0; row < num_rows; ++row, cell += key_bytes) {
        cell[0] = '\1';
        StoreBigEndian64(OrderedDoubleBits(values[row]), cell + 1);
      }
    }
  }
  for (size_t row = 0; row < num_rows; ++row) ends[row] = first + key_bytes * (row + 1);
}

bool CellDecodable(const DataType& type) { return type.physical() != PhysicalKind::kNested; }

bool DecodeCell(std::string_view& encoded, Column& out) {
  if (encoded.empty()) return false;
  const char tag = encoded.front();
  encoded.remove_prefix(1);
  if (tag == '\0') {
    out.AppendNull();
    return true;
  }
  const PhysicalKind kind = out.type().physical();
  if (tag != '\1' || kind == PhysicalKind::kNested) return false;
  if (kind == PhysicalKind::kNull) {
    out.AppendNull();
    return true;
  }
  if (kind == PhysicalKind::kString) {
    // Text without NUL (nearly all) ends at the first 0 byte, which the terminator's second
    // follows.
    const size_t first_nul = encoded.find('\0');
    if (first_nul == std::string_view::npos || first_nul + 1 >= encoded.size()) return false;
    if (encoded[first_nul + 1] == '\0') {
      out.AppendString(encoded.substr(0, first_nul));
      encoded.remove_prefix(first_nul + 2);
      return true;
    }
    std::string text;
    for (size_t pos = 0; pos + 1 < encoded.size(); ++pos) {
      if (encoded[pos] != '\0') {
        text.push_back(encoded[pos]);
        continue;
      }
      ++pos;
      if (encoded[pos] == '\0') {  // the terminator
        out.AppendString(text);
        encoded.remove_prefix(pos + 1);
        return true;
      }
      if (encoded[pos] != '\xff') return false;
      text.push_back('\0');
    }
    return false;
  }
  if (encoded.size() < 8) return false;
  if (kind == PhysicalKind::kInt64) {
    out.AppendInt64(ReadOrderedInt64(encoded));
    encoded.remove_prefix(8);
  } else {
    uint64_t bits = ReadBigEndian(encoded, 8);
    encoded.remove_prefix(8);
    bits = (bits & (1ULL << 63)) ? bits ^ (1ULL << 63) : ~bits;
    double value = 0;
    std::memcpy(&value, &bits, sizeof value);
    out.AppendDouble(value);
  }
  return true;
}

}  // namespace sluice
