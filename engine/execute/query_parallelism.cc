// See query_parallelism.h.

#include "engine/execute/query_parallelism.h"

#include <string>

#include "runtime/plan/physical_join.h"
#include "runtime/plan/repartition_plan.h"

namespace sluice {

namespace {

// A join is repartitioned by its equi-join keys (repartition_plan.h): an interval join's sides
// by their keys, a temporal join's stream by the key it looks up and its changelog by that
// same key, so each stage-2 worker holds every version of the keys its stream rows carry. A
// GROUP BY over the join is repartitioned again, by group key, from the join's workers to a
// third group of N (stage 3). What cannot be is refused with the reason.
Status CheckParallelJoin(const PhysicalPlan& plan, const std::string& head, int64_t position) {
  const auto& join = static_cast<const PhysicalJoin&>(*plan.operators[0]);
  if (join.left_keys.empty()) {
    return Status::Binder(head +
                              "needs an equality of both sides' columns in the join's ON to "
                              "route matching rows to one worker (use 'parallelism'=1)",
                          position);
  }
  return Status::OK();
}

}  // namespace

Status ApplyParallelism(const QueryProperties& properties, PhysicalPlan& plan) {
  const int32_t parallelism = properties.parallelism;
  plan.parallelism = parallelism;
  if (parallelism == 1) return Status::OK();
  const std::string head = "'parallelism'=" + std::to_string(parallelism) + " ";
  const int64_t position = properties.parallelism_position;
  for (const SourceSpec* source : {&plan.source, plan.join_source ? &*plan.join_source : nullptr}) {
    if (source == nullptr) continue;
    if (source->store_type != "kafka" && source->store_type != "local") {
      return Status::Binder(head +
                                "splits the partitions of a topic among workers: the query must "
                                "read from a Kafka store or the local store, and " +
                                source->relation + " is on the " + source->store_type +
                                " store (use 'parallelism'=1)",
                            position);
    }
    if (parallelism > source->partitions) {
      return Status::Binder(head + "exceeds the " + std::to_string(source->partitions) +
                                " partitions of topic '" + source->topic + "' of " +
                                source->relation + ": the extra workers would have nothing to read",
                            position);
    }
  }
  for (const auto& op : plan.operators) {
    // A GROUP BY over a changelog is repartitioned like one over a stream; its stage 1 also
    // retracts a key from the worker of its previous group (ChangelogRoutes).
    if (op->kind() == PhysicalOperatorKind::kJoin)
      RETURN_NOT_OK(CheckParallelJoin(plan, head, position));
  }
  if (plan.sink.kind == SinkKind::kView && FindAggregate(plan) < 0) {
    // A GROUP BY's (or a GROUP BY over a join's) last stage writes the view's rows to a local
    // topic that one view worker applies to the store, its one writer (repartition_plan.h). A
    // projection of one relation has no stage to share: its one worker would do all the work.
    return Status::Binder(head +
                              "needs a GROUP BY in a materialized view: the view's store has "
                              "one writer, and a view over a projection of one relation is all "
                              "that writer's work (use 'parallelism'=1)",
                          position);
  }
  return Status::OK();
}

Status CreateRepartitionTopic(PhysicalPlan& plan, LocalLogStore& log) {
  if (plan.parallelism < 2 || (FindAggregate(plan) < 0 && !plan.join_source)) {
    return Status::OK();
  }
  plan.repartition_topic = RepartitionTopicName(plan.query_id);
  for (const std::string& topic : RepartitionTopics(plan)) {
    // A topic left by an earlier life of this id (a data dir restored from a copy) would mix in
    // foreign rows: start from an empty one.
    ASSIGN_OR_RETURN(bool exists, log.TopicExists(topic));
    if (exists) RETURN_NOT_OK(log.DeleteTopic(topic));
    RETURN_NOT_OK(log.CreateTopic(topic, plan.parallelism * plan.parallelism)
                      .WithContext("repartition topic of query " + std::to_string(plan.query_id)));
  }
  return Status::OK();
}

std::vector<std::string> PlanRepartitionTopics(const std::string& plan_json) {
  Result<std::unique_ptr<PhysicalPlan>> plan = PhysicalPlanFromJson(plan_json);
  return plan.ok() ? RepartitionTopics(**plan) : std::vector<std::string>();
}

}  // namespace sluice
