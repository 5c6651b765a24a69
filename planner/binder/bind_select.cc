#include <set>

#include "common/ascii.h"
#include "planner/binder/binder.h"
#include "planner/binder/expression_binder.h"
#include "planner/binder/relation_schema.h"
#include "planner/binder/select_output.h"

namespace sluice {

namespace {

// Name of an unaliased select item: a column keeps its name, anything else is named by its SQL.
Status NotYet(std::string_view what, int64_t position) {
  return Status::Binder(std::string(what) + " is not supported yet", position);
}

}  // namespace

Result<std::unique_ptr<LogicalGet>> Binder::MakeGet(const BoundRelation& bound, BindScope& scope,
                                                    const Schema& relation_schema,
                                                    int timestamp_column,
                                                    const PropertyList& from_properties,
                                                    size_t relation_idx) {
  Schema loaded;
  for (int column : scope.LoadedColumns(relation_idx)) {
    loaded.Add(relation_schema.field(static_cast<size_t>(column)));
  }
  auto get = std::make_unique<LogicalGet>(std::move(loaded));
  get->qualified_name = bound.qualified_name;
  get->store_type = bound.store.type;
  get->store_properties = bound.store.properties;
  // Connectors fetch a store's credentials by its name (they travel apart from the plan).
  if (bound.store.type == "kafka") get->store_properties["store"] = bound.store.name;
  // A generated stream's settings ('generator', 'events', ...) are the relation's own.
  if (bound.store.type == "datagen") {
    for (const auto& [key, value] : bound.relation.properties) get->store_properties[key] = value;
  }
  get->topic = RelationTopic(bound.relation);
  get->partitions = RelationPartitions(bound.relation);
  get->relation_schema = relation_schema;
  get->columns = scope.LoadedColumns(relation_idx);
  get->metadata = scope.LoadedMetadata(relation_idx);
  if (!get->metadata.empty() && bound.store.type == "datagen") {
    return Status::Binder(
        "row functions (ROWTIME(), ROWKEY(), ROWMETA()) read the records of a "
        "topic; stream " +
            bound.qualified_name + " is generated (datagen store)",
        scope.relations()[relation_idx].metadata_position);
  }
  get->timestamp_column = timestamp_column;
  get->properties = bound.relation.properties;
  ASSIGN_OR_RETURN(auto source_properties, BindSourceProperties(from_properties));
  for (auto& [key, value] : source_properties) get->properties[key] = value;
  if (bound.store.type != "local" && bound.store.type != "kafka") {
    for (const Property& property : from_properties) {
      if (property.key == "ending.position" && AsciiLower(property.value) == "latest") {
        return RefuseEndingPosition(bound.store.type == "datagen" ? "datagen" : bound.store.name,
                                    property.key_position);
      }
    }
  }
  return get;
}

Result<std::unique_ptr<LogicalOperator>> Binder::BindSelect(const SelectStatement& select) {
  if (select.from == nullptr) {
    return Status::Binder("a query needs a FROM clause naming a stream or changelog",
                          select.position);
  }
  if (IsAggregateQuery(select)) return BindAggregateSelect(select);
  if (select.from->kind == FromKind::kJoin) return BindJoinSelect(select);
  if (select.from->kind != FromKind::kRelation) {
    return Status::Binder(
        "a windowed FROM (TUMBLE, HOP, SESSION) needs an aggregation: add "
        "GROUP BY window_start, window_end and aggregate functions",
        select.from->position);
  }
  if (select.distinct) return NotYet("SELECT DISTINCT", select.position);
  if (select.having) {
    return Status::Binder("HAVING needs GROUP BY or aggregate functions", select.having->position);
  }
  if (!select.order_by.empty()) {
    return Status::Binder("ORDER BY is not supported on streams",
                          select.order_by[0].expr->position);
  }
  if (select.emit == EmitMode::kChanges || select.emit == EmitMode::kFinal) {
    return Status::Binder("EMIT applies only to aggregations", select.emit_position);
  }

  const auto& from = select.from->As<RelationRef>();
  ASSIGN_OR_RETURN(BoundRelation bound, BindRelation(from.name));
  Schema relation_schema = RelationColumns(bound.relation);
  BindScope scope;
  scope.AddRelation(from.alias.empty() ? bound.relation.name : from.alias, bound.qualified_name,
                    relation_schema);
  ExpressionBinder binder(scope);

  // Pass 1: which columns does the query read?
  for (const SelectItem& item : select.items) {
    if (item.expr->kind == ExprKind::kStar) {
      const auto& star = item.expr->As<StarExpr>();
      if (!star.qualifier.empty() && star.qualifier.back() != scope.relations()[0].alias) {
        return Status::Binder(
            "relation \"" + star.qualifier.back() + "\" is not in the FROM clause", star.position);
      }
      scope.MarkAllUsed(0);
      continue;
    }
    RETURN_NOT_OK(binder.CollectColumns(*item.expr));
  }
  if (select.where) RETURN_NOT_OK(binder.CollectColumns(*select.where));
  int timestamp_column = -1;
  ASSIGN_OR_RETURN(timestamp_column, TimestampColumn(bound.relation, relation_schema));
  // The source derives event time from this column, so it is always decoded.
  if (timestamp_column >= 0)
    scope.relations()[0].used[static_cast<size_t>(timestamp_column)] = true;
  scope.AssignBatchLayout();

  ASSIGN_OR_RETURN(auto get,
                   MakeGet(bound, scope, relation_schema, timestamp_column, from.properties));
  std::unique_ptr<LogicalOperator> plan = std::move(get);

  if (select.where) {
    ASSIGN_OR_RETURN(auto predicate, binder.BindPredicate(*select.where, "WHERE"));
    auto filter = std::make_unique<LogicalFilter>(plan->schema(), std::move(predicate));
    filter->children().push_back(std::move(plan));
    plan = std::move(filter);
  }

  SelectOutput output;
  for (const SelectItem& item : select.items) {
    if (item.expr->kind == ExprKind::kStar) {
      for (size_t column_idx = 0; column_idx < relation_schema.size(); ++column_idx) {
        ResolvedColumn column{0, column_idx, {}};
        const Field& field = relation_schema.field(column_idx);
        RETURN_NOT_OK(output.Add(
            field.name, MakeColumnRef(scope.BatchIndex(column), field.type, item.expr->position),
            item.expr->position));
      }
      continue;
    }
    ASSIGN_OR_RETURN(auto expr, binder.Bind(*item.expr));
    RETURN_NOT_OK(output.AddItem(item, std::move(expr)));
  }
  return output.Finish(std::move(plan), select);
}

}  // namespace sluice
