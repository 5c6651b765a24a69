// JsonRecordDecoder (the decoding half of common/json_codec.h), on simdjson's On-Demand API:
// the row loop, key matching and the all-or-nothing commit into the batch.

#include <algorithm>
#include <cstring>

#include "common/json_codec.h"
#include "common/json_decoder_state.h"

namespace sluice {

JsonDecoderState::JsonDecoderState(const Schema& output_schema)
    : matcher_([&] {
        std::vector<std::string> names;
        for (const Field& field : output_schema.fields()) names.push_back(field.name);
        return names;
      }()) {
  for (size_t column_idx = 0; column_idx < output_schema.size(); ++column_idx) {
    const Field& field = output_schema.field(column_idx);
    types_.push_back(field.type);
    physical_.push_back(field.type.physical());
    names_.push_back(field.name);
    // BIGINT and TIMESTAMP take any int64; INTEGER and DATE have narrower ranges to check.
    int64_columns_.push_back(field.type.id() == TypeId::kBigint ||
                             field.type.id() == TypeId::kTimestamp);
    varchar_columns_.push_back(field.type.id() == TypeId::kVarchar);
    const bool time = field.type.id() == TypeId::kTimestamp || field.type.id() == TypeId::kDate;
    time_columns_.push_back(time ? field.type.id() : TypeId::kNull);
    if (field.type.physical() == PhysicalKind::kString) {
      string_columns_.push_back(static_cast<int>(column_idx));
    } else if (field.type.physical() == PhysicalKind::kInt64) {
      int64_physical_columns_.push_back(static_cast<int>(column_idx));
    } else {
      other_columns_.push_back(static_cast<int>(column_idx));
    }
  }
  cells_.resize(types_.size());
  match_rank_.resize(types_.size());
}

Status JsonDecoderState::RowError() const {
  std::string field;
  for (auto it = error_path_.rbegin(); it != error_path_.rend(); ++it) field += *it;
  if (malformed_) {
    return Status::Execution("malformed JSON: " + error_what_ +
                             (field.empty() ? "" : " (in field \"" + field + "\")"));
  }
  return Status::Execution("field \"" + field + "\": " + error_what_);
}

namespace {

// The first 16 bytes of `bytes` as two little-endian words, and masks of the bytes it fills.
void PackPrefix(std::string_view bytes, uint64_t (&words)[2], uint64_t (&masks)[2]) {
  for (size_t word = 0; word < 2; ++word) {
    const size_t begin = 8 * word;
    const size_t count = bytes.size() > begin ? std::min<size_t>(8, bytes.size() - begin) : 0;
    words[word] = 0;
    if (count > 0) std::memcpy(&words[word], bytes.data() + begin, count);
    masks[word] = count == 8 ? ~uint64_t{0} : (uint64_t{1} << (8 * count)) - 1;
  }
}

}  // namespace

void JsonDecoderState::LookUpKey(size_t position, std::string_view key, int& column_idx,
                                 bool& exact) {
  if (position >= key_cache_.size()) key_cache_.resize(position + 1);
  CachedKey& cached = key_cache_[position];
  if (cached.valid && cached.key == key) {
    column_idx = cached.column_idx;
    exact = cached.exact;
    return;
  }
  column_idx = matcher_.Find(key, exact);
  cached.valid = true;
  cached.key.assign(key);
  cached.column_idx = column_idx;
  cached.exact = exact;
  cached.plain = std::none_of(key.begin(), key.end(), [](char c) {
    return c == '\\' || c == '"' || static_cast<unsigned char>(c) < 0x20;
  });
  PackPrefix(key, cached.words, cached.masks);
  // The compact field pattern: `key":` within 16 bytes.
  cached.field_size = 0;
  if (cached.plain && key.size() <= 14) {
    std::string field(key);
    field += "\":";
    PackPrefix(field, cached.field_words, cached.field_masks);
    cached.field_size = field.size();
  }
}

bool JsonDecoderState::DecodeTimeText(size_t column_idx, std::string_view text,
                                      int64_t& value) const {
  if (time_columns_[column_idx] == TypeId::kTimestamp) {
    Result<int64_t> millis = ParseTimestamp(text);
    if (!millis.ok()) return false;
    value = *millis;
    return true;
  }
  if (time_columns_[column_idx] == TypeId::kDate) {
    Result<int32_t> days = ParseDate(text);
    if (!days.ok()) return false;
    value = *days;
    return true;
  }
  return false;
}

void JsonDecoderState::EnsureArena(RecordBatch& out) {
  if (string_columns_.empty()) return;
  // The arena belongs to one batch: once that batch is cleared or replaced, start a new one.
  const auto& held = out.column(string_columns_[0]).arenas();
  for (const auto& arena : held) {
    if (arena == arena_) return;
  }
  arena_ = std::make_shared<StringArena>();
  for (int column_idx : string_columns_) out.column(column_idx).AddArena(arena_);
}

bool JsonDecoderState::PlainString(od::value& value, std::string_view& out) {
  // The token runs from the opening quote to the next structural character, so it may end in
  // whitespace. Stage 1 has checked the string (closed, valid UTF-8, no raw control characters).
  std::string_view token = value.raw_json_token();
  if (token.empty() || token[0] != '"') return false;
  while (token.size() > 1 && token.back() != '"') token.remove_suffix(1);
  if (token.size() < 2) return false;
  std::string_view content = token.substr(1, token.size() - 2);
  if (std::memchr(content.data(), '\\', content.size()) != nullptr) return false;
  out = content;
  return true;
}

Status JsonDecoderState::DecodeRow(std::string_view json, RecordBatch& out) {
  // The batch may hold more columns after the decoded ones (a source's row metadata).
  if (out.num_columns() < types_.size()) {
    return Status::Internal("JSON decoder: batch has " + std::to_string(out.num_columns()) +
                            " columns, expected at least " + std::to_string(types_.size()));
  }
  ResetCells();
  // A topic whose records the fast path keeps declining (nested values, escapes) would pay for
  // its scan on every record: after kFlatDeclinesToSkip in a row it is tried only on every
  // kFlatProbeInterval-th record, until it decodes one again.
  bool decoded = false;
  if (flat_declines_ < kFlatDeclinesToSkip || ++flat_probe_ % kFlatProbeInterval == 0) {
    decoded = DecodeFlat(json);
    flat_declines_ = decoded ? 0 : std::min(flat_declines_ + 1, kFlatDeclinesToSkip);
  }
  if (!decoded) RETURN_NOT_OK(DecodeWithSimdjson(json));
  CommitRow(out);
  return Status::OK();
}

void JsonDecoderState::ResetCells() {
  // Through locals: the byte stores could alias the vectors' own pointers, which the compiler
  // would otherwise load again on every turn.
  JsonDecoderCell* const cells = cells_.data();
  const size_t count = cells_.size();
  for (size_t cell_idx = 0; cell_idx < count; ++cell_idx) cells[cell_idx].is_null = true;
  std::memset(match_rank_.data(), 0, count);
}

Status JsonDecoderState::DecodeWithSimdjson(std::string_view json) {
  size_t needed = json.size() + simdjson::SIMDJSON_PADDING;
  if (buffer_capacity_ < needed) {
    buffer_capacity_ = std::max(needed, buffer_capacity_ * 2);
    buffer_ = std::make_unique<char[]>(buffer_capacity_);
  }
  std::memcpy(buffer_.get(), json.data(), json.size());
  std::memset(buffer_.get() + json.size(), 0, simdjson::SIMDJSON_PADDING);

  error_path_.clear();
  malformed_ = false;
  // The fast path may have filled cells before giving up.
  ResetCells();

  od::document doc;
  if (auto error = parser_.iterate(buffer_.get(), json.size(), buffer_capacity_).get(doc)) {
    Malformed(error);
    return RowError();
  }
  od::object object;
  if (auto error = doc.get_object().get(object)) {
    if (error == simdjson::INCORRECT_TYPE) return Status::Execution("record is not a JSON object");
    Malformed(error);
    return RowError();
  }
  size_t field_position = 0;
  size_t exact_matches = 0;
  bool stopped_early = false;
  for (auto field_result : object) {
    // Every needed column has its exact key: the rest of the record cannot change the row, so
    // skip it (most queries read a few of many fields). Stage 1 has already checked the whole
    // record's structure and UTF-8; only the content of the skipped values goes unchecked.
    if (exact_matches == cells_.size()) {
      stopped_early = true;
      break;
    }
    if (auto error = field_result.error()) {
      Malformed(error);
      return RowError();
    }
    // By reference: moving the field out of its result costs a store-forwarding stall per key.
    od::field& field = field_result.value_unsafe();
    // Keys are compared in their escaped form (a view into the input); only keys that contain
    // a backslash pay for unescaping. The input is padded and the key closed, so the scan stops.
    const char* key_start = field.key().raw();
    int column_idx;
    bool exact;
    size_t cached_size;
    if (!MatchesCachedKey(field_position, key_start, SIZE_MAX, column_idx, exact, cached_size)) {
      const char* key_end = key_start;
      bool escaped = false;
      while (*key_end != '"') escaped |= *key_end++ == '\\';
      std::string_view key(key_start, static_cast<size_t>(key_end - key_start));
      if (escaped) {
        // The quote found may itself be escaped; simdjson finds the real end.
        if (auto error = field.unescaped_key().get(key)) {
          Malformed(error);
          return RowError();
        }
      }
      LookUpKey(field_position, key, column_idx, exact);
    }
    ++field_position;
    if (column_idx < 0 || match_rank_[column_idx] > (exact ? 1 : 0)) continue;
    match_rank_[column_idx] = exact ? 2 : 1;
    exact_matches += exact ? 1 : 0;
    JsonDecoderCell& cell = cells_[column_idx];
    od::value& value = field.value();
    // The common case first: a plain integer for an int64 column. Anything else (null, another
    // type, out of range) goes the general way, which reports errors with their reasons; a
    // failed get_int64 leaves the value unread.
    if (int64_columns_[column_idx] && value.get_int64().get(cell.int_value) == simdjson::SUCCESS) {
      cell.is_null = false;
      continue;
    }
    if (varchar_columns_[column_idx] && PlainString(value, cell.string_value)) {
      cell.is_null = false;
      continue;
    }
    if (!DecodeCell(value, types_[column_idx], cell)) {
      error_path_.push_back(names_[column_idx]);
      return RowError();
    }
  }
  // Anything after the object (a second value, stray braces) makes the record malformed.
  if (!stopped_early && doc.current_location().error() != simdjson::OUT_OF_BOUNDS) {
    Malformed(simdjson::TRAILING_CONTENT);
    return RowError();
  }
  return Status::OK();
}

void JsonDecoderState::CommitRow(RecordBatch& out) {
  // Column by physical kind, so each loop appends one way (no switch per cell).
  const JsonDecoderCell* const cells = cells_.data();
  for (int column_idx : int64_physical_columns_) {
    const JsonDecoderCell& cell = cells[column_idx];
    Column& column = out.column(column_idx);
    if (cell.is_null) {
      column.AppendNull();
    } else {
      column.AppendInt64(cell.int_value);
    }
  }
  if (!string_columns_.empty()) {
    // Usually the arena added last to this batch is the decoder's: one comparison per row.
    const auto& held = out.column(string_columns_[0]).arenas();
    if (held.empty() || held.back() != arena_) EnsureArena(out);
    for (int column_idx : string_columns_) {
      const JsonDecoderCell& cell = cells[column_idx];
      Column& column = out.column(column_idx);
      if (cell.is_null) {
        column.AppendNull();
      } else {
        column.AppendStringView(arena_->Add(cell.string_value));
      }
    }
  }
  for (int column_idx : other_columns_) {
    JsonDecoderCell& cell = cells_[column_idx];
    Column& column = out.column(column_idx);
    if (cell.is_null) {
      column.AppendNull();
      continue;
    }
    switch (physical_[column_idx]) {
      case PhysicalKind::kNull: column.AppendNull(); break;
      case PhysicalKind::kDouble: column.AppendDouble(cell.double_value); break;
      case PhysicalKind::kNested: column.AppendNested(std::move(cell.nested)); break;
      case PhysicalKind::kInt64:
      case PhysicalKind::kString: break;  // appended above
    }
  }
}

JsonRecordDecoder::JsonRecordDecoder(const Schema& schema, std::vector<int> needed_columns) {
  for (int column_idx : needed_columns) output_schema_.Add(schema.field(column_idx));
  state_ = std::make_unique<JsonDecoderState>(output_schema_);
}

JsonRecordDecoder::~JsonRecordDecoder() = default;

Status JsonRecordDecoder::DecodeRow(std::string_view json, RecordBatch& out) {
  return state_->DecodeRow(json, out);
}

}  // namespace sluice
