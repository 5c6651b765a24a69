// See bind_row_function.h.

#include "planner/binder/bind_row_function.h"

#include "runtime/expression/expression_factory.h"

namespace sluice {

namespace {

std::string Upper(std::string_view name) {
  std::string upper(name);
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return upper;
}

// Which relation of the scope `call` reads: the only one, or the one its argument names.
Result<size_t> RowFunctionRelation(const FunctionCallExpr& call, const BindScope& scope) {
  const std::string name = Upper(call.name);
  if (call.distinct || call.star_arg || call.args.size() > 1) {
    return Status::Binder(name + "() takes no argument, or the alias of a relation in FROM",
                          call.position);
  }
  const auto& relations = scope.relations();
  if (call.args.empty()) {
    if (relations.size() == 1) return size_t{0};
    return Status::Binder(name + "() is ambiguous with several relations in FROM; name one, e.g. " +
                              name + "(" + relations[0].alias + ")",
                          call.position);
  }
  const Expr& arg = *call.args[0];
  if (arg.kind == ExprKind::kColumnRef) {
    const auto& parts = arg.As<ColumnRefExpr>().parts;
    for (size_t relation_idx = 0; relation_idx < relations.size(); ++relation_idx) {
      if (parts.size() == 1 && parts[0] == relations[relation_idx].alias) return relation_idx;
    }
  }
  std::string aliases;
  for (const auto& relation : relations) aliases += (aliases.empty() ? "" : ", ") + relation.alias;
  return Status::Binder(name + "() takes the alias of a relation in FROM (" + aliases + ")",
                        arg.position);
}

}  // namespace

std::optional<Result<size_t>> RowFunctionRelationOf(const FunctionCallExpr& call,
                                                    const BindScope& scope) {
  if (!RowMetadataFromName(call.name).has_value()) return std::nullopt;
  return RowFunctionRelation(call, scope);
}

std::optional<Status> CollectRowFunction(const FunctionCallExpr& call, BindScope& scope) {
  std::optional<RowMetadata> kind = RowMetadataFromName(call.name);
  if (!kind.has_value()) return std::nullopt;
  Result<size_t> relation_idx = RowFunctionRelation(call, scope);
  if (!relation_idx.ok()) return relation_idx.status();
  ScopeRelation& relation = scope.relations()[*relation_idx];
  relation.metadata_used[static_cast<size_t>(*kind)] = true;
  if (relation.metadata_position < 0) relation.metadata_position = call.position;
  return Status::OK();
}

std::optional<Result<std::unique_ptr<Expression>>> BindRowFunction(const FunctionCallExpr& call,
                                                                   const BindScope& scope) {
  std::optional<RowMetadata> kind = RowMetadataFromName(call.name);
  if (!kind.has_value()) return std::nullopt;
  Result<size_t> relation_idx = RowFunctionRelation(call, scope);
  if (!relation_idx.ok()) return Result<std::unique_ptr<Expression>>(relation_idx.status());
  int batch_index =
      scope.relations()[*relation_idx].metadata_batch_index[static_cast<size_t>(*kind)];
  if (batch_index < 0) {
    return Result<std::unique_ptr<Expression>>(
        Status::Internal(RowMetadataName(*kind) + " was not collected"));
  }
  return Result<std::unique_ptr<Expression>>(
      MakeColumnRef(batch_index, RowMetadataType(*kind), call.position));
}

}  // namespace sluice
