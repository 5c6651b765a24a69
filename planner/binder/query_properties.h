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
  // 'state.cache.max.bytes': the memory budget of a non-windowed GROUP BY's groups, and the
  // uncommitted state after which a checkpoint is taken early (docs/checkpoints.md).
  int64_t state_cache_max_bytes = kDefaultStateCacheMaxBytes;
  // 'state.ttl.millis': a non-windowed GROUP BY drops groups not updated for this much event time
  // (0: never).
  int64_t state_ttl_ms = 0;
  // 'parallelism': how many worker processes share the query's source partitions (1..64).
  int32_t parallelism = 1;
  int64_t parallelism_position = -1;  // of the property's value, for errors
};

// Removes the query's own properties from `properties` (what is left describes the relation)
// and validates them; an error points at the bad value.
Result<QueryProperties> TakeQueryProperties(PropertyList& properties);
// Copies the properties a worker needs into its plan (parallelism is applied by the engine).
void ApplyQueryProperties(const QueryProperties& properties, PhysicalPlan& plan);

}  // namespace sluice
