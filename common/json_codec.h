#pragma once
// The JSON record codec ('value.format'='json'): decodes records into typed columns and encodes
// rows back into JSON objects. This is the hot path of every JSON source and sink.

#include <algorithm>
#include <array>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/batch.h"
#include "common/encode_buffer.h"
#include "common/status.h"
#include "common/types.h"
#include "common/value.h"

namespace sluice {

class JsonDecoderState;

// Decodes one JSON object per call into one row of a batch holding only the needed columns.
// Keys match a column by exact name, else case-insensitively (SQL folds identifiers to lower
// case, JSON keys such as "dateTime" are not); unknown keys are skipped without being decoded.
// Missing keys and JSON null become SQL NULL. A decoder is single-threaded and reusable: it keeps
// its simdjson parser and input buffer across calls.
class JsonRecordDecoder {
 public:
  // `needed_columns` are indexes into `schema`; the output batch has them in this order.
  // REQUIRES: every index is < schema.size().
  JsonRecordDecoder(const Schema& schema, std::vector<int> needed_columns);
  ~JsonRecordDecoder();
  JsonRecordDecoder(const JsonRecordDecoder&) = delete;
  JsonRecordDecoder& operator=(const JsonRecordDecoder&) = delete;

  // The schema of the decoded rows (the needed columns); build output batches from it.
  const Schema& output_schema() const { return output_schema_; }

  // Appends exactly one row to `out`, or nothing and an EXECUTION error such as
  // `malformed JSON: ...`, `record is not a JSON object` or
  // `field "price": expected BIGINT, got string "abc"`. String cells live in an arena shared by
  // the batch's string columns (one per batch). meta() and keys() are left to the caller.
  // REQUIRES: `out` was built from output_schema().
  Status DecodeRow(std::string_view json, RecordBatch& out);

 private:
  Schema output_schema_;
  std::unique_ptr<JsonDecoderState> state_;
};

// Encodes rows as JSON objects keyed by column name: NULL as null, TIMESTAMP as epoch-ms
// integer, DATE as "YYYY-MM-DD", DECIMAL as a number with its scale, DOUBLE in shortest
// round-trip form (NaN and infinities as null), BYTES as base64, nested values recursively.
class JsonRecordEncoder {
 public:
  explicit JsonRecordEncoder(const Schema& schema);

  // Appends one object for `row` of `batch` to `out`. REQUIRES: batch columns match the schema.
  void EncodeRow(const RecordBatch& batch, size_t row, std::string& out) const;
  // The same into an EncodeBuffer; rows without nested values are written in one pass into
  // room reserved up front (the sinks' hot path).
  void EncodeRow(const RecordBatch& batch, size_t row, EncodeBuffer& out) const;

 private:
  // Upper bound of the encoded size of `row`. REQUIRES: no nested columns.
  size_t MaxEncodedSize(const RecordBatch& batch, size_t row) const;

  // How EncodeRow writes a column's cells, decided once from its type.
  enum class CellKind : uint8_t {
    kInteger,  // BIGINT, INTEGER, TIMESTAMP: the int64 in decimal
    kDecimal,  // DECIMAL: the unscaled int64 with its point
    kBoolean,
    kDate,  // quoted YYYY-MM-DD
    kDouble,
    kText,   // VARCHAR
    kBytes,  // base64
    kNull,
    kNested,
  };

  bool has_nested_ = false;
  std::vector<DataType> types_;
  std::vector<CellKind> kinds_;
  std::vector<size_t> string_columns_;
  // MaxEncodedSize's part that does not depend on the row: braces, keys, non-string cells and the
  // quotes or null of string cells.
  size_t fixed_bound_ = 0;
  // Per column: `{"name":` for the first, `,"name":` for the rest, escaped once up front.
  std::vector<std::string> key_prefixes_;
  // When every prefix fits in kPrefixCopyBytes, EncodeRow copies them as fixed-size blocks from
  // these zero-padded copies (one inlined move instead of a memcpy call per cell).
  static constexpr size_t kPrefixCopyBytes = 16;
  bool short_prefixes_ = true;
  std::vector<std::array<char, kPrefixCopyBytes>> padded_prefixes_;
};

// A value as JSON text with the encoder's conventions (display of nested values).
std::string ValueToJson(const Value& value);
// Appends `value` as JSON text to `out`.
void AppendValueJson(const Value& value, std::string& out);

// Standard base64 (RFC 4648, with padding), as used for BYTES in JSON.
void AppendBase64(std::string_view bytes, std::string& out);
// Bytes the base64 of `bytes` bytes takes.
constexpr size_t Base64Size(size_t bytes) { return (bytes + 2) / 3 * 4; }
// The base64 of `bytes` at `dest` (room for Base64Size(bytes.size())); returns its end.
char* WriteBase64(std::string_view bytes, char* dest);
// Decodes standard base64 into `out` (replacing its contents); false when `text` is not base64.
bool DecodeBase64(std::string_view text, std::string& out);

}  // namespace sluice
