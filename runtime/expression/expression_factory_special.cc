// Factories for the nodes that are not function calls: CASE, COALESCE, NULLIF, IN, LIKE and
// access into nested values.

#include <algorithm>

#include "runtime/expression/expression_factory.h"
#include "runtime/expression/factory_internal.h"
#include "runtime/expression/type_rules.h"

namespace sluice {

namespace {

int64_t PositionOf(const Expression& expr, int64_t fallback) {
  return expr.position() >= 0 ? expr.position() : fallback;
}

std::shared_ptr<const InSet> BuildInSet(const std::vector<ExpressionPtr>& items, size_t first) {
  auto set = std::make_shared<InSet>();
  for (size_t item_idx = first; item_idx < items.size(); ++item_idx) {
    const Value* value = items[item_idx]->literal();
    if (value == nullptr) return nullptr;
    if (value->is_null()) {
      set->has_null = true;
      continue;
    }
    switch (value->type().physical()) {
      case PhysicalKind::kInt64: set->ints.push_back(value->int_value()); break;
      case PhysicalKind::kDouble: set->doubles.push_back(value->double_value()); break;
      case PhysicalKind::kString: set->strings.push_back(value->string_value()); break;
      case PhysicalKind::kNested: set->nested.push_back(*value); break;
      case PhysicalKind::kNull: set->has_null = true; break;
    }
  }
  std::sort(set->ints.begin(), set->ints.end());
  std::sort(set->doubles.begin(), set->doubles.end());
  std::sort(set->strings.begin(), set->strings.end());
  return set;
}

}  // namespace

Result<ExpressionPtr> MakeInList(ExpressionPtr operand, std::vector<ExpressionPtr> items,
                                 bool negated, int64_t position) {
  if (items.empty()) return Status::Binder("IN list must not be empty", position);
  std::vector<ExpressionPtr> children;
  children.push_back(std::move(operand));
  for (ExpressionPtr& item : items) children.push_back(std::move(item));
  RETURN_NOT_OK(CoerceTemporalLiterals(children));
  DataType common = DataType::Null();
  for (const ExpressionPtr& child : children) {
    std::optional<DataType> next = CommonSuperType(common, child->type());
    if (!next) {
      return Status::Binder("operator IN cannot compare " + children[0]->type().ToString() +
                                " with " + child->type().ToString(),
                            PositionOf(*child, position));
    }
    common = *next;
  }
  if (common.id() == TypeId::kNull) common = DataType::Boolean();
  RETURN_NOT_OK(CastAll(children, common));
  std::shared_ptr<const InSet> set = BuildInSet(children, 1);
  return ExpressionPtr(
      std::make_unique<InListExpression>(std::move(children), negated, std::move(set), position));
}

Result<ExpressionPtr> MakeLike(ExpressionPtr operand, ExpressionPtr pattern, bool negated,
                               int64_t position, char escape) {
  for (ExpressionPtr* side : {&operand, &pattern}) {
    TypeId id = (*side)->type().id();
    if (id == TypeId::kNull) {
      ASSIGN_OR_RETURN(*side, MakeCast(std::move(*side), DataType::Varchar()));
    } else if (id != TypeId::kVarchar) {
      return Status::Binder("operator LIKE expects VARCHAR operands, got " +
                                (*side)->type().ToString(),
                            PositionOf(**side, position));
    }
  }
  std::shared_ptr<const LikeMatcher> matcher;
  const Value* literal = pattern->literal();
  if (literal != nullptr && !literal->is_null()) {
    Result<LikeMatcher> compiled = LikeMatcher::Compile(literal->string_value(), escape);
    if (!compiled.ok()) {
      return Status::Binder(compiled.status().message(), PositionOf(*pattern, position));
    }
    matcher = std::make_shared<LikeMatcher>(std::move(compiled).value());
  }
  return ExpressionPtr(std::make_unique<LikeExpression>(std::move(operand), std::move(pattern),
                                                        negated, escape, std::move(matcher),
                                                        position));
}

Result<ExpressionPtr> MakeCase(std::vector<CaseBranch> branches, ExpressionPtr else_result,
                               int64_t position) {
  if (branches.empty()) return Status::Binder("CASE needs at least one WHEN", position);
  std::vector<ExpressionPtr> results;
  for (CaseBranch& branch : branches) results.push_back(std::move(branch.then));
  if (else_result) results.push_back(std::move(else_result));
  ASSIGN_OR_RETURN(DataType type, UnifiedType(results, "CASE", position));
  RETURN_NOT_OK(CastAll(results, type));
  std::vector<ExpressionPtr> children;
  for (size_t branch_idx = 0; branch_idx < branches.size(); ++branch_idx) {
    ASSIGN_OR_RETURN(ExpressionPtr when, RequireBoolean(std::move(branches[branch_idx].when),
                                                        "CASE WHEN condition", position));
    children.push_back(std::move(when));
    children.push_back(std::move(results[branch_idx]));
  }
  bool has_else = results.size() > branches.size();
  if (has_else) children.push_back(std::move(results.back()));
  return ExpressionPtr(
      std::make_unique<CaseExpression>(std::move(children), has_else, type, position));
}

Result<ExpressionPtr> MakeSimpleCase(ExpressionPtr operand, std::vector<CaseBranch> branches,
                                     ExpressionPtr else_result, int64_t position) {
  for (CaseBranch& branch : branches) {
    int64_t at = PositionOf(*branch.when, position);
    ASSIGN_OR_RETURN(branch.when, MakeComparison(ComparisonOp::kEqual, operand->Clone(),
                                                 std::move(branch.when), at));
  }
  return MakeCase(std::move(branches), std::move(else_result), position);
}

Result<ExpressionPtr> MakeCoalesce(std::vector<ExpressionPtr> args, int64_t position) {
  if (args.empty()) return Status::Binder("function coalesce expects at least 1 argument, got 0", position);
  ASSIGN_OR_RETURN(DataType type, UnifiedType(args, "COALESCE", position));
  RETURN_NOT_OK(CastAll(args, type));
  if (args.size() == 1) return std::move(args[0]);
  return ExpressionPtr(std::make_unique<CoalesceExpression>(std::move(args), type, position));
}

Result<ExpressionPtr> MakeNullIf(ExpressionPtr value, ExpressionPtr other, int64_t position) {
  ASSIGN_OR_RETURN(ExpressionPtr equal, MakeComparison(ComparisonOp::kEqual, value->Clone(),
                                                       std::move(other), position));
  return ExpressionPtr(std::make_unique<NullIfExpression>(std::move(value), std::move(equal), position));
}

Result<ExpressionPtr> MakeStructField(ExpressionPtr operand, int field_index, int64_t position) {
  const DataType& type = operand->type();
  if (type.id() != TypeId::kStruct) {
    return Status::Binder("cannot access a field of " + type.ToString(), position);
  }
  if (field_index < 0 || static_cast<size_t>(field_index) >= type.children().size()) {
    return Status::Binder("field index " + std::to_string(field_index) + " is out of range for " +
                              type.ToString(),
                          position);
  }
  return ExpressionPtr(
      std::make_unique<StructFieldExpression>(std::move(operand), field_index, position));
}

Result<ExpressionPtr> MakeFieldAccess(ExpressionPtr operand, std::string_view name,
                                      int64_t position) {
  const DataType& type = operand->type();
  if (type.id() == TypeId::kMap) {
    return MakeMapAccess(std::move(operand), MakeLiteral(Value::Varchar(std::string(name)), position),
                         position);
  }
  if (type.id() != TypeId::kStruct) {
    return Status::Binder("cannot access field \"" + std::string(name) + "\" of " +
                              type.ToString(),
                          position);
  }
  int field_index = type.FieldIndex(name);
  if (field_index < 0) {
    return Status::Binder("field \"" + std::string(name) + "\" does not exist in " +
                              type.ToString(),
                          position);
  }
  return MakeStructField(std::move(operand), field_index, position);
}

Result<ExpressionPtr> MakeMapAccess(ExpressionPtr map, ExpressionPtr key, int64_t position) {
  if (map->type().id() != TypeId::kMap) {
    return Status::Binder("cannot look up a key in " + map->type().ToString(), position);
  }
  if (!CanImplicitCast(key->type(), DataType::Varchar())) {
    return Status::Binder("map key must be VARCHAR, not " + key->type().ToString(),
                          PositionOf(*key, position));
  }
  ASSIGN_OR_RETURN(key, MakeCast(std::move(key), DataType::Varchar()));
  return ExpressionPtr(
      std::make_unique<MapAccessExpression>(std::move(map), std::move(key), position));
}

Result<ExpressionPtr> MakeArraySubscript(ExpressionPtr array, ExpressionPtr index,
                                         int64_t position) {
  if (array->type().id() != TypeId::kArray) {
    return Status::Binder("cannot subscript " + array->type().ToString(), position);
  }
  if (!CanImplicitCast(index->type(), DataType::Bigint())) {
    return Status::Binder("array subscript must be an integer, not " + index->type().ToString(),
                          PositionOf(*index, position));
  }
  ASSIGN_OR_RETURN(index, MakeCast(std::move(index), DataType::Bigint()));
  return ExpressionPtr(
      std::make_unique<ArraySubscriptExpression>(std::move(array), std::move(index), position));
}

Result<ExpressionPtr> MakeSubscript(ExpressionPtr operand, ExpressionPtr index, int64_t position) {
  if (operand->type().id() == TypeId::kMap) {
    return MakeMapAccess(std::move(operand), std::move(index), position);
  }
  return MakeArraySubscript(std::move(operand), std::move(index), position);
}

}  // namespace sluice
