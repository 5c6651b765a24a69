#include "planner/binder/binder.h"

#include "catalog/name_suggestion.h"

namespace sluice {

namespace {

std::string Hint(const std::string& wanted, const std::vector<std::string>& candidates) {
  if (auto closest = ClosestName(wanted, candidates)) return " (did you mean \"" + *closest + "\"?)";
  return "";
}

}  // namespace

Result<DatabaseInfo> Binder::BindDatabase(const QualifiedName& name) const {
  if (name.parts.size() != 1) {
    return Status::Binder("a database name has one part, got \"" + name.ToString() + "\"",
                          name.position);
  }
  ASSIGN_OR_RETURN(std::optional<DatabaseInfo> found, catalog_.FindDatabase(name.parts[0]));
  if (found) return *found;
  std::vector<std::string> names;
  ASSIGN_OR_RETURN(auto databases, catalog_.ListDatabases());
  for (const auto& database : databases) names.push_back(database.name);
  return Status::Binder("database \"" + name.parts[0] + "\" does not exist" +
                            Hint(name.parts[0], names),
                        name.position);
}

Result<std::pair<DatabaseInfo, SchemaInfo>> Binder::BindSchema(const QualifiedName& name) const {
  if (name.parts.empty() || name.parts.size() > 2) {
    return Status::Binder("a schema name has the form [database.]schema, got \"" +
                              name.ToString() + "\"",
                          name.position);
  }
  QualifiedName database_name;
  database_name.position = name.position;
  database_name.parts = {name.parts.size() == 2 ? name.parts[0] : current_database_};
  ASSIGN_OR_RETURN(DatabaseInfo database, BindDatabase(database_name));
  const std::string& schema_name = name.parts.back();
  ASSIGN_OR_RETURN(std::optional<SchemaInfo> found, catalog_.FindSchema(database.id, schema_name));
  if (found) return std::make_pair(database, *found);
  std::vector<std::string> names;
  ASSIGN_OR_RETURN(auto schemas, catalog_.ListSchemas(database.id));
  for (const auto& schema : schemas) names.push_back(schema.name);
  return Status::Binder("schema \"" + schema_name + "\" does not exist in database \"" +
                            database.name + "\"" + Hint(schema_name, names),
                        name.position);
}

Result<BoundRelation> Binder::BindRelation(const QualifiedName& name) const {
  if (name.parts.empty() || name.parts.size() > 3) {
    return Status::Binder("a relation name has the form [[database.]schema.]relation, got \"" +
                              name.ToString() + "\"",
                          name.position);
  }
  QualifiedName schema_name;
  schema_name.position = name.position;
  if (name.parts.size() == 1) {
    schema_name.parts = {current_database_, current_schema_};
  } else {
    schema_name.parts.assign(name.parts.begin(), name.parts.end() - 1);
  }
  Result<std::pair<DatabaseInfo, SchemaInfo>> container = BindSchema(schema_name);
  const std::string& relation_name = name.parts.back();
  if (!container.ok()) {
    // The user named a relation; say so rather than only blaming the schema.
    return Status::Binder("relation \"" + name.ToString() + "\" does not exist: " +
                              container.status().message(),
                          name.position);
  }
  const auto& [database, schema] = *container;
  ASSIGN_OR_RETURN(std::optional<RelationInfo> relation,
                   catalog_.FindRelation(schema.id, relation_name));
  if (!relation) {
    std::vector<std::string> names;
    ASSIGN_OR_RETURN(auto relations, catalog_.ListRelations(schema.id));
    for (const auto& candidate : relations) names.push_back(candidate.name);
    return Status::Binder("relation \"" + relation_name + "\" does not exist" +
                              Hint(relation_name, names),
                          name.position);
  }
  ASSIGN_OR_RETURN(StoreInfo store, catalog_.GetStoreById(relation->store_id));
  BoundRelation bound{database, schema, *relation, store,
                      database.name + "." + schema.name + "." + relation->name};
  return bound;
}

Result<std::pair<std::pair<DatabaseInfo, SchemaInfo>, std::string>> Binder::BindNewRelationName(
    const QualifiedName& name) const {
  if (name.parts.empty() || name.parts.size() > 3) {
    return Status::Binder("a relation name has the form [[database.]schema.]relation",
                          name.position);
  }
  QualifiedName schema_name;
  schema_name.position = name.position;
  if (name.parts.size() == 1) {
    schema_name.parts = {current_database_, current_schema_};
  } else {
    schema_name.parts.assign(name.parts.begin(), name.parts.end() - 1);
  }
  ASSIGN_OR_RETURN(auto container, BindSchema(schema_name));
  return std::make_pair(container, name.parts.back());
}

Result<StoreInfo> Binder::BindStore(const std::string& name, int64_t position) const {
  ASSIGN_OR_RETURN(std::optional<StoreInfo> found, catalog_.FindStore(name));
  if (found) return *found;
  std::vector<std::string> names;
  ASSIGN_OR_RETURN(auto stores, catalog_.ListStores());
  for (const auto& store : stores) names.push_back(store.name);
  return Status::Binder("store \"" + name + "\" does not exist" + Hint(name, names), position);
}

}  // namespace sluice
