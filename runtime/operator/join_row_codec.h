#pragma once
// The bytes of a row a join keeps (a buffered interval-join row, a changelog version): what the
// join holds in memory and what its checkpoint writes, one encoding for both so a row is encoded
// once, when it arrives. Binary and positional: a format byte, the event time, one flag byte
// (matched / deleted) at a fixed offset so it can be patched in place, then per column a presence
// byte and the cell (8 bytes for numbers, times and booleans; a 4-byte length and the bytes for
// strings; nested values as their JSON text).

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/batch.h"
#include "common/json_codec.h"
#include "common/status.h"

namespace sluice {

class JoinRowCodec {
 public:
  // `columns`: the schema of the side's rows.
  explicit JoinRowCodec(const Schema& columns);
  ~JoinRowCodec();
  JoinRowCodec(const JoinRowCodec&) = delete;
  JoinRowCodec& operator=(const JoinRowCodec&) = delete;

  // Appends the encoding of row `row` of `batch` (whose columns are the side's, in order).
  void Encode(const RecordBatch& batch, size_t row, int64_t time, bool flag,
              std::string& out) const;
  // Appends the row's cells to out.column(first_column + i) for each column i (only those with
  // (*only)[i] != 0 when `only` is given: the others are skipped, left as they are). A value not
  // written by Encode (a corrupt or foreign checkpoint) is a STORAGE error.
  Status Decode(std::string_view bytes, RecordBatch& out, size_t first_column,
                const std::vector<uint8_t>* only = nullptr);
  // Decode of each of `rows`, in order. Rows of numbers only and without NULLs (every cell at a
  // fixed offset) are decoded a column at a time.
  Status DecodeRows(const std::vector<std::string_view>& rows, RecordBatch& out,
                    size_t first_column, const std::vector<uint8_t>* only = nullptr);

  // The header fields of an encoded row. REQUIRES: Valid(bytes).
  static bool Valid(std::string_view bytes) {
    return bytes.size() >= kHeaderSize && bytes[0] == kFormat;
  }
  static int64_t Time(std::string_view bytes) {
    int64_t time = 0;
    std::memcpy(&time, bytes.data() + 1, sizeof time);
    return time;
  }
  static bool Flag(std::string_view bytes) { return bytes[kFlagOffset] != 0; }
  // Appends a row's header alone, without cells: Valid, with its time and flag, for a row whose
  // cells are never read (a temporal join's delete; 10 bytes, which a std::string holds inline).
  static void EncodeHeader(int64_t time, bool flag, std::string& out) {
    char header[kHeaderSize];
    header[0] = kFormat;
    std::memcpy(header + 1, &time, sizeof time);
    header[kFlagOffset] = flag ? 1 : 0;
    out.append(header, kHeaderSize);
  }
  static void SetFlag(bool flag, std::string& bytes) { bytes[kFlagOffset] = flag ? 1 : 0; }
  static constexpr size_t kFlagOffset = 9;  // of the flag byte

  // A 4-byte length, for the framing of several rows in one state-table value.
  static void AppendLength(size_t length, std::string& out) {
    const auto value = static_cast<uint32_t>(length);
    char bytes[sizeof value];
    std::memcpy(bytes, &value, sizeof value);
    out.append(bytes, sizeof value);
  }
  // REQUIRES: 4 bytes at `pos`.
  static uint32_t ReadLength(std::string_view bytes, size_t pos) {
    uint32_t value = 0;
    std::memcpy(&value, bytes.data() + pos, sizeof value);
    return value;
  }

  // Order-preserving 8-byte encoding of a time or id, for state-table keys.
  static void AppendInt(int64_t value, std::string& out);
  static int64_t ReadInt(std::string_view bytes);

 private:
  static constexpr char kFormat = 'B';  // never '{', the first byte of the earlier JSON format
  static constexpr size_t kHeaderSize = 10;

  // Decodes a nested cell's JSON text into `column`.
  Status DecodeNested(size_t column_idx, std::string_view json, Column& column);

  std::vector<DataType> types_;
  std::vector<PhysicalKind> kinds_;
  // Every column is BIGINT-like or DOUBLE-like (8 bytes): a row without NULLs then takes exactly
  // fixed_size_ bytes, cell i at kHeaderSize + 9 * i.
  bool fixed_width_ = true;
  size_t fixed_size_ = kHeaderSize;
  // Nested columns only: a decoder of {"v": <cell>} and its one-row scratch batch.
  std::vector<std::unique_ptr<JsonRecordDecoder>> nested_decoders_;
  std::vector<RecordBatch> nested_scratch_;
  std::string json_;
};

}  // namespace sluice
