#pragma once
// Internals shared by the per-kind evaluators (evaluate_*.cc). A node is evaluated under a
// selection: the rows whose value is actually needed. Rows outside it hold unspecified cells and
// must raise no error, which is what lets CASE, COALESCE and AND/OR skip rows without tripping over
// a division by zero in a branch that was never taken.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "common/batch.h"
#include "runtime/expression/evaluate.h"
#include "runtime/expression/expression_node.h"
#include "runtime/expression/vector.h"
#include "runtime/function/function.h"

namespace sluice {

struct EvalFrame {
  const RecordBatch& batch;
  size_t num_rows;
  EvalContext& context;
  int64_t now_millis;
};

// Null means every row; otherwise a byte per row, non-zero when selected.
using Selection = const uint8_t*;

Status EvaluateNode(const Expression& expr, const EvalFrame& frame, Selection selection,
                    Vector* out);

// Runs `kernel` over evaluated arguments the way function calls and casts share: works out
// constant-ness, the rows to compute and NULL propagation, then calls the kernel once.
Status RunKernel(ScalarKernel kernel, NullHandling null_handling, bool per_row,
                 const FunctionState* state, std::string_view name, std::span<const Vector> args,
                 const DataType& type, const EvalFrame& frame, Selection selection, Vector* out);

// Per-kind evaluators.
Status EvaluateConjunction(const Expression& expr, const EvalFrame& frame, Selection selection,
                           Vector* out);
Status EvaluateNot(const Expression& expr, const EvalFrame& frame, Selection selection,
                   Vector* out);
Status EvaluateIsNull(const Expression& expr, const EvalFrame& frame, Selection selection,
                      Vector* out);
Status EvaluateCase(const Expression& expr, const EvalFrame& frame, Selection selection,
                    Vector* out);
Status EvaluateCoalesce(const Expression& expr, const EvalFrame& frame, Selection selection,
                        Vector* out);
Status EvaluateNullIf(const Expression& expr, const EvalFrame& frame, Selection selection,
                      Vector* out);
Status EvaluateInList(const Expression& expr, const EvalFrame& frame, Selection selection,
                      Vector* out);
Status EvaluateLike(const Expression& expr, const EvalFrame& frame, Selection selection,
                    Vector* out);
Status EvaluateStructField(const Expression& expr, const EvalFrame& frame, Selection selection,
                           Vector* out);
Status EvaluateMapAccess(const Expression& expr, const EvalFrame& frame, Selection selection,
                         Vector* out);
Status EvaluateArraySubscript(const Expression& expr, const EvalFrame& frame,
                              Selection selection, Vector* out);

// First selected row, or -1 when none is.
int64_t FirstSelected(Selection selection, size_t num_rows);
// A column of `type` with `rows` cells, all valid, value vectors sized (values unset).
Column NewColumn(const DataType& type, size_t rows);
// Sizes the value vector matching the column's physical kind to `rows`.
void ResizeValues(Column& column, size_t rows);
// Makes `to` keep alive every arena `from` holds strings in (including its private own arena).
void ShareStringArenas(const Column& from, Column& to);
// to[row] = from[row] (validity and value) for every row where mask[row] != 0 (null = all rows).
// REQUIRES: to has num_rows cells of the same physical kind.
void CopyRows(const Vector& from, Selection mask, size_t num_rows, Column& to);
// The vector as a full column of num_rows cells (broadcasting a constant, copying a borrow).
Column Materialize(Vector vector, size_t num_rows);

}  // namespace sluice
