#pragma once
// DESCRIBE QUERY rows for what a query's bounded-memory state did (StateCounters), summed over
// its workers. Only the non-zero ones are shown, so a query without a cache, TTL or spill shows
// none of them.

#include <string>
#include <utility>
#include <vector>

#include "runtime/operator/state_counters.h"

namespace sluice {

// "groups evicted", "groups read back", "group cache bytes" (GROUP BY with
// 'state.cache.max.bytes'), "groups expired" ('state.ttl.millis'), "join rows spilled",
// "join bytes spilled" and "join chunks read back" (an interval join past its memory budget).
std::vector<std::pair<std::string, std::string>> DescribeStateCounters(
    const StateCounters& counters);

}  // namespace sluice
