#include "planner/binder/join_pushdown.h"

#include "planner/binder/bind_row_function.h"
#include "planner/binder/expression_binder.h"

namespace sluice {

void SplitConjuncts(const Expr& expr, std::vector<const Expr*>& out) {
  if (expr.kind == ExprKind::kBinary && expr.As<BinaryExpr>().op == BinaryOp::kAnd) {
    SplitConjuncts(*expr.As<BinaryExpr>().left, out);
    SplitConjuncts(*expr.As<BinaryExpr>().right, out);
    return;
  }
  out.push_back(&expr);
}

Result<std::set<size_t>> ReferencedRelations(const Expr& expr, BindScope& scope) {
  ExpressionBinder binder(scope);
  std::set<size_t> relations;
  binder.set_collect_hook([&](const Expr& node) -> std::optional<Status> {
    if (node.kind == ExprKind::kFunctionCall) {
      // ROWTIME(a) reads relation a's record.
      const auto& call = node.As<FunctionCallExpr>();
      std::optional<Result<size_t>> relation_idx = RowFunctionRelationOf(call, scope);
      if (!relation_idx.has_value()) return std::nullopt;
      if (!relation_idx->ok()) return relation_idx->status();
      relations.insert(**relation_idx);
      return CollectRowFunction(call, scope);
    }
    if (node.kind != ExprKind::kColumnRef) return std::nullopt;
    Result<ResolvedColumn> resolved = scope.Resolve(node.As<ColumnRefExpr>().parts, node.position);
    if (!resolved.ok()) return resolved.status();
    relations.insert(resolved->relation_idx);
    scope.MarkUsed(*resolved);
    return Status::OK();
  });
  RETURN_NOT_OK(binder.CollectColumns(expr));
  return relations;
}

bool CanPushBelowJoin(JoinType type, size_t side_idx, bool in_on) {
  switch (type) {
    case JoinType::kInner: return true;
    // WHERE may filter the preserved side early; ON may restrict the null-supplying side.
    case JoinType::kLeft: return in_on ? side_idx == 1 : side_idx == 0;
    case JoinType::kRight: return in_on ? side_idx == 0 : side_idx == 1;
    case JoinType::kFull: return false;
  }
  return false;
}

ExprPtr Conjoin(const std::vector<const Expr*>& conjuncts) {
  if (conjuncts.empty()) return nullptr;
  ExprPtr result = conjuncts[0]->Clone();
  for (size_t conjunct_idx = 1; conjunct_idx < conjuncts.size(); ++conjunct_idx) {
    const Expr& conjunct = *conjuncts[conjunct_idx];
    result = std::make_unique<BinaryExpr>(BinaryOp::kAnd, std::move(result), conjunct.Clone(),
                                          conjunct.position);
  }
  return result;
}

}  // namespace sluice
