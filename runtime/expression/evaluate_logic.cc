// Evaluation of the control-flow nodes: AND / OR / NOT, IS NULL, CASE, COALESCE and NULLIF. Each
// passes a narrowed selection to the children it evaluates conditionally.

#include "runtime/expression/evaluate_internal.h"

namespace sluice {

namespace {

std::vector<uint8_t> SelectionCopy(Selection selection, size_t num_rows) {
  if (selection == nullptr) return std::vector<uint8_t>(num_rows, 1);
  return std::vector<uint8_t>(selection, selection + num_rows);
}

bool AnySet(const std::vector<uint8_t>& bytes) {
  for (uint8_t byte : bytes) {
    if (byte != 0) return true;
  }
  return false;
}

}  // namespace

Status EvaluateConjunction(const Expression& expr, const EvalFrame& frame, Selection selection,
                           Vector* out) {
  // AND: a FALSE child decides the row; OR: a TRUE child does. Otherwise a NULL child makes the
  // row NULL, and without one the row is the neutral value.
  bool is_and = expr.kind() == ExpressionKind::kAnd;
  int64_t deciding_value = is_and ? 0 : 1;
  size_t rows = frame.num_rows;
  std::vector<uint8_t> decided(rows, 0), has_null(rows, 0), pending;
  Selection child_selection = selection;
  for (const ExpressionPtr& child : expr.children()) {
    Vector value;
    RETURN_NOT_OK(EvaluateNode(*child, frame, child_selection, &value));
    const uint8_t* valid = value.column().valid().data();
    const int64_t* ints = value.column().ints().data();
    bool newly_decided = false;
    for (size_t row = 0; row < rows; ++row) {
      if (child_selection != nullptr && child_selection[row] == 0) continue;
      size_t index = value.Index(row);
      if (valid[index] == 0) {
        has_null[row] = 1;
      } else if ((ints[index] != 0) == (deciding_value != 0)) {
        decided[row] = 1;
        newly_decided = true;
      }
    }
    if (newly_decided) {
      pending = SelectionCopy(selection, rows);
      for (size_t row = 0; row < rows; ++row) pending[row] &= decided[row] ^ 1;
      child_selection = pending.data();
    }
  }
  Column result = NewColumn(DataType::Boolean(), rows);
  std::vector<uint8_t>& result_valid = result.valid();
  std::vector<int64_t>& result_values = result.ints();
  for (size_t row = 0; row < rows; ++row) {
    if (decided[row]) {
      result_values[row] = deciding_value;
    } else {
      result_valid[row] = has_null[row] ^ 1;
      result_values[row] = 1 - deciding_value;
    }
  }
  *out = Vector::Own(std::move(result), false);
  return Status::OK();
}

Status EvaluateNot(const Expression& expr, const EvalFrame& frame, Selection selection,
                   Vector* out) {
  Vector operand;
  RETURN_NOT_OK(EvaluateNode(expr.child(0), frame, selection, &operand));
  size_t rows = operand.constant() ? 1 : frame.num_rows;
  Column result(DataType::Boolean());
  result.valid() = std::vector<uint8_t>(operand.column().valid().begin(),
                                        operand.column().valid().begin() + static_cast<ptrdiff_t>(rows));
  result.ints().resize(rows);
  const int64_t* values = operand.column().ints().data();
  for (size_t row = 0; row < rows; ++row) result.ints()[row] = values[row] == 0 ? 1 : 0;
  *out = Vector::Own(std::move(result), operand.constant());
  return Status::OK();
}

Status EvaluateIsNull(const Expression& expr, const EvalFrame& frame, Selection selection,
                      Vector* out) {
  Vector operand;
  RETURN_NOT_OK(EvaluateNode(expr.child(0), frame, selection, &operand));
  bool negated = expr.As<IsNullExpression>().negated();
  size_t rows = operand.constant() ? 1 : frame.num_rows;
  Column result = NewColumn(DataType::Boolean(), rows);
  const uint8_t* valid = operand.column().valid().data();
  for (size_t row = 0; row < rows; ++row) {
    result.ints()[row] = negated ? valid[row] != 0 : valid[row] == 0;
  }
  *out = Vector::Own(std::move(result), operand.constant());
  return Status::OK();
}

Status EvaluateCase(const Expression& expr, const EvalFrame& frame, Selection selection,
                    Vector* out) {
  const auto& node = expr.As<CaseExpression>();
  size_t rows = frame.num_rows;
  Column result = NewColumn(expr.type(), rows);
  result.valid().assign(rows, 0);  // rows no branch takes are NULL
  std::vector<uint8_t> remaining = SelectionCopy(selection, rows);
  std::vector<uint8_t> matched(rows);
  for (size_t when_idx = 0; when_idx < node.num_whens() && AnySet(remaining); ++when_idx) {
    Vector condition;
    RETURN_NOT_OK(EvaluateNode(expr.child(2 * when_idx), frame, remaining.data(), &condition));
    const uint8_t* valid = condition.column().valid().data();
    const int64_t* values = condition.column().ints().data();
    bool any_matched = false;
    for (size_t row = 0; row < rows; ++row) {
      size_t index = condition.Index(row);
      matched[row] = remaining[row] & valid[index] & (values[index] != 0 ? 1 : 0);
      remaining[row] &= matched[row] ^ 1;
      any_matched |= matched[row] != 0;
    }
    if (!any_matched) continue;
    Vector then;
    RETURN_NOT_OK(EvaluateNode(expr.child(2 * when_idx + 1), frame, matched.data(), &then));
    CopyRows(then, matched.data(), rows, result);
  }
  if (node.has_else() && AnySet(remaining)) {
    Vector otherwise;
    RETURN_NOT_OK(EvaluateNode(*expr.children().back(), frame, remaining.data(), &otherwise));
    CopyRows(otherwise, remaining.data(), rows, result);
  }
  *out = Vector::Own(std::move(result), false);
  return Status::OK();
}

Status EvaluateCoalesce(const Expression& expr, const EvalFrame& frame, Selection selection,
                        Vector* out) {
  size_t rows = frame.num_rows;
  Vector first;
  RETURN_NOT_OK(EvaluateNode(expr.child(0), frame, selection, &first));
  const std::vector<uint8_t>& first_valid = first.column().valid();
  bool complete = first.constant() ? first_valid[0] != 0 : true;
  for (size_t row = 0; row < rows && complete && !first.constant(); ++row) {
    complete = first_valid[row] != 0 || (selection != nullptr && selection[row] == 0);
  }
  if (complete) {  // the common case: nothing to fill in
    *out = std::move(first);
    return Status::OK();
  }
  Column result = NewColumn(expr.type(), rows);
  std::vector<uint8_t> remaining = SelectionCopy(selection, rows);
  CopyRows(first, remaining.data(), rows, result);
  for (size_t arg_idx = 1; arg_idx < expr.children().size(); ++arg_idx) {
    for (size_t row = 0; row < rows; ++row) remaining[row] &= result.valid()[row] ^ 1;
    if (!AnySet(remaining)) break;
    Vector next;
    RETURN_NOT_OK(EvaluateNode(expr.child(arg_idx), frame, remaining.data(), &next));
    CopyRows(next, remaining.data(), rows, result);
  }
  *out = Vector::Own(std::move(result), false);
  return Status::OK();
}

Status EvaluateNullIf(const Expression& expr, const EvalFrame& frame, Selection selection,
                      Vector* out) {
  Vector value, equal;
  RETURN_NOT_OK(EvaluateNode(expr.child(0), frame, selection, &value));
  RETURN_NOT_OK(EvaluateNode(expr.child(1), frame, selection, &equal));
  bool constant = value.constant() && equal.constant();
  size_t rows = constant ? 1 : frame.num_rows;
  Column result = Materialize(std::move(value), rows);
  const uint8_t* equal_valid = equal.column().valid().data();
  const int64_t* equal_values = equal.column().ints().data();
  for (size_t row = 0; row < rows; ++row) {
    size_t index = equal.Index(row);
    if (equal_valid[index] != 0 && equal_values[index] != 0) result.valid()[row] = 0;
  }
  *out = Vector::Own(std::move(result), constant);
  return Status::OK();
}

}  // namespace sluice
