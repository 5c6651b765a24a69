// See fixed_ends.h.

#include "runtime/connector/fixed_ends.h"

#include <string>

namespace sluice {

Result<std::vector<int64_t>> FixedEnds(const SourceSpec& spec,
                                       const std::vector<int64_t>& ends_now) {
  if (spec.end_offsets.empty()) return ends_now;
  if (spec.end_offsets.size() != ends_now.size()) {
    return Status::Connector("the fixed end ('ending.position'='latest') of " + spec.relation +
                             " covers " + std::to_string(spec.end_offsets.size()) +
                             " partitions of topic '" + spec.topic + "', which has " +
                             std::to_string(ends_now.size()));
  }
  return spec.end_offsets;
}

}  // namespace sluice
