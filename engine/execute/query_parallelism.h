#pragma once
// 'parallelism'=N of a persistent query (CREATE ... WITH (...) AS SELECT, INSERT INTO ... WITH
// (...) SELECT): N worker processes, worker k reading the Kafka source partitions p with
// p % N == k (assigned explicitly, no group rebalancing, so each worker's checkpointed offsets
// stay its own). Only plans where that split is correct are accepted.

#include "common/status.h"
#include "planner/binder/query_properties.h"
#include "runtime/plan/physical_plan.h"

namespace sluice {

// Sets plan.parallelism, or refuses with the reason when N > 1 cannot be correct yet: a source
// that is not on a Kafka store, a join, a GROUP BY (a key's rows would be spread over workers),
// a materialized view (one store), or more workers than the topic has partitions.
Status ApplyParallelism(const QueryProperties& properties, PhysicalPlan& plan);

}  // namespace sluice
