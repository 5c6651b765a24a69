#pragma once
// 'delivery.guarantee' of a persistent query (CREATE STREAM ... WITH (...) AS SELECT, INSERT INTO
// ... WITH (...) SELECT): 'at_least_once' (the default: idempotent producer, positions saved
// after output is acknowledged) or 'exactly_once' (Kafka transactions that commit output and
// source offsets together; runtime/connector/kafka/kafka_transaction.h). It is a property of the
// query, not of the relation it writes.

#include <cstdint>

#include "common/status.h"
#include "parser/ast.h"
#include "runtime/plan/physical_plan.h"

namespace sluice {

struct DeliveryGuarantee {
  bool exactly_once = false;
  int64_t position = -1;  // of the property's value, for errors
};

// Takes 'delivery.guarantee' out of `properties` (the rest go to `rest`); an invalid value is an
// error listing the allowed ones.
Result<DeliveryGuarantee> TakeDeliveryGuarantee(const PropertyList& properties, PropertyList* rest);
// Checks what exactly-once needs (a Kafka source and sink) and marks the plan's sink.
Status ApplyDeliveryGuarantee(const DeliveryGuarantee& guarantee, PhysicalPlan& plan);
// Once the query has its id: the transactional.id of its sink and the consumer group its
// source offsets commit to (the same name, stable across restarts).
void SetQueryTransactionIds(PhysicalPlan& plan);

}  // namespace sluice
