#include "planner/binder/relation_schema.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <vector>

#include "catalog/name_suggestion.h"
#include "common/ascii.h"
#include "runtime/connector/datagen/datagen_options.h"
#include "runtime/plan/physical_plan.h"

namespace sluice {

namespace {

const std::vector<std::string>& RelationPropertyKeys() {
  static const std::vector<std::string> kKeys = {"topic",
                                                 "value.format",
                                                 "timestamp",
                                                 "partitions",
                                                 "replicas",
                                                 "store",
                                                 "key.columns",
                                                 "key.format",
                                                 "starting.position",
                                                 "ending.position",
                                                 "source.deserialization.error.handling",
                                                 "source.deserialization.error.topic",
                                                 "source.allow.latency.millis",
                                                 "source.idle.timeout.millis"};
  return kKeys;
}

const std::vector<std::string>& SourcePropertyKeys() {
  static const std::vector<std::string> kKeys = {"starting.position",
                                                 "ending.position",
                                                 "source.deserialization.error.handling",
                                                 "source.deserialization.error.topic",
                                                 "source.allow.latency.millis",
                                                 "source.idle.timeout.millis"};
  return kKeys;
}

Status UnknownProperty(const Property& property, const std::vector<std::string>& known) {
  std::string message = "unknown property '" + property.key + "'";
  if (auto hint = ClosestName(property.key, known)) {
    message += " (did you mean '" + *hint + "'?)";
  } else {
    message += "; known properties:";
    for (size_t i = 0; i < known.size(); ++i) message += (i ? ", '" : " '") + known[i] + "'";
  }
  return Status::Binder(message, property.key_position);
}

Status CheckSourceProperty(const Property& property) {
  if (property.key == "starting.position") {
    SourceSpec probe;
    RETURN_NOT_OK(
        ParseStartingPosition(property.value, probe).WithPosition(property.value_position));
  } else if (property.key == "ending.position") {
    SourceSpec probe;
    RETURN_NOT_OK(ParseEndingPosition(property.value, probe).WithPosition(property.value_position));
  } else if (property.key == "source.deserialization.error.handling") {
    Result<ErrorHandling> handling = ParseErrorHandling(property.value);
    if (!handling.ok()) return handling.status().WithPosition(property.value_position);
  }
  return Status::OK();
}

}  // namespace

Schema RelationColumns(const RelationInfo& relation) { return Schema(relation.columns); }

std::string RelationTopic(const RelationInfo& relation) {
  auto it = relation.properties.find("topic");
  return it == relation.properties.end() ? relation.name : it->second;
}

int32_t RelationPartitions(const RelationInfo& relation) {
  auto it = relation.properties.find("partitions");
  if (it == relation.properties.end()) return 1;
  int32_t partitions = 1;
  std::from_chars(it->second.data(), it->second.data() + it->second.size(), partitions);
  return partitions;
}

Result<int> TimestampColumn(const RelationInfo& relation, const Schema& schema) {
  auto it = relation.properties.find("timestamp");
  if (it == relation.properties.end()) return -1;
  int index = schema.IndexOf(it->second);
  if (index < 0) {
    return Status::Binder("relation \"" + relation.name + "\" names timestamp column \"" +
                          it->second + "\", which it does not have");
  }
  return index;
}

Result<std::vector<int>> RelationKeyColumns(const RelationInfo& relation, const Schema& schema) {
  std::vector<std::string> names;
  auto it = relation.properties.find("key.columns");
  if (it != relation.properties.end()) {
    size_t start = 0;
    while (true) {
      size_t comma = it->second.find(',', start);
      std::string name = it->second.substr(start, comma - start);
      while (!name.empty() && name.front() == ' ') name.erase(name.begin());
      while (!name.empty() && name.back() == ' ') name.pop_back();
      names.push_back(name);
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  } else {
    names = relation.primary_key;
  }
  std::vector<int> columns;
  for (const std::string& name : names) {
    int index = schema.IndexOf(name);
    if (index < 0) {
      return Status::Binder("key column \"" + name + "\" of \"" + relation.name +
                            "\" is not a column");
    }
    columns.push_back(index);
  }
  return columns;
}

Result<std::map<std::string, std::string>> BindRelationProperties(const PropertyList& properties,
                                                                  const std::string& default_topic,
                                                                  const Schema& columns) {
  std::map<std::string, std::string> result = {
      {"topic", default_topic}, {"value.format", "json"}, {"partitions", "1"}, {"store", "local"}};
  for (const Property& property : properties) {
    const auto& known = RelationPropertyKeys();
    if (std::find(known.begin(), known.end(), property.key) == known.end()) {
      // The datagen store's own properties are checked against its generator at CREATE time.
      if (IsDatagenPropertyKey(property.key)) {
        result[property.key] = property.value;
        continue;
      }
      return UnknownProperty(property, known);
    }
    if (property.key == "value.format") {
      if (property.value != "json" && property.value != "JSON") {
        return Status::Binder(
            "unsupported 'value.format' '" + property.value + "'; supported: 'json'",
            property.value_position);
      }
      result[property.key] = "json";
      continue;
    }
    if (property.key == "partitions" || property.key == "replicas") {
      const int64_t max = property.key == "partitions" ? 1024 : 16;
      int64_t count = 0;
      auto [end, error] = std::from_chars(property.value.data(),
                                          property.value.data() + property.value.size(), count);
      if (error != std::errc() || end != property.value.data() + property.value.size() ||
          count < 1 || count > max) {
        return Status::Binder(
            "'" + property.key + "' must be a whole number from 1 to " + std::to_string(max),
            property.value_position);
      }
    } else if (property.key == "timestamp") {
      int index = columns.IndexOf(property.value);
      if (index < 0) {
        std::vector<std::string> names;
        for (const auto& field : columns.fields()) names.push_back(field.name);
        std::string message = "timestamp column \"" + property.value + "\" is not a column";
        if (auto hint = ClosestName(property.value, names)) {
          message += " (did you mean \"" + *hint + "\"?)";
        }
        return Status::Binder(message, property.value_position);
      }
      TypeId type = columns.field(static_cast<size_t>(index)).type.id();
      if (type != TypeId::kBigint && type != TypeId::kTimestamp) {
        return Status::Binder("timestamp column \"" + property.value +
                                  "\" must be BIGINT (epoch milliseconds) or TIMESTAMP, not " +
                                  columns.field(static_cast<size_t>(index)).type.ToString(),
                              property.value_position);
      }
    } else if (property.key == "key.format") {
      std::string format = AsciiLower(property.value);
      if (format != "primitive" && format != "json") {
        return Status::Binder(
            "'key.format' must be 'primitive' (one key column, as text) or "
            "'json' (an object of the key columns), got '" +
                property.value + "'",
            property.value_position);
      }
      result[property.key] = format;
      continue;
    } else if (property.key == "key.columns") {
      size_t start = 0;
      while (start <= property.value.size()) {
        size_t comma = property.value.find(',', start);
        std::string name = property.value.substr(start, comma - start);
        while (!name.empty() && name.front() == ' ') name.erase(name.begin());
        while (!name.empty() && name.back() == ' ') name.pop_back();
        if (columns.IndexOf(name) < 0) {
          return Status::Binder("key column \"" + name + "\" is not a column",
                                property.value_position);
        }
        if (comma == std::string::npos) break;
        start = comma + 1;
      }
    } else {
      RETURN_NOT_OK(CheckSourceProperty(property));
    }
    result[property.key] = property.value;
  }
  for (const Property& property : properties) {
    // The local and Kafka stores bound a read; a datagen stream ends by its 'events' (other
    // datagen stores are refused where a query reads them, bind_select.cc).
    if (property.key != "ending.position" || result["store"] != "datagen" ||
        AsciiLower(property.value) != "latest") {
      continue;
    }
    RETURN_NOT_OK(RefuseEndingPosition(result["store"], property.key_position));
  }
  auto key_format = result.find("key.format");
  if (key_format != result.end()) {
    const Property* given = nullptr;
    for (const Property& property : properties) {
      if (property.key == "key.format") given = &property;
    }
    if (result["store"] == "local" || result["store"] == "datagen") {
      return Status::Binder("'key.format' applies to relations on a Kafka store; the " +
                                result["store"] + " store keys records by 'key.columns' itself",
                            given->key_position);
    }
    auto key_columns = result.find("key.columns");
    if (key_format->second == "primitive" && key_columns != result.end() &&
        key_columns->second.find(',') != std::string::npos) {
      return Status::Binder(
          "'key.format'='primitive' takes one key column; 'key.columns' names "
          "several (use 'json')",
          given->value_position);
    }
  }
  return result;
}

Status RefuseEndingPosition(const std::string& store, int64_t position) {
  return Status::Binder(
      "'ending.position' bounds a read of the local log or a Kafka topic; " +
          (store == "datagen" ? std::string("a datagen stream is bounded by its 'events'")
                              : "store '" + store + "' does not support it yet"),
      position);
}

Result<std::map<std::string, std::string>> BindSourceProperties(const PropertyList& properties) {
  std::map<std::string, std::string> result;
  for (const Property& property : properties) {
    const auto& known = SourcePropertyKeys();
    if (std::find(known.begin(), known.end(), property.key) == known.end()) {
      return UnknownProperty(property, known);
    }
    RETURN_NOT_OK(CheckSourceProperty(property));
    result[property.key] = property.value;
  }
  return result;
}

Result<int64_t> MillisProperty(const std::map<std::string, std::string>& properties,
                               const std::string& key) {
  auto it = properties.find(key);
  if (it == properties.end()) return int64_t{0};
  int64_t value = -1;
  const std::string& text = it->second;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value < 0) {
    return Status::Binder("'" + key + "' must be a non-negative number of milliseconds, got '" +
                          text + "'");
  }
  return value;
}

}  // namespace sluice
