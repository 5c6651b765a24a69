// Schemas: namespaces for relations inside a database.

#include "catalog/catalog.h"
#include "catalog/catalog_internal.h"
#include "catalog/catalog_read_cache.h"
#include "common/clock.h"

namespace sluice {

using catalog_internal::Execute;
using catalog_internal::Quote;
using catalog_internal::SelectRow;
using catalog_internal::SelectRows;

namespace {

std::string SelectSchemas(std::string_view clause) {
  return "SELECT id, database_id, name, owner, created_at FROM schemas " + std::string(clause);
}

Result<SchemaInfo> ReadSchema(const SqliteStatement& row) {
  SchemaInfo schema;
  schema.id = row.Int(0);
  schema.database_id = row.Int(1);
  schema.name = row.Text(2);
  schema.owner = row.Text(3);
  schema.created_at = row.Int(4);
  return schema;
}

}  // namespace

Result<SchemaInfo> Catalog::CreateSchema(int64_t database_id, const std::string& name,
                                         const std::string& owner) {
  if (name.empty()) return Status::Catalog("a schema needs a name");
  ASSIGN_OR_RETURN(DatabaseInfo database, GetDatabaseById(database_id));
  ASSIGN_OR_RETURN(std::optional<SchemaInfo> existing, FindSchema(database_id, name));
  if (existing) {
    return Status::Catalog("schema " + Quote(name) + " already exists in database " +
                           Quote(database.name));
  }
  SchemaInfo schema;
  schema.database_id = database_id;
  schema.name = name;
  schema.owner = catalog_internal::OwnerOrDefault(owner);
  schema.created_at = CurrentTimeMillis();
  RETURN_NOT_OK(Execute(*connection_,
                        "INSERT INTO schemas (database_id, name, owner, created_at) "
                        "VALUES (?, ?, ?, ?)",
                        schema.database_id, schema.name, schema.owner, schema.created_at));
  schema.id = connection_->last_insert_rowid();
  return schema;
}

Result<std::optional<SchemaInfo>> Catalog::FindSchema(int64_t database_id,
                                                      const std::string& name) {
  return read_cache_->schemas.Get(change_count(), {database_id, name}, [&] {
    return SelectRow<SchemaInfo>(*connection_, ReadSchema,
                                 SelectSchemas("WHERE database_id = ? AND name = ?"), database_id,
                                 name);
  });
}

Result<SchemaInfo> Catalog::GetSchema(int64_t database_id, const std::string& name) {
  ASSIGN_OR_RETURN(std::optional<SchemaInfo> schema, FindSchema(database_id, name));
  if (schema) return *std::move(schema);
  ASSIGN_OR_RETURN(DatabaseInfo database, GetDatabaseById(database_id));
  ASSIGN_OR_RETURN(std::vector<SchemaInfo> schemas, ListSchemas(database_id));
  std::vector<std::string> names;
  for (const SchemaInfo& candidate : schemas) names.push_back(candidate.name);
  return catalog_internal::NotFound("schema", name, names, " in database " + Quote(database.name));
}

Result<SchemaInfo> Catalog::GetSchemaById(int64_t id) {
  ASSIGN_OR_RETURN(
      std::optional<SchemaInfo> schema,
      SelectRow<SchemaInfo>(*connection_, ReadSchema, SelectSchemas("WHERE id = ?"), id));
  if (!schema) return Status::Catalog("schema " + std::to_string(id) + " does not exist");
  return *std::move(schema);
}

Result<std::vector<SchemaInfo>> Catalog::ListSchemas(int64_t database_id) {
  return SelectRows<SchemaInfo>(*connection_, ReadSchema,
                                SelectSchemas("WHERE database_id = ? ORDER BY name"), database_id);
}

Status Catalog::DropSchema(int64_t id) {
  return RunInTransaction([&]() -> Status {
    ASSIGN_OR_RETURN(SchemaInfo schema, GetSchemaById(id));
    ASSIGN_OR_RETURN(DatabaseInfo database, GetDatabaseById(schema.database_id));
    if (database.name == kDefaultDatabase && schema.name == kDefaultSchema) {
      return Status::Catalog("cannot drop the default schema " +
                             Quote(database.name + "." + schema.name));
    }
    ASSIGN_OR_RETURN(std::vector<RelationInfo> relations, ListRelations(id));
    if (!relations.empty()) {
      std::vector<std::string> names;
      for (const RelationInfo& relation : relations) {
        names.push_back(std::string(RelationKindWord(relation.kind)) + " " + Quote(relation.name));
      }
      return Status::Catalog("cannot drop schema " + Quote(schema.name) + ": it contains " +
                             catalog_internal::JoinLimited(names));
    }
    return Execute(*connection_, "DELETE FROM schemas WHERE id = ?", id);
  });
}

}  // namespace sluice
