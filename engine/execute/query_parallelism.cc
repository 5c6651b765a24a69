// See query_parallelism.h.

#include "engine/execute/query_parallelism.h"

#include <string>

namespace sluice {

Status ApplyParallelism(const QueryProperties& properties, PhysicalPlan& plan) {
  const int32_t parallelism = properties.parallelism;
  plan.parallelism = parallelism;
  if (parallelism == 1) return Status::OK();
  const std::string head = "'parallelism'=" + std::to_string(parallelism) + " ";
  const int64_t position = properties.parallelism_position;
  if (plan.source.store_type != "kafka") {
    return Status::Binder(head +
                              "splits the partitions of a Kafka topic among workers: the query "
                              "must read from a Kafka store, and " +
                              plan.source.relation + " is on the " + plan.source.store_type +
                              " store (use 'parallelism'=1)",
                          position);
  }
  for (const auto& op : plan.operators) {
    if (op->kind() == PhysicalOperatorKind::kJoin || plan.join_source) {
      return Status::Binder(head +
                                "is not supported yet for joins: each worker would need the "
                                "matching partitions of both sides (use 'parallelism'=1)",
                            position);
    }
    if (op->kind() == PhysicalOperatorKind::kAggregate) {
      return Status::Binder(head +
                                "is not supported yet for queries with GROUP BY: the rows of one "
                                "group would be spread over several workers, each with its own "
                                "partial aggregate (use 'parallelism'=1)",
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

}  // namespace sluice
