// Node copies and the names of AST enums.

#include "parser/ast.h"

namespace sluice {
namespace {

ExprPtr CloneOrNull(const ExprPtr& expr) { return expr ? expr->Clone() : nullptr; }

ExprList CloneList(const ExprList& list) {
  ExprList copy;
  copy.reserve(list.size());
  for (const ExprPtr& expr : list) copy.push_back(expr->Clone());
  return copy;
}

}  // namespace

int64_t TimeUnitMillis(TimeUnit unit) {
  switch (unit) {
    case TimeUnit::kMillisecond: return 1;
    case TimeUnit::kSecond: return 1000;
    case TimeUnit::kMinute: return 60 * 1000;
    case TimeUnit::kHour: return 60 * 60 * 1000;
    case TimeUnit::kDay: return 24 * 60 * 60 * 1000;
  }
  return 1;
}

const char* TimeUnitName(TimeUnit unit) {
  switch (unit) {
    case TimeUnit::kMillisecond: return "MILLISECOND";
    case TimeUnit::kSecond: return "SECOND";
    case TimeUnit::kMinute: return "MINUTE";
    case TimeUnit::kHour: return "HOUR";
    case TimeUnit::kDay: return "DAY";
  }
  return "?";
}

const char* BinaryOpName(BinaryOp op) {
  switch (op) {
    case BinaryOp::kAdd: return "+";
    case BinaryOp::kSubtract: return "-";
    case BinaryOp::kMultiply: return "*";
    case BinaryOp::kDivide: return "/";
    case BinaryOp::kModulo: return "%";
    case BinaryOp::kConcat: return "||";
    case BinaryOp::kEqual: return "=";
    case BinaryOp::kNotEqual: return "<>";
    case BinaryOp::kLess: return "<";
    case BinaryOp::kLessEqual: return "<=";
    case BinaryOp::kGreater: return ">";
    case BinaryOp::kGreaterEqual: return ">=";
    case BinaryOp::kAnd: return "AND";
    case BinaryOp::kOr: return "OR";
  }
  return "?";
}

const char* ObjectTypeName(ObjectType type) {
  switch (type) {
    case ObjectType::kDatabase: return "DATABASE";
    case ObjectType::kSchema: return "SCHEMA";
    case ObjectType::kRelation: return "RELATION";
    case ObjectType::kStream: return "STREAM";
    case ObjectType::kChangelog: return "CHANGELOG";
    case ObjectType::kMaterializedView: return "MATERIALIZED VIEW";
    case ObjectType::kStore: return "STORE";
    case ObjectType::kQuery: return "QUERY";
  }
  return "?";
}

std::string QualifiedName::ToString() const {
  std::string text;
  for (const std::string& part : parts) {
    if (!text.empty()) text += '.';
    text += QuoteIdentifier(part);
  }
  return text;
}

ExprPtr LiteralExpr::Clone() const {
  auto copy = std::make_unique<LiteralExpr>(literal_kind, position);
  copy->text = text;
  copy->bool_value = bool_value;
  copy->interval = interval;
  return copy;
}

ExprPtr ColumnRefExpr::Clone() const {
  auto copy = std::make_unique<ColumnRefExpr>(position);
  copy->parts = parts;
  return copy;
}

ExprPtr StarExpr::Clone() const {
  auto copy = std::make_unique<StarExpr>(position);
  copy->qualifier = qualifier;
  return copy;
}

ExprPtr FunctionCallExpr::Clone() const {
  auto copy = std::make_unique<FunctionCallExpr>(position);
  copy->name = name;
  copy->args = CloneList(args);
  copy->distinct = distinct;
  copy->star_arg = star_arg;
  return copy;
}

ExprPtr CastExpr::Clone() const {
  auto copy = std::make_unique<CastExpr>(position);
  copy->operand = operand->Clone();
  copy->target = target;
  return copy;
}

ExprPtr CaseExpr::Clone() const {
  auto copy = std::make_unique<CaseExpr>(position);
  copy->operand = CloneOrNull(operand);
  for (const WhenClause& clause : whens) {
    copy->whens.push_back(WhenClause{clause.when->Clone(), clause.then->Clone()});
  }
  copy->else_result = CloneOrNull(else_result);
  return copy;
}

ExprPtr UnaryExpr::Clone() const {
  return std::make_unique<UnaryExpr>(op, operand->Clone(), position);
}

ExprPtr BinaryExpr::Clone() const {
  return std::make_unique<BinaryExpr>(op, left->Clone(), right->Clone(), position);
}

ExprPtr IsNullExpr::Clone() const {
  auto copy = std::make_unique<IsNullExpr>(position);
  copy->operand = operand->Clone();
  copy->negated = negated;
  return copy;
}

ExprPtr BetweenExpr::Clone() const {
  auto copy = std::make_unique<BetweenExpr>(position);
  copy->operand = operand->Clone();
  copy->low = low->Clone();
  copy->high = high->Clone();
  copy->negated = negated;
  return copy;
}

ExprPtr InListExpr::Clone() const {
  auto copy = std::make_unique<InListExpr>(position);
  copy->operand = operand->Clone();
  copy->list = CloneList(list);
  copy->negated = negated;
  return copy;
}

ExprPtr LikeExpr::Clone() const {
  auto copy = std::make_unique<LikeExpr>(position);
  copy->operand = operand->Clone();
  copy->pattern = pattern->Clone();
  copy->negated = negated;
  return copy;
}

ExprPtr FieldAccessExpr::Clone() const {
  auto copy = std::make_unique<FieldAccessExpr>(position);
  copy->operand = operand->Clone();
  copy->field = field;
  copy->field_position = field_position;
  return copy;
}

ExprPtr SubscriptExpr::Clone() const {
  auto copy = std::make_unique<SubscriptExpr>(position);
  copy->operand = operand->Clone();
  copy->index = index->Clone();
  return copy;
}

}  // namespace sluice
