#pragma once
// Binds parsed expressions (parser/expression.h) to typed runtime expressions
// (runtime/expression/expression.h) against a BindScope. Runs in two passes: CollectColumns marks
// what an expression reads, Bind builds the typed tree once the batch layout is known.

#include <memory>

#include "common/status.h"
#include "parser/expression.h"
#include "planner/binder/bind_scope.h"
#include "runtime/expression/expression_node.h"
#include "runtime/expression/expression_factory.h"

namespace sluice {

class ExpressionBinder {
 public:
  explicit ExpressionBinder(BindScope& scope) : scope_(scope) {}

  // Pass 1: resolves every column reference in `expr` and marks it used. Reports unknown and
  // ambiguous columns with their positions.
  Status CollectColumns(const Expr& expr);
  // Pass 2. REQUIRES: scope.AssignBatchLayout() ran after CollectColumns on this expression.
  Result<std::unique_ptr<Expression>> Bind(const Expr& expr);
  // Binds and requires a BOOLEAN result (WHERE, HAVING, ON): `clause` names it in the error.
  Result<std::unique_ptr<Expression>> BindPredicate(const Expr& expr, std::string_view clause);

 private:
  Result<std::unique_ptr<Expression>> BindLiteral(const LiteralExpr& literal);
  Result<std::unique_ptr<Expression>> BindColumnRef(const ColumnRefExpr& ref);
  Result<std::unique_ptr<Expression>> BindFunctionCall(const FunctionCallExpr& call);
  Result<std::unique_ptr<Expression>> BindCase(const CaseExpr& expr);
  Result<std::unique_ptr<Expression>> BindBinary(const BinaryExpr& expr);

  BindScope& scope_;
};

// Evaluates a constant expression (no column references), e.g. a VALUES row cell, and casts it to
// `target`. Errors carry the expression's position.
Result<Value> EvaluateConstant(const Expr& expr, const DataType& target);

}  // namespace sluice
