#pragma once
// 'ending.position'='latest' in the engine: a persistent query's fixed end is the log's end when
// the query is created, so it is pinned into the plan the catalog keeps (a restart, or a crash
// recovery from a checkpoint, stops at the same place), and FLUSH waits for a bounded query only
// up to that end, not for records appended after it.

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "common/status.h"
#include "runtime/plan/physical_plan.h"
#include "storage/log/local_log_store.h"

namespace sluice {

// The end offsets of a Kafka source's topic now (asked of its store's brokers).
using KafkaEndsFn = std::function<Result<std::vector<int64_t>>(const SourceSpec& source)>;

// Sets end_offsets of the plan's bounded sources (the main and the join source) to the ends of
// their topics now: the local log's, or a Kafka topic's through `kafka_ends`.
Status PinEndPositions(PhysicalPlan& plan, LocalLogStore& log, const KafkaEndsFn& kafka_ends);

// Lowers `targets` (topic -> position per partition) of the query whose plan is `plan_json` to
// the fixed ends of its bounded sources.
void CapAtFixedEnds(const std::string& plan_json,
                    std::map<std::string, std::vector<int64_t>>& targets);

}  // namespace sluice
