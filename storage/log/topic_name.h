#pragma once
// Topic names of the local log follow Kafka's rule ([A-Za-z0-9._-], 1 to 249 characters, not "."
// or ".."), so a topic can move between the local store and Kafka unchanged. The rule also
// makes a name safe to use as a directory name.

#include <string_view>

#include "common/status.h"

namespace sluice {

inline constexpr size_t kMaxTopicNameLength = 249;

Status ValidateTopicName(std::string_view name);

}  // namespace sluice
