// See repartition_plan.h.

#include "runtime/plan/repartition_plan.h"

#include "runtime/plan/physical_aggregate.h"

namespace sluice {

std::string RepartitionTopicName(int64_t query_id) {
  return "_sluice_repartition_" + std::to_string(query_id);
}

int FindAggregate(const PhysicalPlan& plan) {
  for (size_t op_idx = 0; op_idx < plan.operators.size(); ++op_idx) {
    if (plan.operators[op_idx]->kind() == PhysicalOperatorKind::kAggregate) {
      return static_cast<int>(op_idx);
    }
  }
  return -1;
}

Result<RepartitionStage> SplitRepartitionedPlan(PhysicalPlan& plan, int32_t worker_index) {
  const int aggregate_idx = FindAggregate(plan);
  const int32_t workers = plan.parallelism;
  if (aggregate_idx < 0 || plan.join_source || workers < 2 || worker_index < 0 ||
      worker_index >= 2 * workers) {
    return Status::Internal("plan of query " + std::to_string(plan.query_id) +
                            " cannot be split into repartition stages for worker " +
                            std::to_string(worker_index));
  }
  const auto split = static_cast<size_t>(aggregate_idx);
  RepartitionStage stage;
  stage.stage = worker_index < workers ? 1 : 2;
  stage.index = worker_index % workers;
  // Positional names: the aggregate reads its input by index, and two input columns may share
  // a name.
  const Schema input =
      split == 0 ? plan.source.batch_schema() : plan.operators[split - 1]->output_schema();
  for (size_t column_idx = 0; column_idx < input.size(); ++column_idx) {
    stage.rows.Add(Field{"c" + std::to_string(column_idx), input.field(column_idx).type});
  }
  if (stage.stage == 1) {
    auto& aggregate = static_cast<PhysicalAggregate&>(*plan.operators[split]);
    stage.keys = std::move(aggregate.keys);
    plan.operators.resize(split);
    plan.source.worker_index = stage.index;
    plan.source.worker_count = workers;
    plan.sink.kind = SinkKind::kLocalLog;
    plan.sink.topic = plan.repartition_topic;
    plan.sink.partitions = workers * workers;
    plan.sink.schema = stage.rows;
    return stage;
  }
  SourceSpec source;
  source.store_type = "local";
  source.relation = "the repartition topic of query " + std::to_string(plan.query_id);
  source.topic = plan.repartition_topic;
  source.partitions = workers * workers;
  source.relation_schema = stage.rows;
  for (size_t column_idx = 0; column_idx < stage.rows.size(); ++column_idx) {
    source.columns.push_back(static_cast<int>(column_idx));
  }
  source.worker_index = stage.index;
  source.worker_count = workers;
  source.repartitioned = true;
  plan.source = std::move(source);
  plan.operators.erase(plan.operators.begin(), plan.operators.begin() + aggregate_idx);
  return stage;
}

}  // namespace sluice
