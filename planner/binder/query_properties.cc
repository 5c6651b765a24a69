#include "planner/binder/query_properties.h"

#include <charconv>

namespace sluice {
namespace {

constexpr int64_t kMinCheckpointIntervalMs = 10;
constexpr int64_t kMaxCheckpointIntervalMs = 3600000;  // an hour

}  // namespace

Result<QueryProperties> TakeQueryProperties(PropertyList& properties) {
  QueryProperties result;
  for (auto it = properties.begin(); it != properties.end();) {
    if (it->key == "parallelism") {
      int64_t parallelism = 0;
      const char* end = it->value.data() + it->value.size();
      auto [parsed_end, error] = std::from_chars(it->value.data(), end, parallelism);
      if (error != std::errc() || parsed_end != end || parallelism < 1 ||
          parallelism > kMaxParallelism) {
        return Status::Binder(
            "'parallelism' must be a whole number of worker processes from 1 to " +
                std::to_string(kMaxParallelism) + ", got '" + it->value + "'",
            it->value_position);
      }
      result.parallelism = static_cast<int32_t>(parallelism);
      result.parallelism_position = it->value_position;
      it = properties.erase(it);
      continue;
    }
    if (it->key != "checkpoint.interval.millis") {
      ++it;
      continue;
    }
    int64_t millis = 0;
    const char* end = it->value.data() + it->value.size();
    auto [parsed_end, error] = std::from_chars(it->value.data(), end, millis);
    if (error != std::errc() || parsed_end != end || millis < kMinCheckpointIntervalMs ||
        millis > kMaxCheckpointIntervalMs) {
      return Status::Binder(
          "'checkpoint.interval.millis' must be a whole number of milliseconds "
          "from " +
              std::to_string(kMinCheckpointIntervalMs) + " to " +
              std::to_string(kMaxCheckpointIntervalMs) + ", got '" + it->value + "'",
          it->value_position);
    }
    result.checkpoint_interval_ms = millis;
    it = properties.erase(it);
  }
  return result;
}

}  // namespace sluice
