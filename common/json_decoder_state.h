#pragma once
// Internal to the JSON decoder (json_decoder.cc, json_decoder_values.cc).

#include <simdjson.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
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
  void ResetCells();
  // The fast path (json_decoder_flat.cc): a flat object of plain strings, integers, literals and
  // TIMESTAMP or DATE text, scanned in place. False when the record needs the simdjson path
  // (which then decides it).
  bool DecodeFlat(std::string_view json);
  // A plain string's text into a TIMESTAMP or DATE column, parsed as the simdjson path parses
  // it; false (the simdjson path then reports why) for other columns and text that does not parse.
  bool DecodeTimeText(size_t column_idx, std::string_view text, int64_t& value) const;
  // The general path: any record, with every error reported.
  Status DecodeWithSimdjson(std::string_view json);
  // Appends the decoded cells as one row.
  void CommitRow(RecordBatch& out);
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
  // `available` is how many bytes can be read from `raw` (SIZE_MAX in the padded input); `size`
  // is set to the cached key's size.
  bool MatchesCachedKey(size_t position, const char* raw, size_t available, int& column_idx,
                        bool& exact, size_t& size) const;

  // MatchesCachedKey for the fast path's common case: the cached key of at most 14 bytes, its
  // closing quote and the colon right after it, compared with one masked 16-byte load. True sets
  // `column_idx`, `exact` and `size`, the bytes matched. REQUIRES: `raw` < `end`.
  bool MatchesCompactField(size_t position, const char* raw, const char* end, int& column_idx,
                           bool& exact, size_t& size) const;

  struct CachedKey {
    bool valid = false;
    std::string key;
    int column_idx = -1;
    bool exact = false;
    // For MatchesCachedKey: the key's first 16 bytes as two words and the masks of the bytes
    // that belong to it; `plain` when the key holds no backslash, quote or control character
    // (so equal raw bytes in the input are this very key, and valid JSON).
    bool plain = false;
    uint64_t words[2] = {0, 0};
    uint64_t masks[2] = {0, 0};
    // For MatchesCompactField: the key followed by `":`, as `words` and `masks` are made, and
    // how many bytes that is (0 when the key is not plain or longer than 14 bytes).
    size_t field_size = 0;
    uint64_t field_words[2] = {0, 0};
    uint64_t field_masks[2] = {0, 0};
  };

  std::vector<DataType> types_;
  std::vector<std::string> names_;
  KeyMatcher matcher_;
  // The columns by physical kind: strings, int64s and the rest (CommitRow's three loops).
  std::vector<int> string_columns_;
  std::vector<int> int64_physical_columns_;
  std::vector<int> other_columns_;
  std::vector<JsonDecoderCell> cells_;
  // Per cell: 0 = no key seen yet, 1 = matched case-insensitively, 2 = matched exactly.
  std::vector<uint8_t> match_rank_;
  std::vector<CachedKey> key_cache_;
  std::vector<PhysicalKind> physical_;
  std::vector<uint8_t> int64_columns_;    // per cell: BIGINT or TIMESTAMP, decoded inline
  std::vector<uint8_t> varchar_columns_;  // per cell: VARCHAR, tried with PlainString
  std::vector<TypeId> time_columns_;      // per cell: kTimestamp or kDate, else kNull

  od::parser parser_;
  std::unique_ptr<char[]> buffer_;
  size_t buffer_capacity_ = 0;
  std::shared_ptr<StringArena> arena_;

  // DecodeRow's back-off from a fast path that keeps declining records.
  static constexpr uint32_t kFlatDeclinesToSkip = 16;
  static constexpr uint32_t kFlatProbeInterval = 64;
  uint32_t flat_declines_ = 0;  // in a row, saturating at kFlatDeclinesToSkip
  uint32_t flat_probe_ = 0;

  std::string error_what_;
  std::vector<std::string> error_path_;  // innermost first
  bool malformed_ = false;
};

// Whether the 16 bytes at `raw`, where `masks` has their bits, equal those of `words`.
[[gnu::always_inline]] inline bool PrefixEquals(const char* raw, const uint64_t (&words)[2],
                                                const uint64_t (&masks)[2]) {
  uint64_t first;
  uint64_t second;
  std::memcpy(&first, raw, 8);
  std::memcpy(&second, raw + 8, 8);
  return (((first ^ words[0]) & masks[0]) | ((second ^ words[1]) & masks[1])) == 0;
}

// Inlined: it runs once per key of every record.
[[gnu::always_inline]] inline bool JsonDecoderState::MatchesCachedKey(size_t position,
                                                                      const char* raw,
                                                                      size_t available,
                                                                      int& column_idx, bool& exact,
                                                                      size_t& size) const {
  if (position >= key_cache_.size()) return false;
  const CachedKey& cached = key_cache_[position];
  if (!cached.valid || !cached.plain) return false;
  // Reads 16 bytes (bytes past the key are masked out) and the key's closing quote, so the caller
  // guarantees more than that many bytes at `raw`. A plain cached key
  // followed by the closing quote in the input is the whole key: the byte before that quote is
  // the cached key's last byte, never a backslash.
  size = cached.key.size();
  if (available <= std::max<size_t>(16, size)) return false;
  if (!PrefixEquals(raw, cached.words, cached.masks)) return false;
  if (size > 16 && std::memcmp(raw + 16, cached.key.data() + 16, size - 16) != 0) return false;
  if (raw[size] != '"') return false;
  column_idx = cached.column_idx;
  exact = cached.exact;
  return true;
}

[[gnu::always_inline]] inline bool JsonDecoderState::MatchesCompactField(
    size_t position, const char* raw, const char* end, int& column_idx, bool& exact,
    size_t& size) const {
  if (position >= key_cache_.size()) return false;
  const CachedKey& cached = key_cache_[position];
  // More than 16 bytes left: the load is in bounds, and a value follows the colon.
  if (cached.field_size == 0 || end - raw <= 16) return false;
  if (!PrefixEquals(raw, cached.field_words, cached.field_masks)) return false;
  column_idx = cached.column_idx;
  exact = cached.exact;
  size = cached.field_size;
  return true;
}

}  // namespace sluice
