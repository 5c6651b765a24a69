#pragma once
// A GROUP BY or a join with 'parallelism'=N > 1 runs in two stages (docs/kafka.md
// "Parallelism"). Stage 1 reads its share of the source partitions, runs the operators before
// the aggregate (a join: none) and writes each row to the query's local repartition topic by
// key; stage 2 worker k reads the rows of the keys it owns and runs the aggregate (the join)
// and what follows it. A join repartitions each side through its own topic, by its side of the
// equi-join keys, so equal keys of both sides meet in one stage-2 worker. A GROUP BY over a join
// adds a third hop: stage 2 runs the join and what precedes the aggregate and writes its rows
// by group key to a third topic, with its own watermark as marks; stage 3 aggregates. A
// materialized view adds a last hop: the workers of the last stage write the view's rows (its
// upserts and deletes) by view key to the view topic, and one more worker, the view worker,
// applies them to the view store, the one writer it has. The engine stores one plan; each
// worker cuts out its part here.

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
// A repartitioned GROUP BY over a join's group-key topic: "<repartition topic>_grouped".
std::string RepartitionGroupTopic(const std::string& repartition_topic);
// A repartitioned materialized view's rows on their way to its view worker:
// "<repartition topic>_view".
std::string RepartitionViewTopic(const std::string& repartition_topic);
// Every repartition topic of the plan: none, one (GROUP BY), two (join: left, right) or three
// (GROUP BY over a join: left, right, grouped); a materialized view's view topic last.
std::vector<std::string> RepartitionTopics(const PhysicalPlan& plan);

// Index of the plan's aggregate among its operators, or -1.
int FindAggregate(const PhysicalPlan& plan);

// What one worker of a repartitioned plan runs, besides its rewritten plan.
struct RepartitionStage {
  // 1: source -> repartition topic; 2: repartition topic(s) -> ... -> sink (a GROUP BY over a
  // join: -> the grouped topic); 3: grouped topic -> aggregate -> ... -> sink. A materialized
  // view's last stage writes the view topic instead of the sink, and its view worker (stage 3,
  // over a join 4) reads that topic into the view store.
  int stage = 1;
  int32_t index = 0;  // which of its group's N workers this is
  // The repartition topic it writes (stage 1; stage 2 of a GROUP BY over a join); empty: the
  // plan's sink.
  std::string topic;
  Schema rows;  // with `topic`: the repartitioned rows' columns (named c0, c1...)
  std::vector<std::unique_ptr<Expression>> keys;  // with `topic`: the keys over `rows`
  // Stage 1 of a temporal join's changelog: announce when caught up (RepartitionSink).
  bool announce_caught_up = false;
  // Stage 1 of a GROUP BY over a changelog: its primary key's columns in `rows`, by which the
  // sink remembers where each key went (RepartitionSink::RouteByPrimaryKey). Empty otherwise.
  std::vector<int> primary_key;
  // With `topic`: forward the event time read as watermark marks. Not to the view topic: its
  // reader applies rows and keeps no event time.
  bool forward_event_time = true;
};

// Rewrites `plan` (repartition_topic set) into the plan of worker `worker_index` of
// plan.worker_count(): a GROUP BY's workers 0..N-1 run stage 1, N..2N-1 stage 2; a join's
// 0..N-1 stage 1 of the left side, N..2N-1 of the right, 2N..3N-1 stage 2, and with a GROUP BY
// over it 3N..4N-1 stage 3; a materialized view's view worker comes last (worker_count() - 1).
// Sets the sources' worker_index / worker_count. A stage that writes a
// repartition topic (RepartitionStage::topic) keeps its plan's sink spec for messages only: the
// caller writes through a RepartitionSink built from the returned stage.
Result<RepartitionStage> SplitRepartitionedPlan(PhysicalPlan& plan, int32_t worker_index);

}  // namespace sluice
