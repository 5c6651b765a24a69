#include "runtime/operator/stateless_operators.h"

#include <utility>
#include <vector>

namespace sluice {

namespace {

Status ExecuteFilter(const PhysicalFilter& filter, RecordBatch& batch, EvalContext& context) {
  std::vector<uint8_t> keep;
  RETURN_NOT_OK(EvaluateFilter(filter.predicate(), batch, &keep, context));
  batch.Filter(keep);
  return Status::OK();
}

Status ExecuteProject(const PhysicalProject& project, RecordBatch& batch, EvalContext& context) {
  RecordBatch output(project.output_schema());
  for (size_t column_idx = 0; column_idx < project.expressions().size(); ++column_idx) {
    RETURN_NOT_OK(
        Evaluate(*project.expressions()[column_idx], batch, &output.column(column_idx), context));
  }
  output.meta() = std::move(batch.meta());
  output.keys() = std::move(batch.keys());
  for (const auto& arena : batch.arenas()) output.AddArena(arena);
  batch = std::move(output);
  return Status::OK();
}

}  // namespace

Status ExecuteOperator(const PhysicalOperator& op, RecordBatch& batch, EvalContext& context) {
  switch (op.kind()) {
    case PhysicalOperatorKind::kFilter:
      return ExecuteFilter(static_cast<const PhysicalFilter&>(op), batch, context);
    case PhysicalOperatorKind::kProject:
      return ExecuteProject(static_cast<const PhysicalProject&>(op), batch, context);
    case PhysicalOperatorKind::kAggregate:
      return Status::Internal("an aggregate is stateful; the pipeline runs it as a stage");
    case PhysicalOperatorKind::kJoin:
      return Status::Internal("a join is stateful; the pipeline runs it as a join stage");
  }
  return Status::Internal("unknown physical operator");
}

}  // namespace sluice
