// See query_parallelism.h.

#include "engine/execute/query_parallelism.h"

#include <string>

#include "runtime/plan/physical_aggregate.h"
#include "runtime/plan/repartition_plan.h"

namespace sluice {

Status ApplyParallelism(const QueryProperties& properties, PhysicalPlan& plan) {
  const int32_t parallelism = properties.parallelism;
  plan.parallelism = parallelism;
  if (parallelism == 1) return Status::OK();
  const std::string head = "'parallelism'=" + std::to_string(parallelism) + " ";
  const int64_t position = properties.parallelism_position;
  if (plan.source.store_type != "kafka" && plan.source.store_type != "local") {
    return Status::Binder(head +
                              "splits the partitions of a topic among workers: the query must "
                              "read from a Kafka store or the local store, and " +
                              plan.source.relation + " is on the " + plan.source.store_type +
                              " store (use 'parallelism'=1)",
                          position);
  }
  if (plan.source.store_type == "local" &&
      !(plan.source.start_at_earliest && plan.source.start_timestamp_ms < 0)) {
    // The engine pins a local source's 'latest' or time start for one worker only.
    return Status::Binder(head +
                              "reads a local topic from 'earliest' only: 'starting.position' "
                              "'latest' or a time is not split among workers yet (use "
                              "'parallelism'=1)",
                          position);
  }
  if (plan.source.end_at_latest) {
    return Status::Binder(head +
                              "reads to a fixed end of the topic: 'ending.position'='latest' is "
                              "not split among workers yet (use 'parallelism'=1)",
                          position);
  }
  for (const auto& op : plan.operators) {
    if (op->kind() == PhysicalOperatorKind::kJoin || plan.join_source) {
      return Status::Binder(head +
                                "is not supported yet for joins: each worker would need the "
                                "matching partitions of both sides (use 'parallelism'=1)",
                            position);
    }
    if (op->kind() == PhysicalOperatorKind::kAggregate &&
        !static_cast<const PhysicalAggregate&>(*op).changelog_key.empty()) {
      return Status::Binder(head +
                                "is not supported yet for a GROUP BY over a changelog: an "
                                "update must retract the row's previous group, which another "
                                "worker may hold (use 'parallelism'=1)",
                            position);
    }
  }
  if (plan.sink.kind == SinkKind::kView) {
    return Status::Binder(head +
                              "is not supported for a materialized view: its rows live in one "
                              "store that one worker maintains",
                          position);
  }
  if (parallelism > plan.source.partitions) {
    return Status::Binder(head + "exceeds the " + std::to_string(plan.source.partitions) +
                              " partitions of topic '" + plan.source.topic + "' of " +
                              plan.source.relation +
                              ": the extra workers would have nothing to "
                              "read",
                          position);
  }
  return Status::OK();
}

Status CreateRepartitionTopic(PhysicalPlan& plan, LocalLogStore& log) {
  if (plan.parallelism < 2 || FindAggregate(plan) < 0) return Status::OK();
  plan.repartition_topic = RepartitionTopicName(plan.query_id);
  // A topic left by an earlier life of this id (a data dir restored from a copy) would mix in
  // foreign rows: start from an empty one.
  ASSIGN_OR_RETURN(bool exists, log.TopicExists(plan.repartition_topic));
  if (exists) RETURN_NOT_OK(log.DeleteTopic(plan.repartition_topic));
  return log.CreateTopic(plan.repartition_topic, plan.parallelism * plan.parallelism)
      .WithContext("repartition topic of query " + std::to_string(plan.query_id));
}

std::string PlanRepartitionTopic(const std::string& plan_json) {
  Result<std::unique_ptr<PhysicalPlan>> plan = PhysicalPlanFromJson(plan_json);
  return plan.ok() ? (*plan)->repartition_topic : "";
}

}  // namespace sluice
