// The value coercions of JsonDecoderState: one JSON value into a cell of a SQL type.

#include <cstdint>

#include "common/json_codec.h"
#include "common/json_decoder_state.h"

namespace sluice {

namespace {

std::string_view TrimRight(std::string_view text) {
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\n' ||
                           text.back() == '\r')) {
    text.remove_suffix(1);
  }
  return text;
}

// JSON number grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
bool IsJsonNumber(std::string_view text) {
  size_t pos = 0;
  auto digits = [&] {
    size_t start = pos;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') ++pos;
    return pos - start;
  };
  if (pos < text.size() && text[pos] == '-') ++pos;
  size_t int_start = pos;
  size_t int_digits = digits();
  if (int_digits == 0 || (int_digits > 1 && text[int_start] == '0')) return false;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    if (digits() == 0) return false;
  }
  if (pos < text.size() && (text[pos] == 'e' || text[pos] == 'E')) {
    ++pos;
    if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) ++pos;
    if (digits() == 0) return false;
  }
  return pos == text.size();
}

Value CellToValue(JsonDecoderCell& cell, const DataType& type) {
  if (cell.is_null) return Value::Null(type);
  switch (type.physical()) {
    case PhysicalKind::kNull: return Value::Null(type);
    case PhysicalKind::kInt64: return Value::FromInt64(type, cell.int_value);
    case PhysicalKind::kDouble: return Value::Double(cell.double_value);
    case PhysicalKind::kString:
      return type.id() == TypeId::kBytes ? Value::Bytes(std::string(cell.string_value))
                                         : Value::Varchar(std::string(cell.string_value));
    case PhysicalKind::kNested: return std::move(cell.nested);
  }
  return Value::Null(type);
}

}  // namespace

bool JsonDecoderState::Malformed(simdjson::error_code error) {
  malformed_ = true;
  error_what_ = simdjson::error_message(error);
  return false;
}

bool JsonDecoderState::Mismatch(od::value& value, const DataType& type) {
  od::json_type json_type;
  if (value.type().get(json_type) != simdjson::SUCCESS) return Malformed(simdjson::TAPE_ERROR);
  std::string_view token = TrimRight(value.raw_json_token());
  std::string got;
  switch (json_type) {
    case od::json_type::object: got = "object"; break;
    case od::json_type::array: got = "array"; break;
    case od::json_type::string: got = "string "; break;
    case od::json_type::number: got = "number "; break;
    case od::json_type::boolean: got = "boolean "; break;
    case od::json_type::null: got = "null"; break;
  }
  bool valid_token = json_type == od::json_type::string ||
                     (json_type == od::json_type::number && IsJsonNumber(token)) ||
                     (json_type == od::json_type::boolean && (token == "true" || token == "false"));
  if (json_type != od::json_type::object && json_type != od::json_type::array) {
    if (!valid_token) {
      malformed_ = true;
      error_what_ = "invalid literal " + std::string(token.substr(0, 40));
      return false;
    }
    got += token.size() > 60 ? std::string(token.substr(0, 60)) + "..." : std::string(token);
  }
  error_what_ = "expected " + type.ToString() + ", got " + got;
  return false;
}

bool JsonDecoderState::IntegerError(od::value& value, const DataType& type) {
  // simdjson reports integers beyond 64 bits as a type error; the text tells them apart.
  std::string_view token = TrimRight(value.raw_json_token());
  bool is_integer = IsJsonNumber(token) && token.find_first_of(".eE") == std::string_view::npos;
  return is_integer ? OutOfRange(value, type) : Mismatch(value, type);
}

bool JsonDecoderState::OutOfRange(od::value& value, const DataType& type) {
  error_what_ = "value " + std::string(TrimRight(value.raw_json_token()).substr(0, 60)) +
                " out of range for " + type.ToString();
  return false;
}

bool JsonDecoderState::DecodeCell(od::value& value, const DataType& type, JsonDecoderCell& cell) {
  od::json_type json_type;
  if (auto error = value.type().get(json_type)) return Malformed(error);
  if (json_type == od::json_type::null) {
    bool is_null = false;
    if (value.is_null().get(is_null) != simdjson::SUCCESS || !is_null) return Mismatch(value, type);
    cell.is_null = true;
    return true;
  }
  cell.is_null = false;
  switch (type.id()) {
    case TypeId::kNull: cell.is_null = true; return true;
    case TypeId::kBoolean: {
      if (json_type != od::json_type::boolean) return Mismatch(value, type);
      bool v;
      if (value.get_bool().get(v) != simdjson::SUCCESS) return Mismatch(value, type);
      cell.int_value = v ? 1 : 0;
      return true;
    }
    case TypeId::kInteger:
    case TypeId::kBigint: {
      if (json_type != od::json_type::number) return Mismatch(value, type);
      auto error = value.get_int64().get(cell.int_value);
      if (error != simdjson::SUCCESS) return IntegerError(value, type);
      if (type.id() == TypeId::kInteger &&
          (cell.int_value < INT32_MIN || cell.int_value > INT32_MAX)) {
        return OutOfRange(value, type);
      }
      return true;
    }
    case TypeId::kDouble:
      if (json_type != od::json_type::number) return Mismatch(value, type);
      if (value.get_double().get(cell.double_value) != simdjson::SUCCESS) {
        return Mismatch(value, type);
      }
      return true;
    case TypeId::kDecimal: {
      std::string_view text;
      if (json_type == od::json_type::number) {
        text = TrimRight(value.raw_json_token());
        if (!IsJsonNumber(text)) return Mismatch(value, type);
      } else if (json_type != od::json_type::string || value.get_string().get(text)) {
        return Mismatch(value, type);
      }
      Result<int64_t> unscaled = ParseDecimal(text, type.precision(), type.scale());
      if (!unscaled.ok()) {
        error_what_ = unscaled.status().message();
        return false;
      }
      cell.int_value = *unscaled;
      return true;
    }
    case TypeId::kVarchar:
      switch (json_type) {
        case od::json_type::string:
          if (auto error = value.get_string().get(cell.string_value)) return Malformed(error);
          return true;
        case od::json_type::number:
        case od::json_type::boolean:
          // Numbers and booleans keep their JSON text.
          cell.string_value = TrimRight(value.raw_json_token());
          if (json_type == od::json_type::number ? !IsJsonNumber(cell.string_value)
                                                 : value.get_bool().error() != simdjson::SUCCESS) {
            return Mismatch(value, type);
          }
          return true;
        case od::json_type::object: {
          od::object object;
          if (auto error = value.get_object().get(object)) return Malformed(error);
          if (auto error = object.raw_json().get(cell.string_value)) return Malformed(error);
          cell.string_value = TrimRight(cell.string_value);
          return true;
        }
        case od::json_type::array: {
          od::array array;
          if (auto error = value.get_array().get(array)) return Malformed(error);
          if (auto error = array.raw_json().get(cell.string_value)) return Malformed(error);
          cell.string_value = TrimRight(cell.string_value);
          return true;
        }
        case od::json_type::null: break;
      }
      return Mismatch(value, type);
    case TypeId::kTimestamp:
    case TypeId::kDate: {
      if (json_type == od::json_type::number) {
        // Integers are epoch milliseconds (TIMESTAMP) or days (DATE).
        auto error = value.get_int64().get(cell.int_value);
        if (error != simdjson::SUCCESS) return IntegerError(value, type);
        if (type.id() == TypeId::kDate &&
            (cell.int_value < INT32_MIN || cell.int_value > INT32_MAX)) {
          return OutOfRange(value, type);
        }
        return true;
      }
      std::string_view text;
      if (json_type != od::json_type::string || value.get_string().get(text)) {
        return Mismatch(value, type);
      }
      if (type.id() == TypeId::kDate) {
        Result<int32_t> days = ParseDate(text);
        if (!days.ok()) {
          error_what_ = days.status().message();
          return false;
        }
        cell.int_value = *days;
      } else {
        Result<int64_t> millis = ParseTimestamp(text);
        if (!millis.ok()) {
          error_what_ = millis.status().message();
          return false;
        }
        cell.int_value = *millis;
      }
      return true;
    }
    case TypeId::kBytes: {
      std::string_view text;
      if (json_type != od::json_type::string || value.get_string().get(text)) {
        return Mismatch(value, type);
      }
      if (!DecodeBase64(text, cell.scratch)) {
        error_what_ = "invalid base64 for BYTES: \"" + std::string(text.substr(0, 60)) + "\"";
        return false;
      }
      cell.string_value = cell.scratch;
      return true;
    }
    case TypeId::kStruct:
    case TypeId::kArray:
    case TypeId::kMap: return DecodeNested(value, type, json_type, cell.nested);
  }
  return Mismatch(value, type);
}

bool JsonDecoderState::DecodeNested(od::value& value, const DataType& type, od::json_type json_type,
                                    Value& out) {
  if (type.id() == TypeId::kArray) {
    od::array array;
    if (json_type != od::json_type::array) return Mismatch(value, type);
    if (auto error = value.get_array().get(array)) return Malformed(error);
    return DecodeArray(array, type, out);
  }
  od::object object;
  if (json_type != od::json_type::object) return Mismatch(value, type);
  if (auto error = value.get_object().get(object)) return Malformed(error);
  return type.id() == TypeId::kStruct ? DecodeStruct(object, type, out)
                                      : DecodeMap(object, type, out);
}

bool JsonDecoderState::DecodeStruct(od::object& object, const DataType& type, Value& out) {
  const std::vector<DataType>& field_types = type.children();
  std::vector<Value> fields;
  fields.reserve(field_types.size());
  for (const DataType& field_type : field_types) fields.push_back(Value::Null(field_type));
  std::vector<uint8_t> rank(field_types.size(), 0);
  for (auto field_result : object) {
    od::field field;
    if (auto error = std::move(field_result).get(field)) return Malformed(error);
    std::string_view key;
    if (auto error = field.unescaped_key().get(key)) return Malformed(error);
    bool exact = false;
    int field_idx = MatchName(type.field_names(), key, exact);
    if (field_idx < 0 || rank[field_idx] > (exact ? 1 : 0)) continue;
    rank[field_idx] = exact ? 2 : 1;
    JsonDecoderCell cell;
    if (!DecodeCell(field.value(), field_types[field_idx], cell)) {
      error_path_.push_back("." + type.field_names()[field_idx]);
      return false;
    }
    fields[field_idx] = CellToValue(cell, field_types[field_idx]);
  }
  out = Value::Struct(type, std::move(fields));
  return true;
}

bool JsonDecoderState::DecodeArray(od::array& array, const DataType& type, Value& out) {
  const DataType& element_type = type.children()[0];
  std::vector<Value> elements;
  for (auto element_result : array) {
    od::value element;
    if (auto error = element_result.get(element)) return Malformed(error);
    JsonDecoderCell cell;
    if (!DecodeCell(element, element_type, cell)) {
      error_path_.push_back("[" + std::to_string(elements.size()) + "]");
      return false;
    }
    elements.push_back(CellToValue(cell, element_type));
  }
  out = Value::Array(type, std::move(elements));
  return true;
}

bool JsonDecoderState::DecodeMap(od::object& object, const DataType& type, Value& out) {
  const DataType& value_type = type.children()[0];
  std::vector<std::string> keys;
  std::vector<Value> values;
  for (auto field_result : object) {
    od::field field;
    if (auto error = std::move(field_result).get(field)) return Malformed(error);
    std::string_view key;
    if (auto error = field.unescaped_key().get(key)) return Malformed(error);
    keys.emplace_back(key);
    JsonDecoderCell cell;
    if (!DecodeCell(field.value(), value_type, cell)) {
      error_path_.push_back("." + keys.back());
      return false;
    }
    values.push_back(CellToValue(cell, value_type));
  }
  out = Value::Map(type, std::move(keys), std::move(values));
  return true;
}

}  // namespace sluice
