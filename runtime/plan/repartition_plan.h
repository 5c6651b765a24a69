#pragma once
// A GROUP BY or a join with 'parallelism'=N > 1 runs in two stages (docs/kafka.md
// "Parallelism"). Stage 1 reads its share of the source partitions, runs the operators before
// the aggregate (a join: none) and writes each row to the query's local repartition topic by
// key; stage 2 worker k reads the rows of the keys it owns and runs the aggregate (the join)
// and what follows it. A join repartitions each side through its own topic, by its side of the
// equi-join keys, so equal keys of both sides meet in one stage-2 worker. The engine stores one
// plan; each worker cuts out its part here.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "runtime/plan/physical_plan.h"

namespace sluice {

// "_sluice_repartition_<query id>": a local topic with N * N partitions (RepartitionSink).
std::string RepartitionTopicName(int64_t query_id);
// A repartitioned join's right side: "<repartition topic>_right".
std::string RepartitionRightTopic(const std::string& repartition_topic);
// Every repartition topic of the plan: none, one (GROUP BY) or two (join: left, right).
std::vector<std::string> RepartitionTopics(const PhysicalPlan& plan);

// Index of the plan's aggregate among its operators, or -1.
int FindAggregate(const PhysicalPlan& plan);

// What one worker of a repartitioned plan runs, besides its rewritten plan.
struct RepartitionStage {
  int stage = 1;      // 1: source -> repartition topic; 2: repartition topic(s) -> ... -> sink
  int32_t index = 0;  // which of its group's N workers this is
  std::string topic;  // stage 1: the repartition topic it writes
  Schema rows;        // stage 1: the repartitioned rows' columns (named c0, c1...)
  std::vector<std::unique_ptr<Expression>> keys;  // stage 1: the keys over `rows`
  // Stage 1 of a temporal join's changelog: announce when caught up (RepartitionSink).
  bool announce_caught_up = false;
  // Stage 1 of a GROUP BY over a changelog: its primary key's columns in `rows`, by which the
  // sink remembers where each key went (RepartitionSink::RouteByPrimaryKey). Empty otherwise.
  std::vector<int> primary_key;
};

// Rewrites `plan` (repartition_topic set) into the plan of worker `worker_index` of
// plan.worker_count(): a GROUP BY's workers 0..N-1 run stage 1, N..2N-1 stage 2; a join's
// 0..N-1 stage 1 of the left side, N..2N-1 of the right, 2N..3N-1 stage 2. Sets the sources'
// worker_index / worker_count. Stage 1's plan keeps its sink spec for messages only: the caller
// writes through a RepartitionSink built from the returned stage.
Result<RepartitionStage> SplitRepartitionedPlan(PhysicalPlan& plan, int32_t worker_index);

}  // namespace sluice
