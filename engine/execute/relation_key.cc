#include "engine/execute/relation_key.h"

#include "planner/binder/relation_schema.h"
#include "planner/logical/logical_aggregate.h"

namespace sluice {

Result<std::vector<std::string>> ChangelogKey(const LogicalOperator& plan, int64_t position,
                                              std::string_view statement) {
  if (plan.kind() != LogicalOperatorKind::kProjection ||
      plan.child().kind() != LogicalOperatorKind::kAggregate) {
    return Status::Binder(std::string(statement) +
                              " ... AS SELECT needs a GROUP BY query (a changelog is "
                              "keyed by its group key)",
                          position);
  }
  const auto& projection = plan.As<LogicalProjection>();
  const auto& aggregate = plan.child().As<LogicalAggregate>();
  const int key_columns = static_cast<int>(aggregate.keys.size()) +
                          (aggregate.window.type == WindowType::kNone ? 0 : 2);
  std::vector<std::string> primary_key;
  for (int key_idx = 0; key_idx < key_columns; ++key_idx) {
    bool found = false;
    for (size_t column_idx = 0; column_idx < projection.expressions.size(); ++column_idx) {
      const Expression& expression = *projection.expressions[column_idx];
      if (expression.kind() == ExpressionKind::kColumnRef &&
          static_cast<const ColumnRefExpression&>(expression).index() == key_idx) {
        primary_key.push_back(plan.schema().field(column_idx).name);
        found = true;
        break;
      }
    }
    if (!found) {
      return Status::Binder(std::string(statement) +
                                " ... AS SELECT must select every GROUP BY key (\"" +
                                aggregate.schema().field(static_cast<size_t>(key_idx)).name +
                                "\" is missing); the keys become its primary key",
                            position);
    }
  }
  return primary_key;
}

Result<std::vector<std::string>> ViewKey(const LogicalOperator& plan, const SelectStatement& select,
                                         Binder& binder) {
  constexpr std::string_view kStatement = "CREATE MATERIALIZED VIEW";
  if (plan.kind() == LogicalOperatorKind::kLimit) {
    return Status::Binder("a persistent query cannot have a LIMIT", select.limit_position);
  }
  if (plan.kind() == LogicalOperatorKind::kProjection &&
      plan.child().kind() == LogicalOperatorKind::kAggregate) {
    return ChangelogKey(plan, select.position, kStatement);
  }
  if (select.from == nullptr || select.from->kind != FromKind::kRelation ||
      plan.kind() != LogicalOperatorKind::kProjection) {
    return Status::Binder(
        "CREATE MATERIALIZED VIEW ... AS SELECT takes a GROUP BY query or a projection of one "
        "stream or changelog",
        select.position);
  }
  ASSIGN_OR_RETURN(BoundRelation source, binder.BindRelation(select.from->As<RelationRef>().name));
  if (source.relation.primary_key.empty()) return std::vector<std::string>();  // keyed by offset
  if (select.where) {
    return Status::Binder(
        "a materialized view over changelog \"" + source.qualified_name +
            "\" cannot have a WHERE yet (a row updated to no longer match would stay in the "
            "view); create the view without WHERE and filter when reading it",
        select.where->position);
  }
  // The changelog's key columns must reach the view unchanged.
  const LogicalOperator* get = &plan;
  while (get->kind() != LogicalOperatorKind::kGet) get = &get->child();
  const auto& scan = get->As<LogicalGet>();
  const auto& projection = plan.As<LogicalProjection>();
  std::vector<std::string> key;
  for (const std::string& name : source.relation.primary_key) {
    const int relation_column = scan.relation_schema.IndexOf(name);
    std::optional<std::string> selected;
    for (size_t column_idx = 0; column_idx < projection.expressions.size() && !selected;
         ++column_idx) {
      const Expression& expression = *projection.expressions[column_idx];
      if (expression.kind() != ExpressionKind::kColumnRef) continue;
      const int batch_index = static_cast<const ColumnRefExpression&>(expression).index();
      if (batch_index >= 0 && static_cast<size_t>(batch_index) < scan.columns.size() &&
          scan.columns[static_cast<size_t>(batch_index)] == relation_column) {
        selected = plan.schema().field(column_idx).name;
      }
    }
    if (!selected) {
      return Status::Binder(
          "CREATE MATERIALIZED VIEW ... AS SELECT must select the primary key "
          "column \"" +
              name + "\" of changelog \"" + source.qualified_name +
              "\" as is; it becomes the view's key",
          select.position);
    }
    key.push_back(*selected);
  }
  return key;
}

Status ApplyChangelogDeletes(Catalog& catalog, int64_t source_relation_id, PhysicalPlan& plan) {
  for (const auto& op : plan.operators) {
    if (op->kind() == PhysicalOperatorKind::kAggregate) return Status::OK();
  }
  ASSIGN_OR_RETURN(RelationInfo source, catalog.GetRelationById(source_relation_id));
  if (source.primary_key.empty()) return Status::OK();
  const Schema columns = RelationColumns(source);
  ASSIGN_OR_RETURN(std::vector<int> key_columns, RelationKeyColumns(source, columns));
  plan.source.emit_deletes = true;
  plan.source.key_columns = std::move(key_columns);
  return Status::OK();
}

}  // namespace sluice
