#pragma once
// Helpers for the expression and function tests: build a batch from rows of Values, bind a call
// the way the binder does (through the factories), evaluate it, and read the results as Values.

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "common/batch.h"
#include "common/value.h"
#include "runtime/expression/evaluate.h"
#include "runtime/expression/expression_factory.h"

namespace sluice::testing {

// A batch with one column per field, filled row by row. REQUIRES: each row has schema.size()
// values of the field types (or NULL).
inline RecordBatch MakeBatch(const Schema& schema, const std::vector<std::vector<Value>>& rows) {
  RecordBatch batch(schema);
  for (const std::vector<Value>& row : rows) {
    for (size_t column_idx = 0; column_idx < schema.size(); ++column_idx) {
      batch.column(column_idx).AppendValue(row[column_idx]);
    }
  }
  batch.meta().resize(rows.size());
  return batch;
}

// One column "x" of `type` holding `values`.
inline RecordBatch OneColumn(const DataType& type, const std::vector<Value>& values) {
  std::vector<std::vector<Value>> rows;
  for (const Value& value : values) rows.push_back({value});
  return MakeBatch(Schema({Field{"x", type}}), rows);
}

inline std::vector<ExpressionPtr> Args() { return {}; }
template <typename... Rest>
std::vector<ExpressionPtr> Args(ExpressionPtr first, Rest... rest) {
  std::vector<ExpressionPtr> args = Args(std::move(rest)...);
  args.insert(args.begin(), std::move(first));
  return args;
}

inline ExpressionPtr Lit(Value value) { return MakeLiteral(std::move(value)); }
inline ExpressionPtr Text(std::string text) { return MakeLiteral(Value::Varchar(std::move(text))); }
inline ExpressionPtr Col(int index, DataType type) { return MakeColumnRef(index, std::move(type)); }

// Binds name(args); fails the test on a bind error.
inline ExpressionPtr Bind(std::string_view name, std::vector<ExpressionPtr> args) {
  Result<ExpressionPtr> call = MakeFunctionCall(name, std::move(args), 7);
  EXPECT_TRUE(call.ok()) << call.status().ToString();
  return call.ok() ? std::move(call).value() : nullptr;
}

// Evaluates `expr` over `batch`; the results as Values.
inline Result<std::vector<Value>> EvalRows(const Expression& expr, const RecordBatch& batch,
                                           EvalContext* context = nullptr) {
  EvalContext local;
  Column out;
  RETURN_NOT_OK(Evaluate(expr, batch, &out, context != nullptr ? *context : local));
  std::vector<Value> values;
  for (size_t row = 0; row < out.size(); ++row) values.push_back(out.GetValue(row));
  return values;
}

// name(literal args...) evaluated; bind errors and evaluation errors both come back as Status.
inline Result<Value> CallScalar(std::string_view name, std::vector<Value> values) {
  std::vector<ExpressionPtr> args;
  for (Value& value : values) args.push_back(MakeLiteral(std::move(value)));
  ASSIGN_OR_RETURN(ExpressionPtr call, MakeFunctionCall(name, std::move(args), 3));
  EvalContext context;
  return EvaluateScalar(*call, context);
}

// name(x) over a column holding `inputs` (so the kernel runs on a non-constant vector).
inline Result<std::vector<Value>> CallOnColumn(std::string_view name, const DataType& type,
                                               const std::vector<Value>& inputs,
                                               std::vector<ExpressionPtr> extra_args = {}) {
  std::vector<ExpressionPtr> args;
  args.push_back(MakeColumnRef(0, type));
  for (ExpressionPtr& arg : extra_args) args.push_back(std::move(arg));
  ASSIGN_OR_RETURN(ExpressionPtr call, MakeFunctionCall(name, std::move(args), 3));
  return EvalRows(*call, OneColumn(type, inputs));
}

}  // namespace sluice::testing
