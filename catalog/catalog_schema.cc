// The layout of catalog.db and how a file moves from one layout version to the next. Each
// migration runs once, in order, inside the same transaction that records it in schema_version;
// a file written by a newer Sluice is refused rather than misread. Append new migrations; never
// edit one that has shipped.
//
// Composite fields (columns, primary key, properties) are JSON text (see object_codec.h); the
// sources of a query get their own table so a DROP can find the queries that read a relation.
// Every object row has an `owner` role for the governance layer. AUTOINCREMENT keeps ids from
// being reused after a drop.

#include "catalog/catalog.h"
#include "catalog/sqlite_statement.h"
#include "common/clock.h"

namespace sluice {

namespace {

struct Migration {
  int64_t version;
  const char* sql;
};

constexpr Migration kMigrations[] = {
    {1, R"sql(
CREATE TABLE databases (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL UNIQUE,
  owner TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE TABLE schemas (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  database_id INTEGER NOT NULL REFERENCES databases(id),
  name TEXT NOT NULL,
  owner TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  UNIQUE (database_id, name)
);
CREATE TABLE stores (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL UNIQUE,
  type TEXT NOT NULL,
  properties TEXT NOT NULL,
  secret_properties BLOB,
  owner TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE TABLE relations (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  schema_id INTEGER NOT NULL REFERENCES schemas(id),
  name TEXT NOT NULL,
  kind TEXT NOT NULL,
  columns TEXT NOT NULL,
  primary_key TEXT NOT NULL,
  properties TEXT NOT NULL,
  store_id INTEGER NOT NULL REFERENCES stores(id),
  topic TEXT NOT NULL,
  owner TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  UNIQUE (schema_id, name)
);
CREATE INDEX relations_by_store ON relations (store_id);
CREATE TABLE queries (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  sql TEXT NOT NULL,
  plan TEXT NOT NULL,
  state TEXT NOT NULL,
  state_reason TEXT NOT NULL,
  owner TEXT NOT NULL,
  sink_relation_id INTEGER REFERENCES relations(id) ON DELETE SET NULL,
  properties TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX queries_by_state ON queries (state);
CREATE INDEX queries_by_sink ON queries (sink_relation_id);
CREATE TABLE query_sources (
  query_id INTEGER NOT NULL REFERENCES queries(id) ON DELETE CASCADE,
  source_idx INTEGER NOT NULL,
  relation_id INTEGER NOT NULL REFERENCES relations(id) ON DELETE CASCADE,
  PRIMARY KEY (query_id, source_idx)
);
CREATE INDEX query_sources_by_relation ON query_sources (relation_id);
)sql"},
    // Governance: users (SCRAM-SHA-256 verifiers only; NULL = local trust only), roles, who holds
    // which role, and privilege grants with grantor and grant option. Existing files gain the
    // built-in roles and the admin user here, so old data dirs keep opening.
    {2, R"sql(
CREATE TABLE roles (
  name TEXT PRIMARY KEY,
  builtin INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE users (
  name TEXT PRIMARY KEY,
  scram_verifier TEXT,
  default_role TEXT NOT NULL DEFAULT 'public' REFERENCES roles(name),
  created_at INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE role_members (
  role TEXT NOT NULL REFERENCES roles(name),
  member_kind TEXT NOT NULL CHECK (member_kind IN ('ROLE', 'USER')),
  member TEXT NOT NULL,
  PRIMARY KEY (role, member_kind, member)
);
CREATE TABLE grants (
  privilege TEXT NOT NULL,
  object_kind TEXT NOT NULL,
  object_name TEXT NOT NULL,
  grantee TEXT NOT NULL REFERENCES roles(name),
  grantor TEXT NOT NULL REFERENCES roles(name),
  grant_option INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (privilege, object_kind, object_name, grantee, grantor)
);
INSERT INTO roles (name, builtin) VALUES
  ('orgadmin', 1), ('sysadmin', 1), ('securityadmin', 1), ('useradmin', 1), ('public', 1);
INSERT INTO role_members (role, member_kind, member) VALUES
  ('sysadmin', 'ROLE', 'orgadmin'), ('securityadmin', 'ROLE', 'orgadmin'),
  ('useradmin', 'ROLE', 'securityadmin');
INSERT INTO users (name, scram_verifier, default_role) VALUES ('admin', NULL, 'orgadmin');
INSERT INTO role_members (role, member_kind, member) VALUES ('orgadmin', 'USER', 'admin');
)sql"},
};

constexpr int64_t kLatestVersion = kMigrations[std::size(kMigrations) - 1].version;

}  // namespace

Result<int64_t> Catalog::SchemaVersion() {
  ASSIGN_OR_RETURN(SqliteStatement statement,
                   SqliteStatement::Prepare(
                       *connection_, "SELECT COALESCE(MAX(version), 0) FROM schema_version"));
  ASSIGN_OR_RETURN(bool has_row, statement.Step());
  return has_row ? statement.Int(0) : 0;
}

Status Catalog::Migrate() {
  return RunInTransaction([&]() -> Status {
    RETURN_NOT_OK(
        connection_->Exec("CREATE TABLE IF NOT EXISTS schema_version ("
                          "version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)"));
    ASSIGN_OR_RETURN(int64_t current, SchemaVersion());
    if (current > kLatestVersion) {
      return Status::Catalog("the catalog was written by a newer Sluice (layout version " +
                             std::to_string(current) + ", this build knows up to " +
                             std::to_string(kLatestVersion) + "); upgrade Sluice to open it");
    }
    for (const Migration& migration : kMigrations) {
      if (migration.version <= current) continue;
      RETURN_NOT_OK(
          connection_->Exec(migration.sql)
              .WithContext("catalog migration to version " + std::to_string(migration.version)));
      ASSIGN_OR_RETURN(SqliteStatement record,
                       SqliteStatement::Make(*connection_,
                                             "INSERT INTO schema_version (version, applied_at) "
                                             "VALUES (?, ?)",
                                             migration.version, CurrentTimeMillis()));
      RETURN_NOT_OK(record.Run());
    }
    // A brand-new file: the objects every installation starts with, in the same transaction, so
    // a crash never leaves a catalog with tables but without its default database.
    if (current == 0) RETURN_NOT_OK(Bootstrap());
    return Status::OK();
  });
}

Status Catalog::Bootstrap() {
  const std::string owner(kDefaultOwner);
  ASSIGN_OR_RETURN(DatabaseInfo database, CreateDatabase(std::string(kDefaultDatabase), owner));
  RETURN_NOT_OK(CreateSchema(database.id, std::string(kDefaultSchema), owner).status());
  for (std::string_view name : {kLocalStore, kDatagenStore}) {
    StoreInfo store;
    store.name = std::string(name);
    store.type = std::string(name);  // the built-in stores are named after their type
    store.owner = owner;
    RETURN_NOT_OK(CreateStore(store).status());
  }
  return Status::OK();
}

}  // namespace sluice
