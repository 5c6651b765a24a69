#include "catalog/object_codec.h"

#include <simdjson.h>

#include "common/json_writer.h"

namespace sluice {

namespace {

Status Damaged(std::string_view what, std::string_view detail) {
  return Status::Catalog("the catalog holds a damaged " + std::string(what) + " (" +
                         std::string(detail) + ")");
}

// Parses `json` into `root`; the parser must outlive every element taken from it.
Status ParseJson(simdjson::dom::parser& parser, std::string_view json, std::string_view what,
                 simdjson::dom::element* root) {
  simdjson::error_code error = parser.parse(json.data(), json.size()).get(*root);
  if (error) return Damaged(what, simdjson::error_message(error));
  return Status::OK();
}

Result<std::string> StringField(simdjson::dom::object object, std::string_view key,
                                std::string_view what) {
  std::string_view value;
  if (object[key].get_string().get(value))
    return Damaged(what, "missing \"" + std::string(key) + "\"");
  return std::string(value);
}

}  // namespace

std::string EncodeColumns(const std::vector<Field>& columns) {
  JsonWriter writer;
  writer.BeginArray();
  for (const Field& column : columns) {
    writer.BeginObject().Key("name").String(column.name);
    writer.Key("type").String(column.type.ToString()).EndObject();
  }
  writer.EndArray();
  return writer.Take();
}

Result<std::vector<Field>> DecodeColumns(std::string_view json) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  RETURN_NOT_OK(ParseJson(parser, json, "column list", &root));
  simdjson::dom::array array;
  if (root.get_array().get(array)) return Damaged("column list", "not an array");
  std::vector<Field> columns;
  for (simdjson::dom::element item : array) {
    simdjson::dom::object object;
    if (item.get_object().get(object)) return Damaged("column list", "entry is not an object");
    Field column;
    ASSIGN_OR_RETURN(column.name, StringField(object, "name", "column list"));
    ASSIGN_OR_RETURN(std::string type, StringField(object, "type", "column list"));
    Result<DataType> parsed = ParseTypeString(type);
    if (!parsed.ok()) {
      return Damaged("column list", "column \"" + column.name + "\": " + parsed.status().message());
    }
    column.type = std::move(parsed).value();
    columns.push_back(std::move(column));
  }
  return columns;
}

std::string EncodeStrings(const std::vector<std::string>& strings) {
  JsonWriter writer;
  writer.BeginArray();
  for (const std::string& value : strings) writer.String(value);
  writer.EndArray();
  return writer.Take();
}

Result<std::vector<std::string>> DecodeStrings(std::string_view json) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  RETURN_NOT_OK(ParseJson(parser, json, "name list", &root));
  simdjson::dom::array array;
  if (root.get_array().get(array)) return Damaged("name list", "not an array");
  std::vector<std::string> strings;
  for (simdjson::dom::element item : array) {
    std::string_view value;
    if (item.get_string().get(value)) return Damaged("name list", "entry is not a string");
    strings.emplace_back(value);
  }
  return strings;
}

std::string EncodeProperties(const PropertyMap& properties) {
  JsonWriter writer;
  writer.BeginObject();
  for (const auto& [key, value] : properties) writer.Key(key).String(value);
  writer.EndObject();
  return writer.Take();
}

Result<PropertyMap> DecodeProperties(std::string_view json) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  RETURN_NOT_OK(ParseJson(parser, json, "property map", &root));
  simdjson::dom::object object;
  if (root.get_object().get(object)) return Damaged("property map", "not an object");
  PropertyMap properties;
  for (simdjson::dom::key_value_pair field : object) {
    std::string_view value;
    if (field.value.get_string().get(value)) {
      return Damaged("property map", "value of \"" + std::string(field.key) + "\" is not a string");
    }
    properties.emplace(std::string(field.key), std::string(value));
  }
  return properties;
}

}  // namespace sluice
