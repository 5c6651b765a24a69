#include "runtime/connector/tombstone_decoder.h"

#include <charconv>

namespace sluice {

TombstoneDecoder::TombstoneDecoder(const SourceSpec& spec) {
  Schema key_schema;
  std::vector<int> needed;
  for (size_t key_idx = 0; key_idx < spec.key_columns.size(); ++key_idx) {
    const int relation_column = spec.key_columns[key_idx];
    int batch_column = -1;
    for (size_t column_idx = 0; column_idx < spec.columns.size(); ++column_idx) {
      if (spec.columns[column_idx] == relation_column) batch_column = static_cast<int>(column_idx);
    }
    key_batch_columns_.push_back(batch_column);
    const DataType& type = spec.relation_schema.field(static_cast<size_t>(relation_column)).type;
    key_types_.push_back(type);
    key_schema.Add(Field{std::to_string(key_idx), type});
    needed.push_back(static_cast<int>(key_idx));
  }
  decoder_ = std::make_unique<JsonRecordDecoder>(key_schema, needed);
  scratch_ = RecordBatch(decoder_->output_schema());
}

TombstoneDecoder::~TombstoneDecoder() = default;

Status TombstoneDecoder::AppendDelete(std::string_view key, const RecordMeta& meta,
                                      RecordBatch& batch) {
  for (Column& column : scratch_.columns()) column.Clear();
  scratch_.meta().clear();
  scratch_.keys().clear();
  if (key_types_.size() == 1) {
    // One key column: the sink wrote its text. Strings go in as they are; other types are read
    // as a JSON number, or as a JSON string when they are not one (timestamps, dates).
    json_ = "{\"0\":";
    double number = 0;
    auto [end, error] = std::from_chars(key.data(), key.data() + key.size(), number);
    const bool numeric = error == std::errc() && end == key.data() + key.size() && !key.empty();
    if (key_types_[0].physical() == PhysicalKind::kString) {
      scratch_.column(0).AppendString(key);
    } else {
      if (numeric) {
        json_.append(key);
      } else {
        AppendValueJson(Value::Varchar(std::string(key)), json_);
      }
      json_ += "}";
      RETURN_NOT_OK(decoder_->DecodeRow(json_, scratch_));
    }
  } else {
    RETURN_NOT_OK(decoder_->DecodeRow(key, scratch_));
  }
  for (size_t column_idx = 0; column_idx < batch.num_columns(); ++column_idx) {
    int key_idx = -1;
    for (size_t candidate = 0; candidate < key_batch_columns_.size(); ++candidate) {
      if (key_batch_columns_[candidate] == static_cast<int>(column_idx)) {
        key_idx = static_cast<int>(candidate);
      }
    }
    if (key_idx < 0) {
      batch.column(column_idx).AppendNull();
    } else {
      batch.column(column_idx)
          .AppendValue(scratch_.column(static_cast<size_t>(key_idx)).GetValue(0));
    }
  }
  RecordMeta delete_meta = meta;
  delete_meta.kind = RowKind::kDelete;
  batch.meta().push_back(delete_meta);
  batch.keys().emplace_back();
  return Status::OK();
}

}  // namespace sluice
