#pragma once
// 'parallelism'=N of a persistent query (CREATE ... WITH (...) AS SELECT, INSERT INTO ... WITH
// (...) SELECT): N worker processes, worker k reading the Kafka source partitions p with
// p % N == k (assigned explicitly, no group rebalancing, so each worker's checkpointed offsets
// stay its own). A GROUP BY runs in two stages of N workers, repartitioned by group key through
// a local topic (runtime/plan/repartition_plan.h). Only plans where the split is correct are
// accepted.

#include <string>

#include "common/status.h"
#include "planner/binder/query_properties.h"
#include "runtime/plan/physical_plan.h"
#include "storage/log/local_log_store.h"

namespace sluice {

// Sets plan.parallelism, or refuses with the reason when N > 1 cannot be correct yet: a source
// that is neither on a Kafka store nor on the local store, a join, a GROUP
// BY over a changelog (its retractions would have to follow a row to its previous group's worker),
// a materialized view (one store), or more workers than the topic has partitions.
Status ApplyParallelism(const QueryProperties& properties, PhysicalPlan& plan);

// REQUIRES: plan.query_id set. For a GROUP BY with parallelism N > 1: names the plan's
// repartition topic and creates it in the local log with N * N partitions (one writer each).
Status CreateRepartitionTopic(PhysicalPlan& plan, LocalLogStore& log);

// The repartition topic of a stored plan, or "" when it has none.
std::string PlanRepartitionTopic(const std::string& plan_json);

}  // namespace sluice
