#include "runtime/connector/tombstone_key.h"

namespace sluice {

Result<std::unique_ptr<TombstoneKeyDecoder>> TombstoneKeyDecoder::FromSpec(const SourceSpec& spec) {
  auto property = spec.properties.find("source.tombstone.key");
  if (property == spec.properties.end() || property->second.empty()) {
    return std::unique_ptr<TombstoneKeyDecoder>();
  }
  auto decoder = std::make_unique<TombstoneKeyDecoder>();
  std::string_view names = property->second;
  while (!names.empty()) {
    size_t comma = names.find(',');
    std::string_view name = names.substr(0, comma);
    int index = spec.relation_schema.IndexOf(name);
    if (index < 0) {
      return Status::Internal("tombstone key column \"" + std::string(name) + "\" of " +
                              spec.relation + " is not a column");
    }
    decoder->key_fields_.push_back(spec.relation_schema.field(static_cast<size_t>(index)));
    names = comma == std::string_view::npos ? std::string_view() : names.substr(comma + 1);
  }
  return decoder;
}

Status TombstoneKeyDecoder::DecodeRow(std::string_view record_key, JsonRecordDecoder& decoder,
                                      RecordBatch& batch) {
  json_.clear();
  if (key_fields_.size() != 1) {
    // Several key columns are written as {"0":v0,"1":v1,...} by position: name the fields. A
    // marker such as ,"1": cannot occur inside a JSON string (its quotes are escaped there).
    size_t at = 0;
    json_ += '{';
    for (size_t key_idx = 0; key_idx < key_fields_.size(); ++key_idx) {
      const std::string marker = (key_idx == 0 ? "{\"" : ",\"") + std::to_string(key_idx) + "\":";
      size_t found = record_key.find(marker, at);
      if (found == std::string_view::npos) {
        return Status::Execution("tombstone key " + std::string(record_key) + " lacks field " +
                                 std::to_string(key_idx));
      }
      at = found + marker.size();
      const std::string next = key_idx + 1 < key_fields_.size()
                                   ? ",\"" + std::to_string(key_idx + 1) + "\":"
                                   : std::string();
      size_t end = next.empty() ? record_key.rfind('}') : record_key.find(next, at);
      if (end == std::string_view::npos || end < at) {
        return Status::Execution("malformed tombstone key " + std::string(record_key));
      }
      if (key_idx > 0) json_ += ',';
      AppendValueJson(Value::Varchar(key_fields_[key_idx].name), json_);
      json_ += ':';
      json_.append(record_key.substr(at, end - at));
      at = end;
    }
    json_ += '}';
    return decoder.DecodeRow(json_, batch);
  }
  // One key column is written as its bare text: make it the one field of an object.
  const Field& field = key_fields_[0];
  json_ += '{';
  AppendValueJson(Value::Varchar(field.name), json_);
  json_ += ':';
  if (field.type.physical() == PhysicalKind::kString) {
    AppendValueJson(Value::Varchar(std::string(record_key)), json_);
  } else {
    json_.append(record_key);
  }
  json_ += '}';
  return decoder.DecodeRow(json_, batch);
}

}  // namespace sluice
