#pragma once
// A small streaming JSON writer for control-plane documents (plans, protocol messages, metrics).
// It handles commas and string escaping; callers keep begin/end calls balanced. Not for the record
// hot path (see common/json_codec.h).

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sluice {

class JsonWriter {
 public:
  JsonWriter& BeginObject();
  JsonWriter& EndObject();
  JsonWriter& BeginArray();
  JsonWriter& EndArray();
  // Inside an object: the next value's key.
  JsonWriter& Key(std::string_view key);
  JsonWriter& String(std::string_view value);
  JsonWriter& Int(int64_t value);
  JsonWriter& Double(double value);
  JsonWriter& Bool(bool value);
  JsonWriter& Null();
  // Inserts already-serialized JSON as one value.
  JsonWriter& Raw(std::string_view json);

  const std::string& str() const { return out_; }
  std::string Take() { return std::move(out_); }

 private:
  void BeforeValue();

  std::string out_;
  // One entry per open container: true once it holds a value (so the next one needs a comma).
  std::vector<bool> has_value_;
  bool after_key_ = false;
};

// Appends `value` as a quoted JSON string with escapes.
void AppendJsonString(std::string_view value, std::string& out);
// The same, written at `dest`, which must have room for MaxJsonStringSize(value.size()) bytes.
// Returns the end of what was written.
char* WriteJsonString(std::string_view value, char* dest);
constexpr size_t MaxJsonStringSize(size_t bytes) { return 2 + 6 * bytes; }

}  // namespace sluice
