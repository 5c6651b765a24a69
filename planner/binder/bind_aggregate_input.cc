#include "planner/binder/bind_aggregate_input.h"

#include "planner/binder/bind_scope.h"
#include "planner/binder/relation_schema.h"
#include "planner/logical/logical_aggregate.h"

namespace sluice {

Result<std::unique_ptr<AggregateInput>> Binder::PrepareAggregateInput(
    const FromItem& from, const std::string& window_alias, bool windowed, BindScope& scope) {
  auto input = std::make_unique<AggregateInput>();
  if (from.kind == FromKind::kJoin) {
    ASSIGN_OR_RETURN(input->join, PrepareJoin(from.As<JoinRef>(), scope));
    return input;
  }
  if (from.kind != FromKind::kRelation) {
    return Status::Binder("a window's input must be a relation or a JOIN of two", from.position);
  }
  input->ref = &from.As<RelationRef>();
  ASSIGN_OR_RETURN(input->bound, BindRelation(input->ref->name));
  input->relation_schema = RelationColumns(input->bound.relation);
  const RelationInfo& relation = input->bound.relation;
  // A view keyed by offset (a projection of a stream) only ever appends.
  const bool keyed =
      relation.kind == CatalogRelationKind::kChangelog ||
      (relation.kind == CatalogRelationKind::kMaterializedView && !relation.primary_key.empty());
  if (keyed && windowed) {
    // Flink's window aggregation and ksqlDB's refuse update input too: a window's row is final
    // once emitted, so an update could not take back what its key's earlier row added.
    return Status::Binder("a window over " + relation.name +
                              " is not supported: it is a changelog, whose rows replace earlier "
                              "rows by key, and a window aggregates appended rows (GROUP BY "
                              "without a window aggregates its current rows; or window the "
                              "stream it is built from)",
                          from.position);
  }
  if (keyed) {
    input->changelog = true;
    ASSIGN_OR_RETURN(input->key_columns, RelationKeyColumns(relation, input->relation_schema));
  }
  std::string alias = !input->ref->alias.empty() ? input->ref->alias : window_alias;
  scope.AddRelation(alias.empty() ? relation.name : alias, input->bound.qualified_name,
                    input->relation_schema);
  return input;
}

Result<std::unique_ptr<LogicalOperator>> Binder::FinishAggregateInput(AggregateInput& input,
                                                                      BindScope& scope,
                                                                      LogicalAggregate& aggregate) {
  if (input.join) {
    // The join's sides carry the watermark settings; the aggregate follows the join's watermark.
    return FinishJoin(*input.join, scope);
  }
  ASSIGN_OR_RETURN(int timestamp_column,
                   TimestampColumn(input.bound.relation, input.relation_schema));
  // The source derives event time from this column, and a changelog's key identifies the row
  // an update replaces, so both are always decoded.
  if (timestamp_column >= 0) {
    scope.relations()[0].used[static_cast<size_t>(timestamp_column)] = true;
  }
  for (int column : input.key_columns) {
    scope.relations()[0].used[static_cast<size_t>(column)] = true;
  }
  scope.AssignBatchLayout();
  ASSIGN_OR_RETURN(auto get, MakeGet(input.bound, scope, input.relation_schema, timestamp_column,
                                     input.ref->properties));
  ASSIGN_OR_RETURN(aggregate.allow_latency_ms,
                   MillisProperty(get->properties, "source.allow.latency.millis"));
  ASSIGN_OR_RETURN(aggregate.idle_timeout_ms,
                   MillisProperty(get->properties, "source.idle.timeout.millis"));
  if (input.changelog) {
    get->emit_deletes = true;
    get->key_columns = input.key_columns;
    for (int column : input.key_columns) {
      aggregate.changelog_key.push_back(
          scope.BatchIndex(ResolvedColumn{0, static_cast<size_t>(column), {}}));
    }
  }
  return std::unique_ptr<LogicalOperator>(std::move(get));
}

}  // namespace sluice
