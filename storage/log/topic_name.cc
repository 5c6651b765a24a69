#include "storage/log/topic_name.h"

#include <fmt/format.h>

namespace sluice {
namespace {

bool IsTopicChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

}  // namespace

Status ValidateTopicName(std::string_view name) {
  if (name.empty()) return Status::Storage("topic name must not be empty");
  if (name.size() > kMaxTopicNameLength) {
    return Status::Storage(fmt::format("topic name is {} characters long; the limit is {}",
                                       name.size(), kMaxTopicNameLength));
  }
  if (name == "." || name == "..") {
    return Status::Storage(fmt::format("topic name \"{}\" is not allowed", name));
  }
  for (size_t char_idx = 0; char_idx < name.size(); ++char_idx) {
    if (!IsTopicChar(name[char_idx])) {
      return Status::Storage(fmt::format(
          "topic name \"{}\" contains an invalid character at position {}; use only letters, "
          "digits, '.', '_' and '-'",
          name, char_idx + 1));
    }
  }
  return Status::OK();
}

}  // namespace sluice
