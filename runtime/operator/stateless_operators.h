#pragma once
// Execution of the stateless physical operators (filter, project) over one batch. They keep no
// state between batches, so they need no state object and never checkpoint anything.

#include "common/batch.h"
#include "runtime/expression/evaluate.h"
#include "runtime/expression/expression_node.h"
#include "runtime/plan/physical_plan.h"

namespace sluice {

// Replaces `batch` by the operator's output. On a per-row evaluation error returns it with
// context.error_row set (the batch is then unchanged).
Status ExecuteOperator(const PhysicalOperator& op, RecordBatch& batch, EvalContext& context);

}  // namespace sluice
