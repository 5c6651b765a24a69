#pragma once
// 'ending.position'='latest' (docs/sql.md): where a bounded source's read stops, shared by the
// local log and Kafka sources.

#include <cstdint>
#include <vector>

#include "common/status.h"
#include "runtime/plan/physical_plan.h"

namespace sluice {

// The fixed end of each partition of `spec`'s topic: the ends pinned into its plan, or, when
// none were pinned (an interactive query), `ends_now`. A CONNECTOR error when the pinned ends
// cover another number of partitions than the topic has now.
Result<std::vector<int64_t>> FixedEnds(const SourceSpec& spec,
                                       const std::vector<int64_t>& ends_now);

}  // namespace sluice
