// DROP of databases, schemas, relations and stores. Without CASCADE a drop refuses while anything
// depends on the object, naming the dependents; with CASCADE it terminates the queries involved
// and drops the contents first. A relation that created its topic deletes it.

#include <optional>

#include "engine/execute/statement_executor.h"
#include "engine/execute/view_reads.h"
#include "planner/binder/binder.h"
#include "planner/binder/relation_schema.h"

namespace sluice {

namespace {

bool KindMatches(ObjectType type, CatalogRelationKind kind) {
  switch (type) {
    case ObjectType::kStream: return kind == CatalogRelationKind::kStream;
    case ObjectType::kChangelog: return kind == CatalogRelationKind::kChangelog;
    case ObjectType::kMaterializedView: return kind == CatalogRelationKind::kMaterializedView;
    default: return true;
  }
}

std::string Word(CatalogRelationKind kind) { return std::string(RelationKindWord(kind)); }

}  // namespace

// REQUIRES: catalog mutex held.
Status StatementExecutor::DropRelationCascade(const RelationInfo& relation, bool cascade,
                                              int64_t position) {
  ASSIGN_OR_RETURN(std::vector<QueryInfo> queries,
                   engine_.catalog().ListActiveQueriesUsingRelation(relation.id));
  // A view's own query is part of the view: it goes with it, whatever CASCADE says.
  std::optional<ViewMaintainer> maintainer;
  if (relation.kind == CatalogRelationKind::kMaterializedView) {
    Result<ViewMaintainer> found = FindViewMaintainer(engine_.catalog(), relation);
    if (found.ok()) maintainer = *found;
  }
  if (maintainer) {
    std::erase_if(queries,
                  [&](const QueryInfo& query) { return query.id == maintainer->query_id; });
  }
  if (!queries.empty() && !cascade) {
    std::string message =
        std::string("cannot drop ") + Word(relation.kind) + " \"" + relation.name + "\": ";
    for (size_t i = 0; i < queries.size(); ++i) {
      message += (i ? ", " : "") + std::string("query ") + std::to_string(queries[i].id);
    }
    message += queries.size() == 1 ? " uses it" : " use it";
    message +=
        " (TERMINATE QUERY " + std::to_string(queries[0].id) + " first, or DROP ... CASCADE)";
    return Status::Catalog(message, position);
  }
  for (const QueryInfo& query : queries) RETURN_NOT_OK(StopQuery(query.id, "dropped by CASCADE"));
  if (maintainer && maintainer->state != QueryState::kTerminated) {
    RETURN_NOT_OK(StopQuery(maintainer->query_id, "its materialized view was dropped"));
  }
  RETURN_NOT_OK(ReleaseTerminatedQueries(relation));
  RETURN_NOT_OK(engine_.catalog().DropRelation(relation.id));
  if (maintainer) RETURN_NOT_OK(DropViewStore(maintainer->query_id));
  auto owned = relation.properties.find("topic.owned");
  if (owned != relation.properties.end() && owned->second == "true") {
    Status deleted = engine_.log().DeleteTopic(RelationTopic(relation));
    if (!deleted.ok()) handler_.OnNotice("topic not deleted: " + deleted.message());
  }
  return Status::OK();
}

Status StatementExecutor::Drop(const DropStatement& statement) {
  std::lock_guard<std::mutex> lock(engine_.catalog_mutex());
  Binder binder(engine_.catalog(), session_.current_database_, session_.current_schema_);
  const bool cascade = statement.behavior == DropBehavior::kCascade;
  const std::string tag = std::string("DROP ") + ObjectTypeName(statement.object_type);
  auto skipped = [&](const Status& not_found) -> Status {
    if (!statement.if_exists) return not_found;
    handler_.OnNotice(not_found.message() + ", skipping");
    handler_.OnCommandComplete(tag);
    return Status::OK();
  };

  switch (statement.object_type) {
    case ObjectType::kDatabase: {
      Result<DatabaseInfo> database = binder.BindDatabase(statement.name);
      if (!database.ok()) return skipped(database.status());
      if (database->name == kDefaultDatabase) {
        return Status::Catalog("cannot drop the default database \"" + database->name + "\"",
                               statement.name.position);
      }
      const rbac::ObjectRef object{rbac::ObjectKind::kDatabase, database->name};
      RETURN_NOT_OK(RequireOwnership(object, statement.name.position));
      ASSIGN_OR_RETURN(std::vector<SchemaInfo> schemas,
                       engine_.catalog().ListSchemas(database->id));
      for (const SchemaInfo& schema : schemas) {
        ASSIGN_OR_RETURN(std::vector<RelationInfo> relations,
                         engine_.catalog().ListRelations(schema.id));
        if (!relations.empty() && !cascade) {
          return Status::Catalog("cannot drop database \"" + database->name + "\": schema \"" +
                                     schema.name + "\" contains " + Word(relations[0].kind) +
                                     " \"" + relations[0].name +
                                     "\" (drop it first, or DROP ... CASCADE)",
                                 statement.name.position);
        }
        for (const RelationInfo& relation : relations) {
          RETURN_NOT_OK(DropRelationCascade(relation, cascade, statement.name.position));
        }
        RETURN_NOT_OK(engine_.catalog().DropSchema(schema.id));
      }
      RETURN_NOT_OK(engine_.catalog().DropDatabase(database->id));
      RETURN_NOT_OK(ForgetGrantsOn(object));
      if (session_.current_database_ == database->name) {
        session_.current_database_ = std::string(kDefaultDatabase);
        session_.current_schema_ = std::string(kDefaultSchema);
      }
      break;
    }
    case ObjectType::kSchema: {
      Result<std::pair<DatabaseInfo, SchemaInfo>> bound = binder.BindSchema(statement.name);
      if (!bound.ok()) return skipped(bound.status());
      const rbac::ObjectRef object{rbac::ObjectKind::kSchema,
                                   bound->first.name + "." + bound->second.name};
      RETURN_NOT_OK(RequireOwnership(object, statement.name.position));
      ASSIGN_OR_RETURN(std::vector<RelationInfo> relations,
                       engine_.catalog().ListRelations(bound->second.id));
      if (!relations.empty() && !cascade) {
        return Status::Catalog("cannot drop schema \"" + bound->second.name + "\": it contains " +
                                   Word(relations[0].kind) + " \"" + relations[0].name +
                                   "\" (drop it first, or DROP ... CASCADE)",
                               statement.name.position);
      }
      for (const RelationInfo& relation : relations) {
        RETURN_NOT_OK(DropRelationCascade(relation, cascade, statement.name.position));
      }
      RETURN_NOT_OK(engine_.catalog().DropSchema(bound->second.id));
      RETURN_NOT_OK(ForgetGrantsOn(object));
      break;
    }
    case ObjectType::kStore: {
      Result<StoreInfo> store =
          binder.BindStore(statement.name.parts.back(), statement.name.position);
      if (!store.ok()) return skipped(store.status());
      const rbac::ObjectRef object{rbac::ObjectKind::kStore, store->name};
      RETURN_NOT_OK(RequireOwnership(object, statement.name.position));
      // The catalog refuses the built-in stores and stores that relations still use.
      RETURN_NOT_OK(engine_.catalog().DropStore(store->id).WithPosition(statement.name.position));
      RETURN_NOT_OK(ForgetGrantsOn(object));
      break;
    }
    case ObjectType::kQuery:
      return Status::Binder("use TERMINATE QUERY to stop a query", statement.position);
    default: {
      Result<BoundRelation> bound = binder.BindRelation(statement.name);
      if (!bound.ok()) return skipped(bound.status());
      if (!KindMatches(statement.object_type, bound->relation.kind)) {
        return Status::Binder(
            "\"" + bound->qualified_name + "\" is a " + Word(bound->relation.kind) + ", not a " +
                Word(statement.object_type == ObjectType::kStream ? CatalogRelationKind::kStream
                     : statement.object_type == ObjectType::kChangelog
                         ? CatalogRelationKind::kChangelog
                         : CatalogRelationKind::kMaterializedView),
            statement.name.position);
      }
      const rbac::ObjectRef object{rbac::ObjectKind::kRelation, bound->qualified_name};
      RETURN_NOT_OK(RequireOwnership(object, statement.name.position));
      RETURN_NOT_OK(DropRelationCascade(bound->relation, cascade, statement.name.position));
      RETURN_NOT_OK(ForgetGrantsOn(object));
      break;
    }
  }
  handler_.OnCommandComplete(tag);
  return Status::OK();
}

}  // namespace sluice
