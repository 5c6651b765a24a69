#include "storage/state/checkpoint_manifest_json.h"

#include <simdjson.h>

#include "common/json_writer.h"

namespace sluice {
namespace {

void WritePositions(JsonWriter& writer, const std::map<std::string, std::vector<int64_t>>& topics) {
  writer.BeginObject();
  for (const auto& [topic, offsets] : topics) {
    writer.Key(topic).BeginArray();
    for (int64_t offset : offsets) writer.Int(offset);
    writer.EndArray();
  }
  writer.EndObject();
}

Status Malformed(std::string_view what) {
  return Status::Storage("checkpoint manifest is malformed (" + std::string(what) +
                         "); the state store is damaged: drop and recreate the query");
}

Status ReadPositions(simdjson::dom::element element, std::string_view field,
                     std::map<std::string, std::vector<int64_t>>& out) {
  simdjson::dom::object topics;
  if (element.get(topics)) return Malformed(field);
  for (auto [topic, offsets_element] : topics) {
    simdjson::dom::array offsets;
    if (offsets_element.get(offsets)) return Malformed(field);
    std::vector<int64_t>& positions = out[std::string(topic)];
    for (simdjson::dom::element offset : offsets) {
      int64_t value = 0;
      // -1: a partition another worker of the query reads ('parallelism'), or an output
      // partition this worker never opened.
      if (offset.get(value) || value < -1) return Malformed(field);
      positions.push_back(value);
    }
  }
  return Status::OK();
}

}  // namespace

std::string CheckpointManifestToJson(const CheckpointManifest& manifest) {
  JsonWriter writer;
  writer.BeginObject();
  writer.Key("checkpoint_id").Int(manifest.checkpoint_id);
  writer.Key("created_at_ms").Int(manifest.created_at_ms);
  writer.Key("source_positions");
  WritePositions(writer, manifest.source_positions);
  writer.Key("sink_positions");
  WritePositions(writer, manifest.sink_positions);
  // Metadata values are JSON text chosen by their owners; stored as strings so a malformed value
  // can never break the manifest itself.
  writer.Key("metadata").BeginObject();
  for (const auto& [name, value] : manifest.metadata) writer.Key(name).String(value);
  writer.EndObject();
  writer.EndObject();
  return writer.Take();
}

Result<CheckpointManifest> CheckpointManifestFromJson(std::string_view json) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(json.data(), json.size()).get(root)) return Malformed("not JSON");
  CheckpointManifest manifest;
  if (root["checkpoint_id"].get(manifest.checkpoint_id)) return Malformed("checkpoint_id");
  if (root["created_at_ms"].get(manifest.created_at_ms)) return Malformed("created_at_ms");
  simdjson::dom::element element;
  if (root["source_positions"].get(element)) return Malformed("source_positions");
  RETURN_NOT_OK(ReadPositions(element, "source_positions", manifest.source_positions));
  if (root["sink_positions"].get(element)) return Malformed("sink_positions");
  RETURN_NOT_OK(ReadPositions(element, "sink_positions", manifest.sink_positions));
  simdjson::dom::object metadata;
  if (root["metadata"].get(metadata)) return Malformed("metadata");
  for (auto [name, value_element] : metadata) {
    std::string_view value;
    if (value_element.get(value)) return Malformed("metadata");
    manifest.metadata[std::string(name)] = std::string(value);
  }
  return manifest;
}

}  // namespace sluice
