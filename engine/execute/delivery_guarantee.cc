// See delivery_guarantee.h.

#include "engine/execute/delivery_guarantee.h"

#include <algorithm>

#include "common/ascii.h"
#include "runtime/connector/kafka/kafka_transaction.h"

namespace sluice {

Result<DeliveryGuarantee> TakeDeliveryGuarantee(const PropertyList& properties,
                                                PropertyList* rest) {
  DeliveryGuarantee guarantee;
  for (const Property& property : properties) {
    if (property.key != kDeliveryGuaranteeProperty) {
      rest->push_back(property);
      continue;
    }
    const std::string value = AsciiLower(property.value);
    if (value != "at_least_once" && value != "exactly_once") {
      return Status::Binder(
          "'delivery.guarantee' must be 'at_least_once' (the default) or "
          "'exactly_once', got '" +
              property.value + "'",
          property.value_position);
    }
    guarantee.exactly_once = value == "exactly_once";
    guarantee.position = property.value_position;
  }
  return guarantee;
}

Status ApplyDeliveryGuarantee(const DeliveryGuarantee& guarantee, PhysicalPlan& plan) {
  if (!guarantee.exactly_once) return Status::OK();
  if (plan.sink.kind != SinkKind::kKafka) {
    return Status::Binder(
        "'delivery.guarantee'='exactly_once' uses Kafka transactions: the "
        "query must write to a Kafka store, and " +
            plan.sink.relation + " is on the local store",
        guarantee.position);
  }
  if (plan.source.store_type != "kafka") {
    return Status::Binder(
        "'delivery.guarantee'='exactly_once' commits the source offsets in "
        "the output's Kafka transaction: the query must read from a Kafka "
        "store, and " +
            plan.source.relation + " is on the " + plan.source.store_type + " store",
        guarantee.position);
  }
  // A GROUP BY or a join with 'parallelism' > 1 qualifies too: stage 1 writes a local
  // repartition topic exactly-once (staged, cut back to its checkpoint on restart; a temporal
  // join's caught-up marks with it), and each stage-2 worker commits its state (the caught-up
  // writers it has seen included) and its positions in that topic with its own transaction in
  // two phases, sending no offsets (docs/checkpoints.md). A GROUP BY over a join (interval or
  // temporal) has a middle stage, the join's workers, whose output to the grouped topic is
  // staged the same way and committed with their join state (and a temporal join's caught-up
  // writers); its stage 3 commits as stage 2 does elsewhere.
  plan.sink.properties[kDeliveryGuaranteeProperty] = "exactly_once";
  return Status::OK();
}

void SetQueryTransactionIds(PhysicalPlan& plan) {
  auto guarantee = plan.sink.properties.find(kDeliveryGuaranteeProperty);
  if (guarantee == plan.sink.properties.end() || guarantee->second != "exactly_once") return;
  const std::string id = QueryTransactionalId(plan.query_id);
  plan.sink.properties[kTransactionalIdProperty] = id;
  plan.sink.properties[kOffsetsGroupProperty] = id;
  // A stateless query resumes from the offsets its last transaction committed. A stateful one
  // resumes from its state checkpoint, which commits with the transaction in two phases
  // (docs/checkpoints.md); the group's offsets are only for monitoring then.
  const bool stateful =
      plan.join_source.has_value() ||
      std::any_of(plan.operators.begin(), plan.operators.end(),
                  [](const auto& op) { return op->kind() == PhysicalOperatorKind::kAggregate; });
  if (!stateful) plan.source.properties[kOffsetsGroupProperty] = id;
}

}  // namespace sluice
