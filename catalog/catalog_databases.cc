// Databases: the top of the name hierarchy.

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

std::string SelectDatabases(std::string_view clause) {
  return "SELECT id, name, owner, created_at FROM databases " + std::string(clause);
}

Result<DatabaseInfo> ReadDatabase(const SqliteStatement& row) {
  DatabaseInfo database;
  database.id = row.Int(0);
  database.name = row.Text(1);
  database.owner = row.Text(2);
  database.created_at = row.Int(3);
  return database;
}

}  // namespace

Result<DatabaseInfo> Catalog::CreateDatabase(const std::string& name, const std::string& owner) {
  if (name.empty()) return Status::Catalog("a database needs a name");
  ASSIGN_OR_RETURN(std::optional<DatabaseInfo> existing, FindDatabase(name));
  if (existing) return Status::Catalog("database " + Quote(name) + " already exists");
  DatabaseInfo database;
  database.name = name;
  database.owner = catalog_internal::OwnerOrDefault(owner);
  database.created_at = CurrentTimeMillis();
  RETURN_NOT_OK(Execute(*connection_,
                        "INSERT INTO databases (name, owner, created_at) VALUES (?, ?, ?)",
                        database.name, database.owner, database.created_at));
  database.id = connection_->last_insert_rowid();
  return database;
}

Result<std::optional<DatabaseInfo>> Catalog::FindDatabase(const std::string& name) {
  return read_cache_->databases.Get(change_count(), name, [&] {
    return SelectRow<DatabaseInfo>(*connection_, ReadDatabase, SelectDatabases("WHERE name = ?"),
                                   name);
  });
}

Result<DatabaseInfo> Catalog::GetDatabase(const std::string& name) {
  ASSIGN_OR_RETURN(std::optional<DatabaseInfo> database, FindDatabase(name));
  if (database) return *std::move(database);
  ASSIGN_OR_RETURN(std::vector<DatabaseInfo> databases, ListDatabases());
  std::vector<std::string> names;
  for (const DatabaseInfo& candidate : databases) names.push_back(candidate.name);
  return catalog_internal::NotFound("database", name, names);
}

Result<DatabaseInfo> Catalog::GetDatabaseById(int64_t id) {
  ASSIGN_OR_RETURN(
      std::optional<DatabaseInfo> database,
      SelectRow<DatabaseInfo>(*connection_, ReadDatabase, SelectDatabases("WHERE id = ?"), id));
  if (!database) return Status::Catalog("database " + std::to_string(id) + " does not exist");
  return *std::move(database);
}

Result<std::vector<DatabaseInfo>> Catalog::ListDatabases() {
  return SelectRows<DatabaseInfo>(*connection_, ReadDatabase, SelectDatabases("ORDER BY name"));
}

Status Catalog::DropDatabase(int64_t id) {
  return RunInTransaction([&]() -> Status {
    ASSIGN_OR_RETURN(DatabaseInfo database, GetDatabaseById(id));
    if (database.name == kDefaultDatabase) {
      return Status::Catalog("cannot drop the default database " + Quote(database.name));
    }
    auto read_name = [](const SqliteStatement& row) -> Result<std::string> {
      return Quote(row.Text(0));
    };
    ASSIGN_OR_RETURN(std::vector<std::string> occupied,
                     SelectRows<std::string>(*connection_, read_name,
                                             "SELECT name FROM schemas s WHERE database_id = ? "
                                             "AND EXISTS (SELECT 1 FROM relations "
                                             "WHERE schema_id = s.id) ORDER BY name",
                                             id));
    if (!occupied.empty()) {
      return Status::Catalog("cannot drop database " + Quote(database.name) + ": it contains " +
                             (occupied.size() == 1 ? "schema " : "schemas ") +
                             catalog_internal::JoinLimited(occupied));
    }
    // What is left are empty schemas; they go with their database.
    RETURN_NOT_OK(Execute(*connection_, "DELETE FROM schemas WHERE database_id = ?", id));
    return Execute(*connection_, "DELETE FROM databases WHERE id = ?", id);
  });
}

}  // namespace sluice
