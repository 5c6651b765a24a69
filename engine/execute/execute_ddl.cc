// CREATE / USE / DROP of databases, schemas, relations and stores.

#include <set>

#include "engine/execute/statement_executor.h"
#include "planner/binder/binder.h"
#include "planner/binder/relation_schema.h"
#include "runtime/connector/datagen/datagen_source.h"

namespace sluice {

namespace {

std::string KindName(RelationKind kind) {
  return std::string(RelationKindWord(static_cast<CatalogRelationKind>(kind)));
}

}  // namespace

Status StatementExecutor::CreateDatabase(const CreateDatabaseStatement& statement) {
  std::lock_guard<std::mutex> lock(engine_.catalog_mutex());
  const std::string& name = statement.name.parts.back();
  RETURN_NOT_OK(
      RequireStatement(rbac::StatementKind::kCreateDatabase, {}, name, statement.position));
  RETURN_NOT_OK(RefuseSystemDatabase(name, statement.name.position));
  ASSIGN_OR_RETURN(std::optional<DatabaseInfo> existing, engine_.catalog().FindDatabase(name));
  if (existing) {
    if (statement.if_not_exists) {
      handler_.OnNotice("database \"" + name + "\" already exists, skipping");
      handler_.OnCommandComplete("CREATE DATABASE");
      return Status::OK();
    }
    return Status::Catalog("database \"" + name + "\" already exists", statement.name.position);
  }
  RETURN_NOT_OK(engine_.catalog().RunInTransaction([&]() -> Status {
    ASSIGN_OR_RETURN(DatabaseInfo database,
                     engine_.catalog().CreateDatabase(name, session_.role()));
    // Like PostgreSQL, a new database starts with a "public" schema.
    return engine_.catalog()
        .CreateSchema(database.id, std::string(kDefaultSchema), session_.role())
        .status();
  }));
  handler_.OnCommandComplete("CREATE DATABASE");
  return Status::OK();
}

Status StatementExecutor::CreateSchema(const CreateSchemaStatement& statement) {
  std::lock_guard<std::mutex> lock(engine_.catalog_mutex());
  Binder binder(engine_.catalog(), session_.current_database_, session_.current_schema_);
  QualifiedName database_name = statement.name;
  database_name.parts.pop_back();
  DatabaseInfo database;
  if (database_name.parts.empty()) {
    database_name.parts.push_back(session_.current_database_);
  }
  ASSIGN_OR_RETURN(database, binder.BindDatabase(database_name));
  const std::string& name = statement.name.parts.back();
  rbac::StatementTargets schema_targets;
  schema_targets.database = database.name;
  RETURN_NOT_OK(RequireStatement(rbac::StatementKind::kCreateSchema, schema_targets,
                                 database.name + "." + name, statement.position));
  ASSIGN_OR_RETURN(std::optional<SchemaInfo> existing,
                   engine_.catalog().FindSchema(database.id, name));
  if (existing) {
    if (statement.if_not_exists) {
      handler_.OnNotice("schema \"" + name + "\" already exists, skipping");
      handler_.OnCommandComplete("CREATE SCHEMA");
      return Status::OK();
    }
    return Status::Catalog(
        "schema \"" + name + "\" already exists in database \"" + database.name + "\"",
        statement.name.position);
  }
  RETURN_NOT_OK(engine_.catalog().CreateSchema(database.id, name, session_.role()).status());
  handler_.OnCommandComplete("CREATE SCHEMA");
  return Status::OK();
}

Status StatementExecutor::UseDatabase(const UseDatabaseStatement& statement) {
  std::lock_guard<std::mutex> lock(engine_.catalog_mutex());
  Binder binder(engine_.catalog(), session_.current_database_, session_.current_schema_);
  ASSIGN_OR_RETURN(DatabaseInfo database, binder.BindDatabase(statement.name));
  RETURN_NOT_OK(
      RequireVisible({rbac::ObjectKind::kDatabase, database.name}, statement.name.position));
  session_.current_database_ = database.name;
  // Keep the schema name if the new database has one of that name, else fall back to public.
  ASSIGN_OR_RETURN(std::optional<SchemaInfo> same_schema,
                   engine_.catalog().FindSchema(database.id, session_.current_schema_));
  if (!same_schema) {
    session_.current_schema_ = std::string(kDefaultSchema);
  }
  handler_.OnCommandComplete("USE DATABASE");
  return Status::OK();
}

Status StatementExecutor::UseSchema(const UseSchemaStatement& statement) {
  std::lock_guard<std::mutex> lock(engine_.catalog_mutex());
  Binder binder(engine_.catalog(), session_.current_database_, session_.current_schema_);
  ASSIGN_OR_RETURN(auto bound, binder.BindSchema(statement.name));
  RETURN_NOT_OK(
      RequireVisible({rbac::ObjectKind::kSchema, bound.first.name + "." + bound.second.name},
                     statement.name.position));
  session_.current_database_ = bound.first.name;
  session_.current_schema_ = bound.second.name;
  handler_.OnCommandComplete("USE SCHEMA");
  return Status::OK();
}

Status StatementExecutor::CreateRelation(const CreateRelationStatement& statement) {
  std::lock_guard<std::mutex> lock(engine_.catalog_mutex());
  Binder binder(engine_.catalog(), session_.current_database_, session_.current_schema_);
  ASSIGN_OR_RETURN(auto target, binder.BindNewRelationName(statement.name));
  const auto& [container, name] = target;
  RETURN_NOT_OK(RequireCreateInSchema(container.first, container.second, statement.name.position));
  const std::string kind_name = KindName(statement.relation_kind);
  ASSIGN_OR_RETURN(std::optional<RelationInfo> existing,
                   engine_.catalog().FindRelation(container.second.id, name));
  if (existing) {
    if (statement.if_not_exists) {
      handler_.OnNotice(kind_name + " \"" + name + "\" already exists, skipping");
      handler_.OnCommandComplete(
          statement.relation_kind == RelationKind::kStream ? "CREATE STREAM" : "CREATE CHANGELOG");
      return Status::OK();
    }
    return Status::Catalog("relation \"" + name + "\" already exists in schema \"" +
                               container.first.name + "." + container.second.name + "\"",
                           statement.name.position);
  }

  Schema columns;
  std::set<std::string> seen;
  for (const ColumnDef& column : statement.columns) {
    if (!seen.insert(column.name).second) {
      return Status::Binder("duplicate column \"" + column.name + "\"", column.position);
    }
    columns.Add(Field{column.name, column.type.type});
  }
  std::vector<std::string> primary_key;
  if (!statement.primary_key.empty()) {
    if (statement.relation_kind == RelationKind::kStream) {
      return Status::Binder(
          "a STREAM has no PRIMARY KEY; declare a CHANGELOG, or key a stream "
          "with WITH ('key.columns'='...')",
          statement.primary_key_position);
    }
    for (const Identifier& key : statement.primary_key) {
      if (columns.IndexOf(key.name) < 0) {
        return Status::Binder("primary key column \"" + key.name + "\" is not a column",
                              key.position);
      }
      primary_key.push_back(key.name);
    }
  } else if (statement.relation_kind == RelationKind::kChangelog) {
    return Status::Binder("a CHANGELOG needs a PRIMARY KEY (...)", statement.position);
  }

  ASSIGN_OR_RETURN(auto properties, BindRelationProperties(statement.properties, name, columns));
  ASSIGN_OR_RETURN(StoreInfo store, binder.BindStore(properties["store"], statement.position));
  RETURN_NOT_OK(RequireStoreUsage(store, statement.position));
  if (store.type == "datagen") {
    if (statement.relation_kind != RelationKind::kStream) {
      return Status::Binder("the datagen store makes streams only", statement.position);
    }
    RETURN_NOT_OK(ValidateDatagenColumns(columns, properties).WithPosition(statement.position));
  } else if (store.type == "local") {
    RETURN_NOT_OK(EnsureTopic(properties));
  } else if (store.type == "kafka") {
    RETURN_NOT_OK(CheckKafkaTopic(store, statement.properties, properties, statement.position));
  } else {
    return Status::Binder("relations on store type '" + store.type + "' are not supported yet",
                          statement.position);
  }

  RelationInfo relation;
  relation.schema_id = container.second.id;
  relation.name = name;
  relation.kind = static_cast<CatalogRelationKind>(statement.relation_kind);
  relation.columns = columns.fields();
  relation.primary_key = primary_key;
  relation.properties = properties;
  relation.store_id = store.id;
  relation.owner = session_.role();
  RETURN_NOT_OK(engine_.catalog().CreateRelation(relation).status());
  handler_.OnCommandComplete(statement.relation_kind == RelationKind::kStream ? "CREATE STREAM"
                                                                              : "CREATE CHANGELOG");
  return Status::OK();
}

Status StatementExecutor::EnsureTopic(std::map<std::string, std::string>& properties,
                                      bool check_only) {
  if (properties.count("replicas") && properties["replicas"] != "1") {
    return Status::Binder(
        "'replicas' applies to Kafka stores; the local store keeps one copy "
        "of each partition");
  }
  const std::string& topic = properties["topic"];
  const int32_t partitions = std::stoi(properties["partitions"]);
  Result<TopicInfo> existing = engine_.log().GetTopicInfo(topic);
  if (existing.ok()) {
    if (existing->partitions != partitions) {
      return Status::Binder("topic '" + topic + "' exists with " +
                            std::to_string(existing->partitions) + " partitions, not " +
                            std::to_string(partitions) + "; drop the 'partitions' property or " +
                            "set it to " + std::to_string(existing->partitions));
    }
    return Status::OK();
  }
  if (check_only) return Status::OK();
  RETURN_NOT_OK(engine_.log().CreateTopic(topic, partitions));
  // The relation made this topic, so dropping the relation deletes it.
  properties["topic.owned"] = "true";
  return Status::OK();
}

}  // namespace sluice
