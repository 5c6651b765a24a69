#pragma once
// Internal to the JSON decoder (json_decoder.cc, json_decoder_values.cc).

#include <simdjson.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/batch.h"
#include "common/json_key_matcher.h"
#include "common/status.h"
#include "common/types.h"
#include "common/value.h"

namespace sluice {

namespace od = simdjson::ondemand;

// One decoded cell, held until the whole row has decoded (rows are appended all-or-nothing).
struct JsonDecoderCell {
  bool is_null = true;
  int64_t int_value = 0;
  double double_value = 0;
  std::string_view string_value;  // into the parser's or the input buffer, or into `scratch`
  std::string scratch;            // decoded BYTES
  Value nested;
};

// The decoder's mutable machinery, kept out of json_codec.h so that only the decoder's files
// see simdjson. Decoding functions return false after recording the error in error_*.
class JsonDecoderState {
 public:
  explicit JsonDecoderState(const Schema& output_schema);

  Status DecodeRow(std::string_view json, RecordBatch& out);

 private:
  bool DecodeCell(od::value& value, const DataType& type, JsonDecoderCell& cell);
  bool DecodeNested(od::value& value, const DataType& type, od::json_type json_type, Value& out);
  bool DecodeStruct(od::object& object, const DataType& type, Value& out);
  bool DecodeArray(od::array& array, const DataType& type, Value& out);
  bool DecodeMap(od::object& object, const DataType& type, Value& out);

  // A string value without escapes, as a view of its bytes in the input (the common case, which
  // needs no unescaping copy). False, with nothing read, for any other value.
  static bool PlainString(od::value& value, std::string_view& out);
  bool Malformed(simdjson::error_code error);
  bool Mismatch(od::value& value, const DataType& type);
  bool OutOfRange(od::value& value, const DataType& type);
  bool IntegerError(od::value& value, const DataType& type);
  Status RowError() const;
  void EnsureArena(RecordBatch& out);
  // matcher_.Find with a memo per key position: records of a topic mostly repeat their keys in
  // the same order, so one comparison usually replaces a search over all column names.
  void LookUpKey(size_t position, std::string_view key, int& column_idx, bool& exact);
  // The memo's fast check: whether the key that starts at `raw` (in the padded input, just past
  // its opening quote) is the plain key last seen at `position`, compared in place without first
  // finding where it ends. True sets `column_idx` and `exact`.
  bool MatchesCachedKey(size_t position, const char* raw, int& column_idx, bool& exact) const;

  struct CachedKey {
    bool valid = false;
    std::string key;
    int column_idx = -1;
    bool exact = false;
    // For MatchesCachedKey: the key's first 16 bytes as two words and the masks of the bytes
    // that belong to it; `plain` when the key holds no backslash and fits in 16 bytes.
    bool plain = false;
    uint64_t words[2] = {0, 0};
    uint64_t masks[2] = {0, 0};
  };

  std::vector<DataType> types_;
  std::vector<std::string> names_;
  KeyMatcher matcher_;
  std::vector<int> string_columns_;
  std::vector<JsonDecoderCell> cells_;
  // Per cell: 0 = no key seen yet, 1 = matched case-insensitively, 2 = matched exactly.
  std::vector<uint8_t> match_rank_;
  std::vector<CachedKey> key_cache_;
  std::vector<PhysicalKind> physical_;
  std::vector<uint8_t> int64_columns_;    // per cell: BIGINT or TIMESTAMP, decoded inline
  std::vector<uint8_t> varchar_columns_;  // per cell: VARCHAR, tried with PlainString

  od::parser parser_;
  std::unique_ptr<char[]> buffer_;
  size_t buffer_capacity_ = 0;
  std::shared_ptr<StringArena> arena_;

  std::string error_what_;
  std::vector<std::string> error_path_;  // innermost first
  bool malformed_ = false;
};

}  // namespace sluice
