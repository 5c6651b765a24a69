#pragma once
// Lowers a logical plan to the physical plan a pipeline runs: the scan becomes a SourceSpec,
// filters and projections become pipeline operators, and the caller chooses the sink.

#include <memory>

#include "common/status.h"
#include "planner/logical/logical_operator.h"
#include "runtime/plan/physical_plan.h"

namespace sluice {

// Consumes `logical` (expressions move into the physical operators). The sink is left as
// SinkKind::kCollect with the plan's output schema; callers set another sink.
Result<std::unique_ptr<PhysicalPlan>> CreatePhysicalPlan(std::unique_ptr<LogicalOperator> logical);

}  // namespace sluice
