#include "planner/binder/expression_binder.h"

#include <charconv>

#include "common/json_codec.h"
#include "planner/binder/bind_row_function.h"
#include "runtime/expression/evaluate.h"
#include "runtime/expression/type_rules.h"

namespace sluice {

namespace {

using ExpressionPtr = std::unique_ptr<Expression>;

// Aggregates are recognised so the error says what is missing rather than "unknown function".
bool IsAggregateName(const std::string& name) {
  return name == "count" || name == "sum" || name == "avg" || name == "min" || name == "max" ||
         name == "latest_by_offset" || name == "earliest_by_offset";
}

Result<Value> LiteralValue(const LiteralExpr& literal) {
  switch (literal.literal_kind) {
    case LiteralKind::kNull: return Value::Null();
    case LiteralKind::kBoolean: return Value::Boolean(literal.bool_value);
    case LiteralKind::kInteger: {
      int64_t value = 0;
      auto [end, error] =
          std::from_chars(literal.text.data(), literal.text.data() + literal.text.size(), value);
      if (error != std::errc() || end != literal.text.data() + literal.text.size()) {
        // Too large for BIGINT: keep it exact as a DECIMAL if it fits, else a DOUBLE.
        return Value::Double(std::stod(literal.text));
      }
      if (value >= INT32_MIN && value <= INT32_MAX)
        return Value::Integer(static_cast<int32_t>(value));
      return Value::Bigint(value);
    }
    case LiteralKind::kDecimal: {
      // "12.50" -> DECIMAL(4, 2); more than 18 digits falls back to DOUBLE.
      std::string digits;
      int scale = 0;
      bool after_point = false;
      bool negative = false;
      for (char c : literal.text) {
        if (c == '-') {
          negative = true;
        } else if (c == '.') {
          after_point = true;
        } else {
          digits += c;
          scale += after_point ? 1 : 0;
        }
      }
      while (digits.size() > 1 && digits[0] == '0') digits.erase(digits.begin());
      int precision = std::max<int>(static_cast<int>(digits.size()), scale);
      if (precision == 0) precision = 1;
      if (precision > 18) return Value::Double(std::stod(literal.text));
      int64_t unscaled = digits.empty() ? 0 : std::stoll(digits);
      return Value::Decimal(negative ? -unscaled : unscaled, precision, scale);
    }
    case LiteralKind::kDouble: return Value::Double(std::stod(literal.text));
    case LiteralKind::kString: return Value::Varchar(literal.text);
    case LiteralKind::kTimestamp: {
      Result<int64_t> millis = ParseTimestamp(literal.text);
      if (!millis.ok()) {
        return Status::Binder("invalid TIMESTAMP literal '" + literal.text + "'", literal.position);
      }
      return Value::Timestamp(*millis);
    }
    case LiteralKind::kDate: {
      Result<int32_t> days = ParseDate(literal.text);
      if (!days.ok()) {
        return Status::Binder("invalid DATE literal '" + literal.text + "'", literal.position);
      }
      return Value::Date(*days);
    }
    case LiteralKind::kInterval:
      // An interval stands for its length in milliseconds (BIGINT), so ts + INTERVAL 1 HOUR on a
      // BIGINT epoch-ms column does what it says.
      return Value::Bigint(literal.interval.millis);
  }
  return Status::Internal("unknown literal kind");
}

Status NoColumns(const Expr& expr) {
  return Status::Binder("column references are not allowed here", expr.position);
}

}  // namespace

Status ExpressionBinder::CollectColumns(const Expr& expr) {
  if (collect_hook_) {
    std::optional<Status> hooked = collect_hook_(expr);
    if (hooked.has_value()) return *hooked;
  }
  switch (expr.kind) {
    case ExprKind::kColumnRef: {
      const auto& ref = expr.As<ColumnRefExpr>();
      ASSIGN_OR_RETURN(ResolvedColumn column, scope_.Resolve(ref.parts, ref.position));
      scope_.MarkUsed(column);
      return Status::OK();
    }
    case ExprKind::kStar:
      return Status::Binder("* is only allowed in the select list or COUNT(*)", expr.position);
    case ExprKind::kLiteral: return Status::OK();
    case ExprKind::kFunctionCall: {
      const auto& call = expr.As<FunctionCallExpr>();
      if (std::optional<Status> row_function = CollectRowFunction(call, scope_)) {
        return *row_function;
      }
      for (const auto& arg : call.args) RETURN_NOT_OK(CollectColumns(*arg));
      return Status::OK();
    }
    case ExprKind::kCast: return CollectColumns(*expr.As<CastExpr>().operand);
    case ExprKind::kCase: {
      const auto& case_expr = expr.As<CaseExpr>();
      if (case_expr.operand) RETURN_NOT_OK(CollectColumns(*case_expr.operand));
      for (const auto& when : case_expr.whens) {
        RETURN_NOT_OK(CollectColumns(*when.when));
        RETURN_NOT_OK(CollectColumns(*when.then));
      }
      if (case_expr.else_result) RETURN_NOT_OK(CollectColumns(*case_expr.else_result));
      return Status::OK();
    }
    case ExprKind::kUnary: return CollectColumns(*expr.As<UnaryExpr>().operand);
    case ExprKind::kBinary:
      RETURN_NOT_OK(CollectColumns(*expr.As<BinaryExpr>().left));
      return CollectColumns(*expr.As<BinaryExpr>().right);
    case ExprKind::kIsNull: return CollectColumns(*expr.As<IsNullExpr>().operand);
    case ExprKind::kBetween: {
      const auto& between = expr.As<BetweenExpr>();
      RETURN_NOT_OK(CollectColumns(*between.operand));
      RETURN_NOT_OK(CollectColumns(*between.low));
      return CollectColumns(*between.high);
    }
    case ExprKind::kInList: {
      const auto& in = expr.As<InListExpr>();
      RETURN_NOT_OK(CollectColumns(*in.operand));
      for (const auto& item : in.list) RETURN_NOT_OK(CollectColumns(*item));
      return Status::OK();
    }
    case ExprKind::kLike:
      RETURN_NOT_OK(CollectColumns(*expr.As<LikeExpr>().operand));
      return CollectColumns(*expr.As<LikeExpr>().pattern);
    case ExprKind::kFieldAccess: return CollectColumns(*expr.As<FieldAccessExpr>().operand);
    case ExprKind::kSubscript:
      RETURN_NOT_OK(CollectColumns(*expr.As<SubscriptExpr>().operand));
      return CollectColumns(*expr.As<SubscriptExpr>().index);
  }
  return Status::OK();
}

Result<std::unique_ptr<Expression>> ExpressionBinder::BindLiteral(const LiteralExpr& literal) {
  ASSIGN_OR_RETURN(Value value, LiteralValue(literal));
  return MakeLiteral(std::move(value), literal.position);
}

Result<std::unique_ptr<Expression>> ExpressionBinder::BindColumnRef(const ColumnRefExpr& ref) {
  ASSIGN_OR_RETURN(ResolvedColumn column, scope_.Resolve(ref.parts, ref.position));
  const Field& field = scope_.relations()[column.relation_idx].schema.field(column.column_idx);
  int batch_index = scope_.BatchIndex(column);
  if (batch_index < 0) return Status::Internal("column \"" + field.name + "\" was not collected");
  ExpressionPtr result = MakeColumnRef(batch_index, field.type, ref.position);
  for (const std::string& name : column.fields) {
    ASSIGN_OR_RETURN(result, MakeFieldAccess(std::move(result), name, ref.position));
  }
  return result;
}

Result<std::unique_ptr<Expression>> ExpressionBinder::BindFunctionCall(
    const FunctionCallExpr& call) {
  if (auto row_function = BindRowFunction(call, scope_)) return std::move(*row_function);
  if (IsAggregateName(call.name)) {
    return Status::Binder("aggregate function " + call.name + "() is not allowed here; " +
                              "aggregates belong in the select list or HAVING",
                          call.position);
  }
  if (call.star_arg) {
    return Status::Binder(call.name + "(*) is not a function call; only COUNT(*) takes *",
                          call.position);
  }
  if (call.distinct) {
    return Status::Binder("DISTINCT is only allowed in aggregate functions", call.position);
  }
  std::vector<ExpressionPtr> args;
  for (const auto& arg : call.args) {
    ASSIGN_OR_RETURN(ExpressionPtr bound, Bind(*arg));
    args.push_back(std::move(bound));
  }
  return MakeFunctionCall(call.name, std::move(args), call.position);
}

Result<std::unique_ptr<Expression>> ExpressionBinder::BindCase(const CaseExpr& expr) {
  std::vector<CaseBranch> branches;
  for (const auto& clause : expr.whens) {
    CaseBranch branch;
    if (expr.operand) {
      ASSIGN_OR_RETURN(branch.when, Bind(*clause.when));
    } else {
      ASSIGN_OR_RETURN(branch.when, BindPredicate(*clause.when, "CASE WHEN"));
    }
    ASSIGN_OR_RETURN(branch.then, Bind(*clause.then));
    branches.push_back(std::move(branch));
  }
  ExpressionPtr otherwise;
  if (expr.else_result) {
    ASSIGN_OR_RETURN(otherwise, Bind(*expr.else_result));
  }
  if (expr.operand) {
    ASSIGN_OR_RETURN(ExpressionPtr operand, Bind(*expr.operand));
    return MakeSimpleCase(std::move(operand), std::move(branches), std::move(otherwise),
                          expr.position);
  }
  return MakeCase(std::move(branches), std::move(otherwise), expr.position);
}

Result<std::unique_ptr<Expression>> ExpressionBinder::BindBinary(const BinaryExpr& expr) {
  ASSIGN_OR_RETURN(ExpressionPtr left, Bind(*expr.left));
  ASSIGN_OR_RETURN(ExpressionPtr right, Bind(*expr.right));
  switch (expr.op) {
    case BinaryOp::kAdd:
      return MakeArithmetic(ArithmeticOp::kAdd, std::move(left), std::move(right), expr.position);
    case BinaryOp::kSubtract:
      return MakeArithmetic(ArithmeticOp::kSubtract, std::move(left), std::move(right),
                            expr.position);
    case BinaryOp::kMultiply:
      return MakeArithmetic(ArithmeticOp::kMultiply, std::move(left), std::move(right),
                            expr.position);
    case BinaryOp::kDivide:
      return MakeArithmetic(ArithmeticOp::kDivide, std::move(left), std::move(right),
                            expr.position);
    case BinaryOp::kModulo:
      return MakeArithmetic(ArithmeticOp::kModulo, std::move(left), std::move(right),
                            expr.position);
    case BinaryOp::kConcat: return MakeConcat(std::move(left), std::move(right), expr.position);
    case BinaryOp::kEqual:
      return MakeComparison(ComparisonOp::kEqual, std::move(left), std::move(right), expr.position);
    case BinaryOp::kNotEqual:
      return MakeComparison(ComparisonOp::kNotEqual, std::move(left), std::move(right),
                            expr.position);
    case BinaryOp::kLess:
      return MakeComparison(ComparisonOp::kLess, std::move(left), std::move(right), expr.position);
    case BinaryOp::kLessEqual:
      return MakeComparison(ComparisonOp::kLessEqual, std::move(left), std::move(right),
                            expr.position);
    case BinaryOp::kGreater:
      return MakeComparison(ComparisonOp::kGreater, std::move(left), std::move(right),
                            expr.position);
    case BinaryOp::kGreaterEqual:
      return MakeComparison(ComparisonOp::kGreaterEqual, std::move(left), std::move(right),
                            expr.position);
    case BinaryOp::kAnd:
    case BinaryOp::kOr: {
      for (const ExpressionPtr* side : {&left, &right}) {
        const DataType& type = (*side)->type();
        if (type.id() != TypeId::kBoolean && type.id() != TypeId::kNull) {
          return Status::Binder(std::string("argument of ") + BinaryOpName(expr.op) +
                                    " must be BOOLEAN, not " + type.ToString(),
                                side == &left ? expr.left->position : expr.right->position);
        }
      }
      return expr.op == BinaryOp::kAnd ? MakeAnd(std::move(left), std::move(right), expr.position)
                                       : MakeOr(std::move(left), std::move(right), expr.position);
    }
  }
  return Status::Internal("unknown binary operator");
}

Result<std::unique_ptr<Expression>> ExpressionBinder::Bind(const Expr& expr) {
  if (bind_hook_) {
    auto hooked = bind_hook_(expr);
    if (hooked.has_value()) return std::move(*hooked);
  }
  switch (expr.kind) {
    case ExprKind::kLiteral: return BindLiteral(expr.As<LiteralExpr>());
    case ExprKind::kColumnRef: return BindColumnRef(expr.As<ColumnRefExpr>());
    case ExprKind::kStar:
      return Status::Binder("* is only allowed in the select list or COUNT(*)", expr.position);
    case ExprKind::kFunctionCall: return BindFunctionCall(expr.As<FunctionCallExpr>());
    case ExprKind::kCast: {
      const auto& cast = expr.As<CastExpr>();
      ASSIGN_OR_RETURN(ExpressionPtr operand, Bind(*cast.operand));
      return MakeCast(std::move(operand), cast.target.type, cast.position);
    }
    case ExprKind::kCase: return BindCase(expr.As<CaseExpr>());
    case ExprKind::kUnary: {
      const auto& unary = expr.As<UnaryExpr>();
      ASSIGN_OR_RETURN(ExpressionPtr operand, Bind(*unary.operand));
      if (unary.op == UnaryOp::kNot) {
        if (operand->type().id() != TypeId::kBoolean && operand->type().id() != TypeId::kNull) {
          return Status::Binder(
              "argument of NOT must be BOOLEAN, not " + operand->type().ToString(),
              unary.operand->position);
        }
        return MakeNot(std::move(operand), unary.position);
      }
      return MakeNegate(std::move(operand), unary.position);
    }
    case ExprKind::kBinary: return BindBinary(expr.As<BinaryExpr>());
    case ExprKind::kIsNull: {
      const auto& is_null = expr.As<IsNullExpr>();
      ASSIGN_OR_RETURN(ExpressionPtr operand, Bind(*is_null.operand));
      return MakeIsNull(std::move(operand), is_null.negated, is_null.position);
    }
    case ExprKind::kBetween: {
      const auto& between = expr.As<BetweenExpr>();
      ASSIGN_OR_RETURN(ExpressionPtr operand, Bind(*between.operand));
      ASSIGN_OR_RETURN(ExpressionPtr low, Bind(*between.low));
      ASSIGN_OR_RETURN(ExpressionPtr high, Bind(*between.high));
      return MakeBetween(std::move(operand), std::move(low), std::move(high), between.negated,
                         between.position);
    }
    case ExprKind::kInList: {
      const auto& in = expr.As<InListExpr>();
      ASSIGN_OR_RETURN(ExpressionPtr operand, Bind(*in.operand));
      std::vector<ExpressionPtr> list;
      for (const auto& item : in.list) {
        ASSIGN_OR_RETURN(ExpressionPtr bound, Bind(*item));
        list.push_back(std::move(bound));
      }
      return MakeInList(std::move(operand), std::move(list), in.negated, in.position);
    }
    case ExprKind::kLike: {
      const auto& like = expr.As<LikeExpr>();
      ASSIGN_OR_RETURN(ExpressionPtr operand, Bind(*like.operand));
      ASSIGN_OR_RETURN(ExpressionPtr pattern, Bind(*like.pattern));
      return MakeLike(std::move(operand), std::move(pattern), like.negated, like.position);
    }
    case ExprKind::kFieldAccess: {
      const auto& access = expr.As<FieldAccessExpr>();
      ASSIGN_OR_RETURN(ExpressionPtr operand, Bind(*access.operand));
      return MakeFieldAccess(std::move(operand), access.field, access.field_position);
    }
    case ExprKind::kSubscript: {
      const auto& subscript = expr.As<SubscriptExpr>();
      ASSIGN_OR_RETURN(ExpressionPtr operand, Bind(*subscript.operand));
      ASSIGN_OR_RETURN(ExpressionPtr index, Bind(*subscript.index));
      return MakeSubscript(std::move(operand), std::move(index), subscript.position);
    }
  }
  return Status::Internal("unknown expression kind");
}

Result<std::unique_ptr<Expression>> ExpressionBinder::BindPredicate(const Expr& expr,
                                                                    std::string_view clause) {
  ASSIGN_OR_RETURN(ExpressionPtr bound, Bind(expr));
  if (bound->type().id() != TypeId::kBoolean && bound->type().id() != TypeId::kNull) {
    return Status::Binder(
        "argument of " + std::string(clause) + " must be BOOLEAN, not " + bound->type().ToString(),
        expr.position);
  }
  return bound;
}

Result<Value> EvaluateConstant(const Expr& expr, const DataType& target) {
  BindScope scope;
  ExpressionBinder binder(scope);
  // A string literal for a nested column holds the value as JSON: '{"city":"Oslo"}'.
  if (target.is_nested() && expr.kind == ExprKind::kLiteral &&
      expr.As<LiteralExpr>().literal_kind == LiteralKind::kString) {
    Schema schema({Field{"v", target}});
    JsonRecordDecoder decoder(schema, {0});
    RecordBatch batch(decoder.output_schema());
    std::string json = "{\"v\":" + expr.As<LiteralExpr>().text + "}";
    Status status = decoder.DecodeRow(json, batch);
    if (!status.ok()) {
      return Status::Binder("cannot read " + target.ToString() + " from '" +
                                expr.As<LiteralExpr>().text + "': " + status.message(),
                            expr.position);
    }
    return batch.column(0).GetValue(0);
  }
  Status no_columns = binder.CollectColumns(expr);
  if (!no_columns.ok()) return NoColumns(expr);
  ASSIGN_OR_RETURN(ExpressionPtr bound, binder.Bind(expr));
  if (bound->type() != target) {
    if (!CanImplicitCast(bound->type(), target) &&
        !(bound->type().id() == TypeId::kVarchar && expr.kind == ExprKind::kLiteral)) {
      return Status::Binder("cannot use a " + bound->type().ToString() + " value for a " +
                                target.ToString() + " column",
                            expr.position);
    }
    ASSIGN_OR_RETURN(bound, MakeCast(std::move(bound), target, expr.position));
  }
  EvalContext context;
  Result<Value> value = EvaluateScalar(*bound, context);
  if (!value.ok()) return value.status().WithPosition(expr.position);
  return value;
}

}  // namespace sluice
