// Evaluation of IN, LIKE and access into nested values (struct fields, map keys, array elements).

#include <algorithm>
#include <optional>

#include "runtime/expression/evaluate_internal.h"

namespace sluice {

namespace {

// Writes a Value into cell `row` of a typed column (nested access produces Values).
void SetCell(Column& out, size_t row, const Value& value) {
  if (value.is_null()) {
    out.valid()[row] = 0;
    return;
  }
  out.valid()[row] = 1;
  switch (out.type().physical()) {
    case PhysicalKind::kNull: out.valid()[row] = 0; break;
    case PhysicalKind::kInt64: out.ints()[row] = value.int_value(); break;
    case PhysicalKind::kDouble:
      out.doubles()[row] = value.type().physical() == PhysicalKind::kInt64
                               ? static_cast<double>(value.int_value())
                               : value.double_value();
      break;
    case PhysicalKind::kString: out.strings()[row] = out.own_arena().Add(value.string_value()); break;
    case PhysicalKind::kNested: out.nested()[row] = value; break;
  }
}

bool InSetContains(const InSet& set, const Vector& operand, size_t row) {
  switch (operand.column().type().physical()) {
    case PhysicalKind::kInt64:
      return std::binary_search(set.ints.begin(), set.ints.end(), operand.Int(row));
    case PhysicalKind::kDouble:
      return std::binary_search(set.doubles.begin(), set.doubles.end(), operand.Double(row));
    case PhysicalKind::kString: {
      std::string_view text = operand.String(row);
      auto it = std::lower_bound(set.strings.begin(), set.strings.end(), text,
                                 [](const std::string& a, std::string_view b) { return a < b; });
      return it != set.strings.end() && *it == text;
    }
    case PhysicalKind::kNested:
      return std::find(set.nested.begin(), set.nested.end(), operand.Nested(row)) !=
             set.nested.end();
    case PhysicalKind::kNull: return false;
  }
  return false;
}

// SQL equality of two non-NULL cells of the same type.
bool CellsEqual(const Vector& a, const Vector& b, size_t row) {
  switch (a.column().type().physical()) {
    case PhysicalKind::kInt64: return a.Int(row) == b.Int(row);
    case PhysicalKind::kDouble: return a.Double(row) == b.Double(row);
    case PhysicalKind::kString: return a.String(row) == b.String(row);
    case PhysicalKind::kNested: return a.Nested(row) == b.Nested(row);
    case PhysicalKind::kNull: return false;
  }
  return false;
}

}  // namespace

Status EvaluateInList(const Expression& expr, const EvalFrame& frame, Selection selection,
                      Vector* out) {
  const auto& node = expr.As<InListExpression>();
  Vector operand;
  RETURN_NOT_OK(EvaluateNode(expr.child(0), frame, selection, &operand));
  std::vector<Vector> items;
  bool constant = operand.constant();
  if (node.set() == nullptr) {
    items.resize(expr.children().size() - 1);
    for (size_t item_idx = 0; item_idx < items.size(); ++item_idx) {
      RETURN_NOT_OK(EvaluateNode(expr.child(item_idx + 1), frame, selection, &items[item_idx]));
      constant &= items[item_idx].constant();
    }
  }
  size_t rows = constant ? 1 : frame.num_rows;
  Column result = NewColumn(DataType::Boolean(), rows);
  int64_t on_match = node.negated() ? 0 : 1;
  for (size_t row = 0; row < rows; ++row) {
    if (!operand.IsValid(row)) {
      result.valid()[row] = 0;
      continue;
    }
    bool found = false;
    bool saw_null = false;
    if (node.set() != nullptr) {
      found = InSetContains(*node.set(), operand, row);
      saw_null = node.set()->has_null;
    } else {
      for (const Vector& item : items) {
        if (!item.IsValid(row)) {
          saw_null = true;
        } else if (CellsEqual(operand, item, row)) {
          found = true;
          break;
        }
      }
    }
    if (found) {
      result.ints()[row] = on_match;
    } else if (saw_null) {
      result.valid()[row] = 0;
    } else {
      result.ints()[row] = 1 - on_match;
    }
  }
  *out = Vector::Own(std::move(result), constant);
  return Status::OK();
}

Status EvaluateLike(const Expression& expr, const EvalFrame& frame, Selection selection,
                    Vector* out) {
  const auto& node = expr.As<LikeExpression>();
  Vector operand, pattern;
  RETURN_NOT_OK(EvaluateNode(expr.child(0), frame, selection, &operand));
  RETURN_NOT_OK(EvaluateNode(expr.child(1), frame, selection, &pattern));
  bool constant = operand.constant() && pattern.constant();
  size_t rows = constant ? 1 : frame.num_rows;
  Column result = NewColumn(DataType::Boolean(), rows);
  const LikeMatcher* literal_matcher = node.matcher();
  // A pattern that arrives as data is compiled when it changes from one row to the next.
  std::optional<LikeMatcher> row_matcher;
  int64_t on_match = node.negated() ? 0 : 1;
  for (size_t row = 0; row < rows; ++row) {
    bool selected = constant ? FirstSelected(selection, frame.num_rows) >= 0
                             : selection == nullptr || selection[row] != 0;
    if (!selected || !operand.IsValid(row) || !pattern.IsValid(row)) {
      result.valid()[row] = 0;
      continue;
    }
    const LikeMatcher* matcher = literal_matcher;
    if (matcher == nullptr) {
      std::string_view text = pattern.String(row);
      if (!row_matcher || row_matcher->pattern() != text) {
        Result<LikeMatcher> compiled = LikeMatcher::Compile(text, node.escape());
        if (!compiled.ok()) {
          frame.context.error_row = constant ? FirstSelected(selection, frame.num_rows)
                                             : static_cast<int64_t>(row);
          return compiled.status();
        }
        row_matcher = std::move(compiled).value();
      }
      matcher = &*row_matcher;
    }
    result.ints()[row] = matcher->Matches(operand.String(row)) ? on_match : 1 - on_match;
  }
  *out = Vector::Own(std::move(result), constant);
  return Status::OK();
}

Status EvaluateStructField(const Expression& expr, const EvalFrame& frame, Selection selection,
                           Vector* out) {
  Vector operand;
  RETURN_NOT_OK(EvaluateNode(expr.child(0), frame, selection, &operand));
  size_t field = static_cast<size_t>(expr.As<StructFieldExpression>().field_index());
  size_t rows = operand.constant() ? 1 : frame.num_rows;
  Column result = NewColumn(expr.type(), rows);
  for (size_t row = 0; row < rows; ++row) {
    if (!operand.IsValid(row)) {
      result.valid()[row] = 0;
      continue;
    }
    const NestedValue& fields = operand.Nested(row).nested();
    if (field < fields.values.size()) {
      SetCell(result, row, fields.values[field]);
    } else {
      result.valid()[row] = 0;
    }
  }
  *out = Vector::Own(std::move(result), operand.constant());
  return Status::OK();
}

Status EvaluateMapAccess(const Expression& expr, const EvalFrame& frame, Selection selection,
                         Vector* out) {
  Vector map, key;
  RETURN_NOT_OK(EvaluateNode(expr.child(0), frame, selection, &map));
  RETURN_NOT_OK(EvaluateNode(expr.child(1), frame, selection, &key));
  bool constant = map.constant() && key.constant();
  size_t rows = constant ? 1 : frame.num_rows;
  Column result = NewColumn(expr.type(), rows);
  for (size_t row = 0; row < rows; ++row) {
    result.valid()[row] = 0;
    if (!map.IsValid(row) || !key.IsValid(row)) continue;
    const NestedValue& entries = map.Nested(row).nested();
    std::string_view wanted = key.String(row);
    for (size_t entry_idx = 0; entry_idx < entries.keys.size(); ++entry_idx) {
      if (entries.keys[entry_idx] == wanted) {
        SetCell(result, row, entries.values[entry_idx]);
        break;
      }
    }
  }
  *out = Vector::Own(std::move(result), constant);
  return Status::OK();
}

Status EvaluateArraySubscript(const Expression& expr, const EvalFrame& frame,
                              Selection selection, Vector* out) {
  Vector array, index;
  RETURN_NOT_OK(EvaluateNode(expr.child(0), frame, selection, &array));
  RETURN_NOT_OK(EvaluateNode(expr.child(1), frame, selection, &index));
  bool constant = array.constant() && index.constant();
  size_t rows = constant ? 1 : frame.num_rows;
  Column result = NewColumn(expr.type(), rows);
  for (size_t row = 0; row < rows; ++row) {
    result.valid()[row] = 0;
    if (!array.IsValid(row) || !index.IsValid(row)) continue;
    const std::vector<Value>& elements = array.Nested(row).nested().values;
    int64_t position = index.Int(row);  // 1-based
    if (position >= 1 && static_cast<uint64_t>(position) <= elements.size()) {
      SetCell(result, row, elements[static_cast<size_t>(position - 1)]);
    }
  }
  *out = Vector::Own(std::move(result), constant);
  return Status::OK();
}

}  // namespace sluice
