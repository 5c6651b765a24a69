#pragma once
// 'parallelism'=N of a persistent query (CREATE ... WITH (...) AS SELECT, INSERT INTO ... WITH
// (...) SELECT): N worker processes, worker k reading the Kafka source partitions p with
// p % N == k (assigned explicitly, no group rebalancing, so each worker's checkpointed offsets
// stay its own). A GROUP BY runs in two stages of N workers, repartitioned by group key through
// a local topic; a join (interval, or stream-changelog temporal) likewise, each side by its
// equi-join keys through its own, and a GROUP BY over a join once more by group key, from the
// join's workers to a third group of N (runtime/plan/repartition_plan.h). Only plans where the
// split is correct are accepted.

#include <string>
#include <vector>

#include "common/status.h"
#include "planner/binder/query_properties.h"
#include "runtime/plan/physical_plan.h"
#include "storage/log/local_log_store.h"

namespace sluice {

// Sets plan.parallelism, or refuses with the reason when N > 1 cannot be correct yet: a source
// that is neither on a Kafka store nor on the local store, a join without an equality of both
// sides' columns, a materialized view (one store), or more workers than a topic has partitions.
// A GROUP BY over a changelog qualifies: its stage 1 follows each key to its group's worker
// (runtime/connector/changelog_routes.h); so does a GROUP BY over a join (a third stage).
Status ApplyParallelism(const QueryProperties& properties, PhysicalPlan& plan);

// REQUIRES: plan.query_id set. For a GROUP BY or a join with parallelism N > 1: names the
// plan's repartition topic and creates it (a join: one per side, and a GROUP BY over it one
// more) in the local log with N * N partitions (one writer each).
Status CreateRepartitionTopic(PhysicalPlan& plan, LocalLogStore& log);

// The repartition topics of a stored plan: none, one (GROUP BY) or two (a join's left, right).
std::vector<std::string> PlanRepartitionTopics(const std::string& plan_json);

}  // namespace sluice
