#pragma once
// Binds parsed expressions (parser/expression.h) to typed runtime expressions
// (runtime/expression/expression.h) against a BindScope. Runs in two passes: CollectColumns marks
// what an expression reads, Bind builds the typed tree once the batch layout is known.

#include <functional>
#include <memory>
#include <optional>

#include "common/status.h"
#include "parser/expression.h"
#include "planner/binder/bind_scope.h"
#include "runtime/expression/expression_factory.h"
#include "runtime/expression/expression_node.h"

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

  // Hooks for GROUP BY binding: a hook that returns a value takes over that subtree (an
  // aggregate call, a group key, window_start), so the rest of the binder stays unchanged.
  using CollectHook = std::function<std::optional<Status>(const Expr&)>;
  using BindHook = std::function<std::optional<Result<std::unique_ptr<Expression>>>(const Expr&)>;
  void set_collect_hook(CollectHook hook) { collect_hook_ = std::move(hook); }
  void set_bind_hook(BindHook hook) { bind_hook_ = std::move(hook); }

 private:
  Result<std::unique_ptr<Expression>> BindLiteral(const LiteralExpr& literal);
  Result<std::unique_ptr<Expression>> BindColumnRef(const ColumnRefExpr& ref);
  Result<std::unique_ptr<Expression>> BindFunctionCall(const FunctionCallExpr& call);
  Result<std::unique_ptr<Expression>> BindCase(const CaseExpr& expr);
  Result<std::unique_ptr<Expression>> BindBinary(const BinaryExpr& expr);

  BindScope& scope_;
  CollectHook collect_hook_;
  BindHook bind_hook_;
};

// Evaluates a constant expression (no column references), e.g. a VALUES row cell, and casts it to
// `target`. Errors carry the expression's position.
Result<Value> EvaluateConstant(const Expr& expr, const DataType& target);

}  // namespace sluice
