// See repartition_plan.h.

#include "runtime/plan/repartition_plan.h"

#include "runtime/expression/expression_factory.h"
#include "runtime/plan/physical_aggregate.h"
#include "runtime/plan/physical_join.h"

namespace sluice {

std::string RepartitionTopicName(int64_t query_id) {
  return "_sluice_repartition_" + std::to_string(query_id);
}

std::string RepartitionRightTopic(const std::string& repartition_topic) {
  return repartition_topic + "_right";
}

std::string RepartitionGroupTopic(const std::string& repartition_topic) {
  return repartition_topic + "_grouped";
}

std::string RepartitionViewTopic(const std::string& repartition_topic) {
  return repartition_topic + "_view";
}

std::vector<std::string> RepartitionTopics(const PhysicalPlan& plan) {
  if (plan.repartition_topic.empty()) return {};
  std::vector<std::string> topics = {plan.repartition_topic};
  if (plan.join_source) {
    topics.push_back(RepartitionRightTopic(plan.repartition_topic));
    if (plan.has_aggregate()) topics.push_back(RepartitionGroupTopic(plan.repartition_topic));
  }
  if (plan.has_view_worker()) topics.push_back(RepartitionViewTopic(plan.repartition_topic));
  return topics;
}

int FindAggregate(const PhysicalPlan& plan) {
  for (size_t op_idx = 0; op_idx < plan.operators.size(); ++op_idx) {
    if (plan.operators[op_idx]->kind() == PhysicalOperatorKind::kAggregate) {
      return static_cast<int>(op_idx);
    }
  }
  return -1;
}

namespace {

// Positional names: the next stage reads its input by index, and two columns may share a name.
Schema PositionalSchema(const Schema& input) {
  Schema rows;
  for (size_t column_idx = 0; column_idx < input.size(); ++column_idx) {
    rows.Add(Field{"c" + std::to_string(column_idx), input.field(column_idx).type});
  }
  return rows;
}

// Stage 1: `source` (worker `index` of `workers`) straight into `topic`.
void MakeStageOne(PhysicalPlan& plan, SourceSpec source, int32_t index, const std::string& topic,
                  RepartitionStage& stage) {
  const int32_t workers = plan.parallelism;
  stage.stage = 1;
  stage.index = index;
  stage.topic = topic;
  plan.source = std::move(source);
  plan.source.worker_index = index;
  plan.source.worker_count = workers;
  plan.join_source.reset();
  plan.sink.kind = SinkKind::kLocalLog;
  plan.sink.topic = topic;
  plan.sink.partitions = workers * workers;
  plan.sink.schema = stage.rows;
}

// Stage 2's reader of `topic`, whose rows have the columns `rows`, written by stage 1 from
// `original`: bounded when it is, to the end marks of its writers (repartition_end.h).
SourceSpec StageTwoSource(const PhysicalPlan& plan, const std::string& topic, const Schema& rows,
                          const std::string& what, int32_t index, const SourceSpec& original) {
  SourceSpec source;
  source.end_at_latest = original.end_at_latest;
  source.store_type = "local";
  source.relation = what + " of query " + std::to_string(plan.query_id);
  source.topic = topic;
  source.partitions = plan.parallelism * plan.parallelism;
  source.relation_schema = rows;
  for (size_t column_idx = 0; column_idx < rows.size(); ++column_idx) {
    source.columns.push_back(static_cast<int>(column_idx));
  }
  source.worker_index = index;
  source.worker_count = plan.parallelism;
  source.repartitioned = true;
  return source;
}

RepartitionStage SplitJoin(PhysicalPlan& plan, int32_t group, int32_t index) {
  auto& join = static_cast<PhysicalJoin&>(*plan.operators[0]);
  const std::string right_topic = RepartitionRightTopic(plan.repartition_topic);
  RepartitionStage stage;
  if (group < 2) {
    const bool left = group == 0;
    SourceSpec source = left ? plan.source : *plan.join_source;
    stage.rows = PositionalSchema(source.batch_schema());
    stage.keys = std::move(left ? join.left_keys : join.right_keys);
    stage.announce_caught_up = !left && join.strategy == JoinStrategy::kTemporal;
    plan.operators.clear();
    MakeStageOne(plan, std::move(source), index, left ? plan.repartition_topic : right_topic,
                 stage);
    return stage;
  }
  const int aggregate_idx = FindAggregate(plan);
  stage.index = index;
  if (group == 3) {
    // Stage 3 aggregates what the join's workers sent it by group key.
    const auto split = static_cast<size_t>(aggregate_idx);
    stage.stage = 3;
    const Schema rows = PositionalSchema(plan.operators[split - 1]->output_schema());
    plan.source = StageTwoSource(plan, RepartitionGroupTopic(plan.repartition_topic), rows,
                                 "the grouped repartition topic", index, plan.source);
    plan.source.marks_by_writer = true;
    plan.join_source.reset();
    plan.operators.erase(plan.operators.begin(), plan.operators.begin() + aggregate_idx);
    return stage;
  }
  // Stage 2 joins what both sides' stage 1 sent it, as one worker joins the sources.
  stage.stage = 2;
  const Schema left_rows = PositionalSchema(plan.source.batch_schema());
  const Schema right_rows = PositionalSchema(plan.join_source->batch_schema());
  SourceSpec left = StageTwoSource(plan, plan.repartition_topic, left_rows,
                                   "the left repartition topic", index, plan.source);
  plan.join_source = StageTwoSource(plan, right_topic, right_rows, "the right repartition topic",
                                    index, *plan.join_source);
  plan.source = std::move(left);
  if (aggregate_idx >= 0) {
    // A GROUP BY over the join: the join's rows (after what precedes the aggregate) go on to
    // stage 3 by group key.
    const auto split = static_cast<size_t>(aggregate_idx);
    auto& aggregate = static_cast<PhysicalAggregate&>(*plan.operators[split]);
    stage.rows = PositionalSchema(plan.operators[split - 1]->output_schema());
    stage.keys = std::move(aggregate.keys);
    stage.topic = RepartitionGroupTopic(plan.repartition_topic);
    plan.operators.resize(split);
    plan.sink.kind = SinkKind::kLocalLog;
    plan.sink.topic = stage.topic;
    plan.sink.partitions = plan.parallelism * plan.parallelism;
    plan.sink.schema = stage.rows;
  }
  return stage;
}

// A GROUP BY: workers 0..N-1 run stage 1, N..2N-1 stage 2.
RepartitionStage SplitGroupBy(PhysicalPlan& plan, int aggregate_idx, int32_t worker_index) {
  const int32_t workers = plan.parallelism;
  const auto split = static_cast<size_t>(aggregate_idx);
  RepartitionStage stage;
  const Schema input =
      split == 0 ? plan.source.batch_schema() : plan.operators[split - 1]->output_schema();
  stage.rows = PositionalSchema(input);
  if (worker_index < workers) {
    auto& aggregate = static_cast<PhysicalAggregate&>(*plan.operators[split]);
    stage.keys = std::move(aggregate.keys);
    stage.primary_key = aggregate.changelog_key;
    plan.operators.resize(split);
    SourceSpec source = std::move(plan.source);
    MakeStageOne(plan, std::move(source), worker_index, plan.repartition_topic, stage);
    return stage;
  }
  stage.stage = 2;
  stage.index = worker_index % workers;
  plan.source = StageTwoSource(plan, plan.repartition_topic, stage.rows, "the repartition topic",
                               stage.index, plan.source);
  plan.operators.erase(plan.operators.begin(), plan.operators.begin() + aggregate_idx);
  return stage;
}

// The last stage of a materialized view: its rows (the view's columns) go by view key to the
// view topic, for the view worker.
void WriteViewTopic(PhysicalPlan& plan, RepartitionStage& stage) {
  stage.rows = PositionalSchema(plan.output_schema());
  for (int column : plan.sink.key_columns) {
    stage.keys.push_back(MakeColumnRef(column, stage.rows.field(static_cast<size_t>(column)).type));
  }
  stage.topic = RepartitionViewTopic(plan.repartition_topic);
  stage.forward_event_time = false;
  plan.sink.kind = SinkKind::kLocalLog;
  plan.sink.topic = stage.topic;
  plan.sink.partitions = plan.parallelism * plan.parallelism;
  plan.sink.schema = stage.rows;
}

// The view worker: every partition of the view topic, as written, into the view store.
RepartitionStage SplitViewWorker(PhysicalPlan& plan) {
  RepartitionStage stage;
  const int32_t groups = plan.worker_groups();
  stage.stage = (plan.join_source ? groups - 1 : groups) + 1;
  const Schema rows = PositionalSchema(plan.output_schema());
  plan.source = StageTwoSource(plan, RepartitionViewTopic(plan.repartition_topic), rows,
                               "the view repartition topic", 0, plan.source);
  plan.source.worker_count = 1;
  plan.join_source.reset();
  plan.operators.clear();
  return stage;
}

}  // namespace

Result<RepartitionStage> SplitRepartitionedPlan(PhysicalPlan& plan, int32_t worker_index) {
  const int32_t workers = plan.parallelism;
  const bool join = plan.join_source.has_value() && !plan.operators.empty() &&
                    plan.operators[0]->kind() == PhysicalOperatorKind::kJoin;
  const int aggregate_idx = FindAggregate(plan);
  if ((join ? aggregate_idx == 0 : aggregate_idx < 0) || (!join && plan.join_source) ||
      workers < 2 || worker_index < 0 || worker_index >= plan.worker_count()) {
    return Status::Internal("plan of query " + std::to_string(plan.query_id) +
                            " cannot be split into repartition stages for worker " +
                            std::to_string(worker_index));
  }
  if (plan.has_view_worker() && worker_index == plan.worker_count() - 1) {
    return SplitViewWorker(plan);
  }
  RepartitionStage stage = join ? SplitJoin(plan, worker_index / workers, worker_index % workers)
                                : SplitGroupBy(plan, aggregate_idx, worker_index);
  // The last stage (the one writing the sink) of a view writes the view topic instead.
  if (stage.topic.empty() && plan.has_view_worker()) WriteViewTopic(plan, stage);
  return stage;
}

}  // namespace sluice
