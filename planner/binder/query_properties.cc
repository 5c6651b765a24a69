#include "planner/binder/query_properties.h"

#include <charconv>

namespace sluice {
namespace {

constexpr int64_t kMinCheckpointIntervalMs = 10;
constexpr int64_t kMaxCheckpointIntervalMs = 3600000;  // an hour
// A few groups at least; past a terabyte is a typo.
constexpr int64_t kMinStateCacheBytes = 1024;
constexpr int64_t kMaxStateCacheBytes = int64_t{1} << 40;
constexpr int64_t kMaxStateTtlMs = int64_t{100} * 365 * 24 * 3600 * 1000;  // a century

// Parses the property's value as a whole number in [min, max]; `what` names the unit in the error.
Result<int64_t> WholeNumberProperty(const Property& property, int64_t min, int64_t max,
                                    const std::string& what) {
  int64_t number = 0;
  const char* end = property.value.data() + property.value.size();
  auto [parsed_end, error] = std::from_chars(property.value.data(), end, number);
  if (error != std::errc() || parsed_end != end || number < min || number > max) {
    return Status::Binder("'" + property.key + "' must be a whole number of " + what + " from " +
                              std::to_string(min) + " to " + std::to_string(max) + ", got '" +
                              property.value + "'",
                          property.value_position);
  }
  return number;
}

}  // namespace

Result<QueryProperties> TakeQueryProperties(PropertyList& properties) {
  QueryProperties result;
  for (auto it = properties.begin(); it != properties.end();) {
    if (it->key == "parallelism") {
      ASSIGN_OR_RETURN(int64_t parallelism,
                       WholeNumberProperty(*it, 1, kMaxParallelism, "worker processes"));
      result.parallelism = static_cast<int32_t>(parallelism);
      result.parallelism_position = it->value_position;
    } else if (it->key == "checkpoint.interval.millis") {
      ASSIGN_OR_RETURN(result.checkpoint_interval_ms,
                       WholeNumberProperty(*it, kMinCheckpointIntervalMs, kMaxCheckpointIntervalMs,
                                           "milliseconds"));
    } else if (it->key == "state.cache.max.bytes") {
      ASSIGN_OR_RETURN(result.state_cache_max_bytes,
                       WholeNumberProperty(*it, kMinStateCacheBytes, kMaxStateCacheBytes, "bytes"));
    } else if (it->key == "state.ttl.millis") {
      ASSIGN_OR_RETURN(result.state_ttl_ms,
                       WholeNumberProperty(*it, 1, kMaxStateTtlMs, "milliseconds"));
    } else {
      ++it;
      continue;
    }
    it = properties.erase(it);
  }
  return result;
}

void ApplyQueryProperties(const QueryProperties& properties, PhysicalPlan& plan) {
  plan.checkpoint_interval_ms = properties.checkpoint_interval_ms;
  plan.state_cache_max_bytes = properties.state_cache_max_bytes;
  plan.state_ttl_ms = properties.state_ttl_ms;
}

}  // namespace sluice
