// Relations: streams, changelogs and materialized views, with their columns and WITH properties.

#include <set>

#include "catalog/catalog.h"
#include "catalog/catalog_internal.h"
#include "catalog/catalog_read_cache.h"
#include "catalog/object_codec.h"
#include "common/clock.h"

namespace sluice {

using catalog_internal::Execute;
using catalog_internal::Quote;
using catalog_internal::SelectRow;
using catalog_internal::SelectRows;

namespace {

std::string SelectRelations(std::string_view clause) {
  return "SELECT id, schema_id, name, kind, columns, primary_key, properties, store_id, topic, "
         "owner, created_at FROM relations " +
         std::string(clause);
}

Result<RelationInfo> ReadRelation(const SqliteStatement& row) {
  RelationInfo relation;
  relation.id = row.Int(0);
  relation.schema_id = row.Int(1);
  relation.name = row.Text(2);
  ASSIGN_OR_RETURN(relation.kind, ParseRelationKind(row.Text(3)));
  ASSIGN_OR_RETURN(relation.columns, DecodeColumns(row.Text(4)));
  ASSIGN_OR_RETURN(relation.primary_key, DecodeStrings(row.Text(5)));
  ASSIGN_OR_RETURN(relation.properties, DecodeProperties(row.Text(6)));
  relation.store_id = row.Int(7);
  relation.topic = row.Text(8);
  relation.owner = row.Text(9);
  relation.created_at = row.Int(10);
  return relation;
}

// Column names are unique and every primary key column is one of them, exactly once.
Status CheckColumns(const RelationInfo& relation) {
  std::set<std::string> columns;
  for (const Field& column : relation.columns) {
    if (!columns.insert(column.name).second) {
      return Status::Catalog("column " + Quote(column.name) + " appears twice in " +
                             Quote(relation.name));
    }
  }
  std::set<std::string> key;
  for (const std::string& name : relation.primary_key) {
    if (columns.count(name) == 0) {
      return Status::Catalog("primary key column " + Quote(name) + " is not a column of " +
                             Quote(relation.name));
    }
    if (!key.insert(name).second) {
      return Status::Catalog("primary key column " + Quote(name) + " is listed twice");
    }
  }
  return Status::OK();
}

// "query 3 reads from it", "query 5 writes to it".
std::string DescribeDependency(const QueryDependency& dependency) {
  std::string text = "query " + std::to_string(dependency.query_id);
  if (dependency.reads && dependency.writes) return text + " reads from and writes to it";
  return text + (dependency.reads ? " reads from it" : " writes to it");
}

}  // namespace

Result<RelationInfo> Catalog::CreateRelation(const RelationInfo& relation) {
  if (relation.name.empty()) return Status::Catalog("a relation needs a name");
  RelationInfo stored = relation;
  stored.owner = catalog_internal::OwnerOrDefault(relation.owner);
  stored.created_at = CurrentTimeMillis();
  if (stored.topic.empty()) {
    auto topic = stored.properties.find("topic");
    if (topic != stored.properties.end()) stored.topic = topic->second;
  }
  RETURN_NOT_OK(CheckColumns(stored));
  RETURN_NOT_OK(RunInTransaction([&]() -> Status {
    ASSIGN_OR_RETURN(SchemaInfo schema, GetSchemaById(stored.schema_id));
    RETURN_NOT_OK(GetStoreById(stored.store_id).status());
    ASSIGN_OR_RETURN(std::optional<RelationInfo> existing, FindRelation(schema.id, stored.name));
    if (existing) {
      ASSIGN_OR_RETURN(DatabaseInfo database, GetDatabaseById(schema.database_id));
      return Status::Catalog("relation " + Quote(stored.name) + " already exists in schema " +
                             Quote(database.name + "." + schema.name));
    }
    RETURN_NOT_OK(Execute(*connection_,
                          "INSERT INTO relations (schema_id, name, kind, columns, primary_key, "
                          "properties, store_id, topic, owner, created_at) "
                          "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                          stored.schema_id, stored.name, RelationKindName(stored.kind),
                          EncodeColumns(stored.columns), EncodeStrings(stored.primary_key),
                          EncodeProperties(stored.properties), stored.store_id, stored.topic,
                          stored.owner, stored.created_at));
    stored.id = connection_->last_insert_rowid();
    return Status::OK();
  }));
  return stored;
}

Result<std::optional<RelationInfo>> Catalog::FindRelation(int64_t schema_id,
                                                          const std::string& name) {
  return read_cache_->relations.Get(change_count(), {schema_id, name}, [&] {
    return SelectRow<RelationInfo>(*connection_, ReadRelation,
                                   SelectRelations("WHERE schema_id = ? AND name = ?"), schema_id,
                                   name);
  });
}

Result<RelationInfo> Catalog::GetRelation(int64_t schema_id, const std::string& name) {
  ASSIGN_OR_RETURN(std::optional<RelationInfo> relation, FindRelation(schema_id, name));
  if (relation) return *std::move(relation);
  ASSIGN_OR_RETURN(SchemaInfo schema, GetSchemaById(schema_id));
  ASSIGN_OR_RETURN(DatabaseInfo database, GetDatabaseById(schema.database_id));
  ASSIGN_OR_RETURN(std::vector<RelationInfo> relations, ListRelations(schema_id));
  std::vector<std::string> names;
  for (const RelationInfo& candidate : relations) names.push_back(candidate.name);
  return catalog_internal::NotFound("relation", name, names,
                                    " in schema " + Quote(database.name + "." + schema.name));
}

Result<RelationInfo> Catalog::GetRelationById(int64_t id) {
  ASSIGN_OR_RETURN(
      std::optional<RelationInfo> relation,
      SelectRow<RelationInfo>(*connection_, ReadRelation, SelectRelations("WHERE id = ?"), id));
  if (!relation) return Status::Catalog("relation " + std::to_string(id) + " does not exist");
  return *std::move(relation);
}

Result<std::vector<RelationInfo>> Catalog::ListRelations(int64_t schema_id) {
  return SelectRows<RelationInfo>(*connection_, ReadRelation,
                                  SelectRelations("WHERE schema_id = ? ORDER BY name"), schema_id);
}

Result<std::vector<RelationInfo>> Catalog::ListRelationsUsingStore(int64_t store_id) {
  return SelectRows<RelationInfo>(*connection_, ReadRelation,
                                  SelectRelations("WHERE store_id = ? ORDER BY id"), store_id);
}

Result<std::string> Catalog::QualifiedRelationName(int64_t relation_id) {
  auto read_name = [](const SqliteStatement& row) -> Result<std::string> {
    return row.Text(0) + "." + row.Text(1) + "." + row.Text(2);
  };
  ASSIGN_OR_RETURN(std::optional<std::string> name,
                   SelectRow<std::string>(*connection_, read_name,
                                          "SELECT d.name, s.name, r.name FROM relations r "
                                          "JOIN schemas s ON s.id = r.schema_id "
                                          "JOIN databases d ON d.id = s.database_id "
                                          "WHERE r.id = ?",
                                          relation_id));
  if (!name) return Status::Catalog("relation " + std::to_string(relation_id) + " does not exist");
  return *std::move(name);
}

Status Catalog::DropRelation(int64_t id) {
  return RunInTransaction([&]() -> Status {
    ASSIGN_OR_RETURN(RelationInfo relation, GetRelationById(id));
    ASSIGN_OR_RETURN(std::vector<QueryDependency> dependencies, ListQueryDependencies(id));
    std::vector<std::string> uses;
    std::vector<std::string> remedies;
    for (const QueryDependency& dependency : dependencies) {
      if (dependency.state == QueryState::kTerminated) continue;
      uses.push_back(DescribeDependency(dependency));
      remedies.push_back("TERMINATE QUERY " + std::to_string(dependency.query_id));
    }
    if (!uses.empty()) {
      return Status::Catalog("cannot drop " + std::string(RelationKindWord(relation.kind)) + " " +
                             Quote(relation.name) + ": " + catalog_internal::JoinLimited(uses) +
                             " (" + catalog_internal::JoinLimited(remedies) + " first)");
    }
    // Terminated queries keep their SQL and state; their links to this relation go (the foreign
    // keys clear the sink and delete the source rows).
    return Execute(*connection_, "DELETE FROM relations WHERE id = ?", id);
  });
}

}  // namespace sluice
