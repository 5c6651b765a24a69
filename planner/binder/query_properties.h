#pragma once
// Properties of a persistent query itself, given in the WITH (...) of CREATE STREAM / CHANGELOG
// ... AS SELECT (next to the created relation's properties) or of INSERT INTO ... SELECT.

#include <cstdint>

#include "common/status.h"
#include "parser/ast.h"
#include "runtime/plan/physical_plan.h"

namespace sluice {

struct QueryProperties {
  // 'checkpoint.interval.millis': how often a busy query commits a checkpoint (and so publishes
  // its outputs); a query that catches up commits at once (docs/checkpoints.md).
  int64_t checkpoint_interval_ms = kDefaultCheckpointIntervalMs;
  // 'parallelism': how many worker processes share the query's source partitions (1..64).
  int32_t parallelism = 1;
  int64_t parallelism_position = -1;  // of the property's value, for errors
};

// Removes the query's own properties from `properties` (what is left describes the relation)
// and validates them; an error points at the bad value.
Result<QueryProperties> TakeQueryProperties(PropertyList& properties);

}  // namespace sluice
