#include "runtime/expression/evaluate.h"

#include "common/clock.h"
#include "runtime/expression/cast.h"
#include "runtime/expression/evaluate_internal.h"
#include "runtime/function/regex_cache.h"

namespace sluice {

EvalContext::EvalContext() = default;
EvalContext::~EvalContext() = default;

std::mt19937_64& EvalContext::random() {
  if (!random_seeded_) {
    random_.seed(std::random_device{}());
    random_seeded_ = true;
  }
  return random_;
}

RegexCache& EvalContext::regex_cache() {
  if (regex_cache_ == nullptr) regex_cache_ = std::make_unique<RegexCache>();
  return *regex_cache_;
}

int64_t FirstSelected(Selection selection, size_t num_rows) {
  if (num_rows == 0) return -1;
  if (selection == nullptr) return 0;
  for (size_t row = 0; row < num_rows; ++row) {
    if (selection[row] != 0) return static_cast<int64_t>(row);
  }
  return -1;
}

void ResizeValues(Column& column, size_t rows) {
  switch (column.type().physical()) {
    case PhysicalKind::kNull: break;
    case PhysicalKind::kInt64: column.ints().resize(rows); break;
    case PhysicalKind::kDouble: column.doubles().resize(rows); break;
    case PhysicalKind::kString: column.strings().resize(rows); break;
    case PhysicalKind::kNested: column.nested().resize(rows); break;
  }
}

Column NewColumn(const DataType& type, size_t rows) {
  Column column(type);
  column.valid().assign(rows, 1);
  ResizeValues(column, rows);
  return column;
}

void ShareStringArenas(const Column& from, Column& to) {
  if (from.type().physical() != PhysicalKind::kString) return;
  for (const auto& arena : from.arenas()) to.AddArena(arena);
  // The column's own arena (AppendString) is private; AppendFrom hands it over, so let a
  // one-row probe pick it up.
  for (size_t row = 0; row < from.size(); ++row) {
    if (from.IsNull(row)) continue;
    Column probe(from.type());
    probe.AppendFrom(from, row);
    for (const auto& arena : probe.arenas()) to.AddArena(arena);
    return;
  }
}

void CopyRows(const Vector& from, Selection mask, size_t num_rows, Column& to) {
  const Column& source = from.column();
  PhysicalKind kind = to.type().physical();
  bool source_null = source.type().physical() != kind;  // a NULL-typed source
  if (kind == PhysicalKind::kString && !source_null) ShareStringArenas(source, to);
  for (size_t row = 0; row < num_rows; ++row) {
    if (mask != nullptr && mask[row] == 0) continue;
    size_t index = from.Index(row);
    if (source_null || source.valid()[index] == 0) {
      to.valid()[row] = 0;
      continue;
    }
    to.valid()[row] = 1;
    switch (kind) {
      case PhysicalKind::kNull: to.valid()[row] = 0; break;
      case PhysicalKind::kInt64: to.ints()[row] = source.ints()[index]; break;
      case PhysicalKind::kDouble: to.doubles()[row] = source.doubles()[index]; break;
      case PhysicalKind::kString: to.strings()[row] = source.strings()[index]; break;
      case PhysicalKind::kNested: to.nested()[row] = source.nested()[index]; break;
    }
  }
}

Column Materialize(Vector vector, size_t num_rows) {
  if (!vector.constant()) {
    if (vector.owned()) return std::move(vector.mutable_column());
    return vector.column();  // a copy of the cells that shares the string arenas
  }
  Column column = vector.owned() ? std::move(vector.mutable_column()) : vector.column();
  uint8_t valid = column.valid()[0];
  column.valid().assign(num_rows, valid);
  switch (column.type().physical()) {
    case PhysicalKind::kNull: break;
    case PhysicalKind::kInt64: column.ints().assign(num_rows, column.ints()[0]); break;
    case PhysicalKind::kDouble: column.doubles().assign(num_rows, column.doubles()[0]); break;
    case PhysicalKind::kString: column.strings().assign(num_rows, column.strings()[0]); break;
    case PhysicalKind::kNested: {
      Value cell = column.nested()[0];
      column.nested().assign(num_rows, cell);
      break;
    }
  }
  return column;
}

Status RunKernel(ScalarKernel kernel, NullHandling null_handling, bool per_row,
                 const FunctionState* state, std::string_view name, std::span<const Vector> args,
                 const DataType& type, const EvalFrame& frame, Selection selection, Vector* out) {
  bool all_constant = true;
  for (const Vector& arg : args) all_constant &= arg.constant();
  bool constant = all_constant && !per_row;
  size_t rows = constant ? 1 : frame.num_rows;
  int64_t blame_row = -1;
  Column column(type);
  std::vector<uint8_t>& valid = column.valid();
  if (constant) {
    blame_row = FirstSelected(selection, frame.num_rows);
    valid.assign(1, blame_row >= 0 ? 1 : 0);
  } else if (selection != nullptr) {
    valid.assign(selection, selection + rows);
  } else {
    valid.assign(rows, 1);
  }
  if (null_handling == NullHandling::kPropagate) {
    for (const Vector& arg : args) {
      const std::vector<uint8_t>& arg_valid = arg.column().valid();
      if (arg.constant()) {
        if (arg_valid[0] == 0) valid.assign(rows, 0);
        continue;
      }
      for (size_t row = 0; row < rows; ++row) valid[row] &= arg_valid[row];
    }
  }
  ResizeValues(column, rows);
  bool any_valid = false;
  for (uint8_t byte : valid) any_valid |= byte != 0;
  if (any_valid) {
    KernelArgs kernel_args{args, rows, state, frame.context, frame.now_millis, name, blame_row};
    RETURN_NOT_OK(kernel(kernel_args, column));
  }
  *out = Vector::Own(std::move(column), constant);
  return Status::OK();
}

namespace {

Status EvaluateFunctionCall(const FunctionCallExpression& call, const EvalFrame& frame,
                            Selection selection, Vector* out) {
  std::vector<Vector> args(call.children().size());
  for (size_t arg_idx = 0; arg_idx < args.size(); ++arg_idx) {
    RETURN_NOT_OK(EvaluateNode(call.child(arg_idx), frame, selection, &args[arg_idx]));
  }
  const ScalarFunction& function = call.function();
  return RunKernel(call.overload().kernel, function.null_handling, function.per_row, call.state(),
                   function.name, args, call.type(), frame, selection, out);
}

Status EvaluateCast(const Expression& cast, const EvalFrame& frame, Selection selection,
                    Vector* out) {
  Vector operand;
  RETURN_NOT_OK(EvaluateNode(cast.child(0), frame, selection, &operand));
  return RunKernel(CastKernel, NullHandling::kPropagate, false, nullptr, "CAST",
                   std::span<const Vector>(&operand, 1), cast.type(), frame, selection, out);
}

Status Dispatch(const Expression& expr, const EvalFrame& frame, Selection selection,
                Vector* out) {
  switch (expr.kind()) {
    case ExpressionKind::kColumnRef: {
      int index = expr.As<ColumnRefExpression>().index();
      if (index < 0 || static_cast<size_t>(index) >= frame.batch.num_columns()) {
        return Status::Internal("column reference #" + std::to_string(index) +
                                " is outside the batch (" +
                                std::to_string(frame.batch.num_columns()) + " columns)");
      }
      *out = Vector::Borrow(frame.batch.column(static_cast<size_t>(index)), false);
      return Status::OK();
    }
    case ExpressionKind::kLiteral:
      *out = Vector::Borrow(expr.As<LiteralExpression>().cell(), true);
      return Status::OK();
    case ExpressionKind::kFunctionCall:
      return EvaluateFunctionCall(expr.As<FunctionCallExpression>(), frame, selection, out);
    case ExpressionKind::kCast: return EvaluateCast(expr, frame, selection, out);
    case ExpressionKind::kCase: return EvaluateCase(expr, frame, selection, out);
    case ExpressionKind::kAnd:
    case ExpressionKind::kOr: return EvaluateConjunction(expr, frame, selection, out);
    case ExpressionKind::kNot: return EvaluateNot(expr, frame, selection, out);
    case ExpressionKind::kIsNull: return EvaluateIsNull(expr, frame, selection, out);
    case ExpressionKind::kInList: return EvaluateInList(expr, frame, selection, out);
    case ExpressionKind::kLike: return EvaluateLike(expr, frame, selection, out);
    case ExpressionKind::kCoalesce: return EvaluateCoalesce(expr, frame, selection, out);
    case ExpressionKind::kNullIf: return EvaluateNullIf(expr, frame, selection, out);
    case ExpressionKind::kStructField: return EvaluateStructField(expr, frame, selection, out);
    case ExpressionKind::kMapAccess: return EvaluateMapAccess(expr, frame, selection, out);
    case ExpressionKind::kArraySubscript:
      return EvaluateArraySubscript(expr, frame, selection, out);
  }
  return Status::Internal("unknown expression kind");
}

EvalFrame MakeFrame(const RecordBatch& input, EvalContext& context) {
  return EvalFrame{input, input.num_rows(), context,
                   context.now_millis >= 0 ? context.now_millis : CurrentTimeMillis()};
}

}  // namespace

Status EvaluateNode(const Expression& expr, const EvalFrame& frame, Selection selection,
                    Vector* out) {
  Status status = Dispatch(expr, frame, selection, out);
  // The innermost failing node keeps its position: WithPosition only fills an empty one.
  if (!status.ok() && status.category() == ErrorCategory::kExecution && expr.position() >= 0) {
    return status.WithPosition(expr.position());
  }
  return status;
}

Status Evaluate(const Expression& expr, const RecordBatch& input, Column* out,
                EvalContext& context) {
  EvalFrame frame = MakeFrame(input, context);
  Vector result;
  RETURN_NOT_OK(EvaluateNode(expr, frame, nullptr, &result));
  *out = Materialize(std::move(result), frame.num_rows);
  return Status::OK();
}

Status EvaluateFilter(const Expression& predicate, const RecordBatch& input,
                      std::vector<uint8_t>* keep, EvalContext& context) {
  EvalFrame frame = MakeFrame(input, context);
  Vector result;
  RETURN_NOT_OK(EvaluateNode(predicate, frame, nullptr, &result));
  const Column& column = result.column();
  size_t rows = frame.num_rows;
  keep->resize(rows);
  if (column.type().physical() != PhysicalKind::kInt64) {  // WHERE NULL
    keep->assign(rows, 0);
    return Status::OK();
  }
  const uint8_t* valid = column.valid().data();
  const int64_t* values = column.ints().data();
  if (result.constant()) {
    keep->assign(rows, valid[0] != 0 && values[0] != 0 ? 1 : 0);
    return Status::OK();
  }
  uint8_t* out = keep->data();
  for (size_t row = 0; row < rows; ++row) out[row] = valid[row] & (values[row] != 0 ? 1 : 0);
  return Status::OK();
}

Result<Value> EvaluateScalar(const Expression& expr, EvalContext& context) {
  RecordBatch batch;
  batch.meta().resize(1);
  Column column;
  RETURN_NOT_OK(Evaluate(expr, batch, &column, context));
  return column.GetValue(0);
}

}  // namespace sluice
