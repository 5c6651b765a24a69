#include "planner/binder/upstream_window.h"

#include <string>

namespace sluice {

namespace {

bool SameColumn(const ResolvedColumn& a, const ResolvedColumn& b) {
  return a.relation_idx == b.relation_idx && a.column_idx == b.column_idx && a.fields.empty() &&
         b.fields.empty();
}

// The relation column `expr` names when it is a plain column reference (no struct field) that
// resolves; nullopt otherwise (errors are reported where the expression is bound).
std::optional<ResolvedColumn> ResolveColumn(const Expr& expr, const BindScope& scope) {
  if (expr.kind != ExprKind::kColumnRef) return std::nullopt;
  const auto& ref = expr.As<ColumnRefExpr>();
  Result<ResolvedColumn> column = scope.Resolve(ref.parts, ref.position);
  if (!column.ok() || !column->fields.empty()) return std::nullopt;
  return *column;
}

}  // namespace

Result<std::optional<UpstreamWindow>> FindUpstreamWindow(const SelectStatement& select,
                                                         const BindScope& scope, bool is_stream) {
  if (!is_stream) return std::optional<UpstreamWindow>();
  const Expr* keys[2] = {nullptr, nullptr};
  std::optional<ResolvedColumn> columns[2];
  for (const auto& key : select.group_by) {
    std::optional<ResolvedColumn> column = ResolveColumn(*key, scope);
    if (!column) continue;
    const std::string& name =
        scope.relations()[column->relation_idx].schema.field(column->column_idx).name;
    const int which = name == "window_start" ? 0 : name == "window_end" ? 1 : -1;
    if (which < 0 || keys[which] != nullptr) continue;
    keys[which] = key.get();
    columns[which] = column;
  }
  if (keys[0] == nullptr || keys[1] == nullptr) return std::optional<UpstreamWindow>();
  for (int which = 0; which < 2; ++which) {
    const Field& field =
        scope.relations()[columns[which]->relation_idx].schema.field(columns[which]->column_idx);
    if (field.type.id() != TypeId::kTimestamp) {
      return Status::Binder(
          "GROUP BY window_start, window_end groups by the windows of an upstream window "
          "aggregate, so both must be TIMESTAMP; \"" +
              field.name + "\" is " + field.type.ToString() +
              " (CAST it in a query that writes a stream first, or rename the column to group "
              "by it as a plain key)",
          keys[which]->position);
    }
  }
  return std::optional<UpstreamWindow>(UpstreamWindow{*columns[0], *columns[1]});
}

int UpstreamWindowColumn(const Expr& expr, const BindScope& scope, const UpstreamWindow& window) {
  std::optional<ResolvedColumn> column = ResolveColumn(expr, scope);
  if (!column) return -1;
  if (SameColumn(*column, window.start)) return 0;
  if (SameColumn(*column, window.end)) return 1;
  return -1;
}

}  // namespace sluice
