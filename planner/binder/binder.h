#pragma once
// The binder: resolves names against the catalog and the session's current database and schema,
// types every expression and turns statements into what the engine executes — a logical plan for
// queries, catalog definitions for DDL. It never touches data.

#include <memory>
#include <string>

#include "catalog/catalog.h"
#include "common/status.h"
#include "parser/ast.h"
#include "planner/logical/logical_operator.h"

namespace sluice {

// A relation found by name, with its containers.
struct BoundRelation {
  DatabaseInfo database;
  SchemaInfo schema;
  RelationInfo relation;
  StoreInfo store;
  std::string qualified_name;  // db.schema.name
};

class BindScope;
struct JoinBinding;
struct AggregateInput;
class LogicalAggregate;

// True when `select` aggregates: GROUP BY, HAVING, a windowed FROM or an aggregate call in the
// select list.
bool IsAggregateQuery(const SelectStatement& select);

class Binder {
 public:
  Binder(Catalog& catalog, std::string current_database, std::string current_schema)
      : catalog_(catalog),
        current_database_(std::move(current_database)),
        current_schema_(std::move(current_schema)) {}

  // `db`, for statements naming a database.
  Result<DatabaseInfo> BindDatabase(const QualifiedName& name) const;
  // `[db.]schema`.
  Result<std::pair<DatabaseInfo, SchemaInfo>> BindSchema(const QualifiedName& name) const;
  // `[[db.]schema.]relation`.
  Result<BoundRelation> BindRelation(const QualifiedName& name) const;
  // The schema a new relation named `name` goes into, and its bare name.
  Result<std::pair<std::pair<DatabaseInfo, SchemaInfo>, std::string>> BindNewRelationName(
      const QualifiedName& name) const;
  Result<StoreInfo> BindStore(const std::string& name, int64_t position) const;

  // SELECT -> logical plan (Get -> [Filter] -> Projection -> [Limit]).
  Result<std::unique_ptr<LogicalOperator>> BindSelect(const SelectStatement& select);

 private:
  // GROUP BY, aggregates, HAVING and windowed FROM (bind_group_by.cc):
  // Get -> [Filter] -> Aggregate -> Projection -> [Limit].
  Result<std::unique_ptr<LogicalOperator>> BindAggregateSelect(const SelectStatement& select);
  // a JOIN b [WITHIN ...] ON ... (bind_join.cc): Get, Get -> Join -> [Filter] -> Projection
  // -> [Limit].
  Result<std::unique_ptr<LogicalOperator>> BindJoinSelect(const SelectStatement& select);
  // The FROM of an aggregate (`from`, inside the window if any) bound and added to `scope`
  // (bind_aggregate_input.cc); `window_alias` names a lone relation when it has no alias.
  Result<std::unique_ptr<AggregateInput>> PrepareAggregateInput(const FromItem& from,
                                                                const std::string& window_alias,
                                                                bool windowed, BindScope& scope);
  // After pass 1: the scan (or join) under the aggregate, and the aggregate's input settings
  // (watermark properties, changelog key).
  Result<std::unique_ptr<LogicalOperator>> FinishAggregateInput(AggregateInput& input,
                                                                BindScope& scope,
                                                                LogicalAggregate& aggregate);
  // The two relations of `join` bound and added to `scope` (bind_join.cc).
  Result<std::unique_ptr<JoinBinding>> PrepareJoin(const JoinRef& join, BindScope& scope);
  // After the caller collected the columns it reads into `scope`: ON, the batch layout, the two
  // scans and the LogicalJoin (whose output is scope's batch layout).
  Result<std::unique_ptr<LogicalOperator>> FinishJoin(JoinBinding& binding, BindScope& scope);
  // The scan of `bound` (relation `relation_idx` of `scope`) reading the columns it marked used.
  Result<std::unique_ptr<LogicalGet>> MakeGet(const BoundRelation& bound, BindScope& scope,
                                              const Schema& relation_schema, int timestamp_column,
                                              const PropertyList& from_properties,
                                              size_t relation_idx = 0);

  Catalog& catalog_;
  std::string current_database_;
  std::string current_schema_;
};

}  // namespace sluice
