#include "runtime/expression/expression_factory.h"

#include "runtime/expression/cast.h"
#include "runtime/expression/evaluate.h"
#include "runtime/expression/factory_internal.h"
#include "runtime/expression/type_rules.h"
#include "runtime/function/function_registry.h"

namespace sluice {

const char* ComparisonOpName(ComparisonOp op) {
  switch (op) {
    case ComparisonOp::kEqual: return "=";
    case ComparisonOp::kNotEqual: return "<>";
    case ComparisonOp::kLess: return "<";
    case ComparisonOp::kLessEqual: return "<=";
    case ComparisonOp::kGreater: return ">";
    case ComparisonOp::kGreaterEqual: return ">=";
  }
  return "=";
}

const char* ArithmeticOpName(ArithmeticOp op) {
  switch (op) {
    case ArithmeticOp::kAdd: return "+";
    case ArithmeticOp::kSubtract: return "-";
    case ArithmeticOp::kMultiply: return "*";
    case ArithmeticOp::kDivide: return "/";
    case ArithmeticOp::kModulo: return "%";
  }
  return "+";
}

ExpressionPtr MakeColumnRef(int index, DataType type, int64_t position) {
  return std::make_unique<ColumnRefExpression>(index, std::move(type), position);
}

ExpressionPtr MakeLiteral(Value value, int64_t position) {
  return std::make_unique<LiteralExpression>(std::move(value), position);
}

Result<ExpressionPtr> MakeCast(ExpressionPtr operand, const DataType& target, int64_t position) {
  const DataType& from = operand->type();
  if (from == target) return operand;
  if (position < 0) position = operand->position();
  if (!CanCast(from, target)) {
    return Status::Binder("cannot cast " + from.ToString() + " to " + target.ToString(), position);
  }
  if (const Value* literal = operand->literal()) {
    Result<Value> converted = CastValue(*literal, target);
    if (!converted.ok()) return Status::Binder(converted.status().message(), position);
    return MakeLiteral(std::move(converted).value(), position);
  }
  return ExpressionPtr(std::make_unique<CastExpression>(std::move(operand), target, position));
}

Status CastAll(std::vector<ExpressionPtr>& exprs, const DataType& target) {
  for (ExpressionPtr& expr : exprs) {
    ASSIGN_OR_RETURN(expr, MakeCast(std::move(expr), target));
  }
  return Status::OK();
}

Status CoerceTemporalLiterals(std::vector<ExpressionPtr>& exprs) {
  const DataType* temporal = nullptr;
  for (const ExpressionPtr& expr : exprs) {
    TypeId id = expr->type().id();
    if (id == TypeId::kTimestamp || (id == TypeId::kDate && temporal == nullptr)) {
      temporal = &expr->type();
    }
  }
  if (temporal == nullptr) return Status::OK();
  DataType target = *temporal;
  for (ExpressionPtr& expr : exprs) {
    if (expr->type().id() != TypeId::kVarchar || expr->literal() == nullptr) continue;
    ASSIGN_OR_RETURN(expr, MakeCast(std::move(expr), target));
  }
  return Status::OK();
}

Result<DataType> UnifiedType(const std::vector<ExpressionPtr>& exprs, std::string_view what,
                             int64_t position) {
  DataType common = DataType::Null();
  for (const ExpressionPtr& expr : exprs) {
    std::optional<DataType> next = CommonSuperType(common, expr->type());
    if (!next) {
      return Status::Binder(std::string(what) + " types " + common.ToString() + " and " +
                                expr->type().ToString() + " cannot be matched",
                            expr->position() >= 0 ? expr->position() : position);
    }
    common = *next;
  }
  return common;
}

ExpressionPtr FoldIfConstant(ExpressionPtr expr, bool foldable) {
  if (!foldable) return expr;
  for (const ExpressionPtr& child : expr->children()) {
    if (child->literal() == nullptr) return expr;
  }
  EvalContext context;
  Result<Value> value = EvaluateScalar(*expr, context);
  // A failing constant (1 / 0) stays unevaluated: it may sit in a CASE branch no row takes.
  if (!value.ok()) return expr;
  return MakeLiteral(std::move(value).value(), expr->position());
}

namespace {

Status UnifyArguments(const ScalarFunction& function, std::vector<ExpressionPtr>& args,
                      int64_t position) {
  RETURN_NOT_OK(CoerceTemporalLiterals(args));
  DataType common = DataType::Null();
  for (const ExpressionPtr& arg : args) {
    std::optional<DataType> next = CommonSuperType(common, arg->type());
    if (!next) {
      if (function.is_operator) {
        return Status::Binder("operator " + function.name + " cannot compare " +
                                  args[0]->type().ToString() + " with " + arg->type().ToString(),
                              position);
      }
      return Status::Binder("function " + function.name + " cannot combine " +
                                common.ToString() + " and " + arg->type().ToString(),
                            arg->position() >= 0 ? arg->position() : position);
    }
    common = *next;
  }
  return CastAll(args, common);
}

}  // namespace

Result<ExpressionPtr> MakeFunctionCall(std::string_view name, std::vector<ExpressionPtr> args,
                                       int64_t position) {
  if (name == "coalesce") return MakeCoalesce(std::move(args), position);
  if (name == "nullif") {
    if (args.size() != 2) {
      return Status::Binder("function nullif expects 2 arguments, got " +
                                std::to_string(args.size()),
                            position);
    }
    return MakeNullIf(std::move(args[0]), std::move(args[1]), position);
  }
  const FunctionRegistry& registry = FunctionRegistry::Global();
  const ScalarFunction* function = registry.Find(name);
  if (function == nullptr) {
    std::string message = "function " + std::string(name) + " does not exist";
    std::string suggestion = registry.Suggest(name);
    if (!suggestion.empty()) message += " (did you mean \"" + suggestion + "\"?)";
    return Status::Binder(message, position);
  }
  bool arity_ok = static_cast<int>(args.size()) >= function->min_args &&
                  (function->max_args < 0 || static_cast<int>(args.size()) <= function->max_args);
  if (function->unify_args && arity_ok) RETURN_NOT_OK(UnifyArguments(*function, args, position));
  std::vector<DataType> arg_types;
  arg_types.reserve(args.size());
  for (const ExpressionPtr& arg : args) arg_types.push_back(arg->type());
  ASSIGN_OR_RETURN(ResolvedOverload resolved, ResolveOverload(*function, arg_types, position));
  for (size_t arg_idx = 0; arg_idx < args.size(); ++arg_idx) {
    ASSIGN_OR_RETURN(args[arg_idx], MakeCast(std::move(args[arg_idx]), resolved.arg_types[arg_idx]));
  }
  std::shared_ptr<const FunctionState> state;
  if (function->prepare != nullptr) {
    ASSIGN_OR_RETURN(state, function->prepare(args, position));
  }
  auto call = std::make_unique<FunctionCallExpression>(*function, resolved.overload_index,
                                                       std::move(state), resolved.return_type,
                                                       std::move(args), position);
  bool foldable = !function->per_row && !function->time_dependent;
  return FoldIfConstant(std::move(call), foldable);
}

Result<ExpressionPtr> MakeComparison(ComparisonOp op, ExpressionPtr left, ExpressionPtr right,
                                     int64_t position) {
  std::vector<ExpressionPtr> args;
  args.push_back(std::move(left));
  args.push_back(std::move(right));
  return MakeFunctionCall(ComparisonOpName(op), std::move(args), position);
}

Result<ExpressionPtr> MakeArithmetic(ArithmeticOp op, ExpressionPtr left, ExpressionPtr right,
                                     int64_t position) {
  std::vector<ExpressionPtr> args;
  args.push_back(std::move(left));
  args.push_back(std::move(right));
  return MakeFunctionCall(ArithmeticOpName(op), std::move(args), position);
}

Result<ExpressionPtr> MakeNegate(ExpressionPtr operand, int64_t position) {
  std::vector<ExpressionPtr> args;
  args.push_back(std::move(operand));
  return MakeFunctionCall("-", std::move(args), position);
}

Result<ExpressionPtr> MakeConcat(ExpressionPtr left, ExpressionPtr right, int64_t position) {
  std::vector<ExpressionPtr> args;
  args.push_back(std::move(left));
  args.push_back(std::move(right));
  return MakeFunctionCall("||", std::move(args), position);
}

Result<ExpressionPtr> RequireBoolean(ExpressionPtr operand, std::string_view what,
                                     int64_t position) {
  TypeId id = operand->type().id();
  if (id == TypeId::kBoolean) return operand;
  if (id == TypeId::kNull) return MakeCast(std::move(operand), DataType::Boolean());
  int64_t at = operand->position() >= 0 ? operand->position() : position;
  return Status::Binder(std::string(what) + " must be BOOLEAN, not " + operand->type().ToString(),
                        at);
}

Result<ExpressionPtr> MakeConjunction(ExpressionKind kind, std::vector<ExpressionPtr> operands,
                                      int64_t position) {
  std::string what = kind == ExpressionKind::kAnd ? "argument of AND" : "argument of OR";
  std::vector<ExpressionPtr> flat;
  for (ExpressionPtr& operand : operands) {
    ASSIGN_OR_RETURN(operand, RequireBoolean(std::move(operand), what, position));
    if (operand->kind() == kind) {
      for (const ExpressionPtr& child : operand->children()) flat.push_back(child->Clone());
    } else {
      flat.push_back(std::move(operand));
    }
  }
  if (flat.size() == 1) return std::move(flat[0]);
  return ExpressionPtr(std::make_unique<ConjunctionExpression>(kind, std::move(flat), position));
}

Result<ExpressionPtr> MakeAnd(ExpressionPtr left, ExpressionPtr right, int64_t position) {
  std::vector<ExpressionPtr> operands;
  operands.push_back(std::move(left));
  operands.push_back(std::move(right));
  return MakeConjunction(ExpressionKind::kAnd, std::move(operands), position);
}

Result<ExpressionPtr> MakeOr(ExpressionPtr left, ExpressionPtr right, int64_t position) {
  std::vector<ExpressionPtr> operands;
  operands.push_back(std::move(left));
  operands.push_back(std::move(right));
  return MakeConjunction(ExpressionKind::kOr, std::move(operands), position);
}

Result<ExpressionPtr> MakeNot(ExpressionPtr operand, int64_t position) {
  ASSIGN_OR_RETURN(operand, RequireBoolean(std::move(operand), "argument of NOT", position));
  return ExpressionPtr(std::make_unique<NotExpression>(std::move(operand), position));
}

Result<ExpressionPtr> MakeIsNull(ExpressionPtr operand, bool negated, int64_t position) {
  return ExpressionPtr(std::make_unique<IsNullExpression>(std::move(operand), negated, position));
}

Result<ExpressionPtr> MakeBetween(ExpressionPtr operand, ExpressionPtr low, ExpressionPtr high,
                                  bool negated, int64_t position) {
  ExpressionPtr copy = operand->Clone();
  ComparisonOp low_op = negated ? ComparisonOp::kLess : ComparisonOp::kGreaterEqual;
  ComparisonOp high_op = negated ? ComparisonOp::kGreater : ComparisonOp::kLessEqual;
  ASSIGN_OR_RETURN(auto low_check, MakeComparison(low_op, std::move(operand), std::move(low), position));
  ASSIGN_OR_RETURN(auto high_check,
                   MakeComparison(high_op, std::move(copy), std::move(high), position));
  if (negated) return MakeOr(std::move(low_check), std::move(high_check), position);
  return MakeAnd(std::move(low_check), std::move(high_check), position);
}

}  // namespace sluice
