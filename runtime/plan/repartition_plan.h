#pragma once
// A GROUP BY with 'parallelism'=N > 1 runs in two stages of N workers each (docs/kafka.md
// "Parallelism"). Stage 1 reads its share of the source partitions, runs the operators before
// the aggregate and writes each row to the query's local repartition topic by group key; stage
// 2 worker k reads the rows of the keys it owns and runs the aggregate and what follows it. The
// engine stores one plan; each worker cuts out its stage's here.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "runtime/plan/physical_plan.h"

namespace sluice {

// "_sluice_repartition_<query id>": a local topic with N * N partitions (RepartitionSink).
std::string RepartitionTopicName(int64_t query_id);

// Index of the plan's aggregate among its operators, or -1.
int FindAggregate(const PhysicalPlan& plan);

// What one worker of a repartitioned plan runs, besides its rewritten plan.
struct RepartitionStage {
  int stage = 1;      // 1: source -> repartition topic; 2: repartition topic -> aggregate -> sink
  int32_t index = 0;  // which of the stage's N workers this is
  Schema rows;        // the repartitioned rows' columns (the aggregate's input, named c0, c1...)
  std::vector<std::unique_ptr<Expression>> keys;  // stage 1: the group keys over `rows`
};

// Rewrites `plan` (repartition_topic set) into the plan of worker `worker_index` of
// plan.worker_count(): workers 0..N-1 run stage 1, N..2N-1 stage 2. Sets the source's
// worker_index / worker_count. Stage 1's plan keeps its sink spec for messages only: the caller
// writes through a RepartitionSink built from the returned stage.
Result<RepartitionStage> SplitRepartitionedPlan(PhysicalPlan& plan, int32_t worker_index);

}  // namespace sluice
