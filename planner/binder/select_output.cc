#include "planner/binder/select_output.h"

#include "parser/expression.h"

namespace sluice {

std::string DefaultItemName(const Expr& expr) {
  if (expr.kind == ExprKind::kColumnRef) return expr.As<ColumnRefExpr>().parts.back();
  if (expr.kind == ExprKind::kFieldAccess) return expr.As<FieldAccessExpr>().field;
  return ToSql(expr);
}

Status SelectOutput::Add(std::string name, std::unique_ptr<Expression> expr, int64_t position) {
  if (!names_.insert(name).second) {
    return Status::Binder("duplicate output column \"" + name + "\"; rename one with AS",
                          position);
  }
  schema_.Add(Field{std::move(name), expr->type()});
  expressions_.push_back(std::move(expr));
  return Status::OK();
}

Status SelectOutput::AddItem(const SelectItem& item, std::unique_ptr<Expression> expr) {
  if (item.alias.empty()) {
    return Add(DefaultItemName(*item.expr), std::move(expr), item.expr->position);
  }
  return Add(item.alias, std::move(expr), item.alias_position);
}

Result<std::unique_ptr<LogicalOperator>> SelectOutput::Finish(
    std::unique_ptr<LogicalOperator> plan, const SelectStatement& select) {
  auto projection = std::make_unique<LogicalProjection>(schema_, std::move(expressions_));
  projection->children().push_back(std::move(plan));
  plan = std::move(projection);
  if (select.limit) {
    if (*select.limit < 0) {
      return Status::Binder("LIMIT must not be negative", select.limit_position);
    }
    auto limit = std::make_unique<LogicalLimit>(plan->schema(), *select.limit);
    limit->children().push_back(std::move(plan));
    plan = std::move(limit);
  }
  return plan;
}

}  // namespace sluice
