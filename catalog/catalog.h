#pragma once
// The catalog: databases > schemas > relations, stores and persistent queries, kept in SQLite
// (WAL) at <data_dir>/catalog.db. Only the engine (control plane) opens it; workers never do.
// Names are stored and looked up exactly as given (the parser has already case-folded them).
// Not thread-safe: callers use it from one thread at a time (the engine holds its catalog mutex).

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/governance_objects.h"
#include "catalog/objects.h"
#include "common/status.h"

namespace sluice {

class SqliteConnection;
struct CatalogReadCache;

class Catalog {
 public:
  // Opens the catalog at `path`, creating and migrating its tables as needed. The first open
  // bootstraps database "default_db" with schema "public" and the stores "local" and "datagen".
  static Result<std::unique_ptr<Catalog>> Open(const std::string& path);
  ~Catalog();
  Catalog(const Catalog&) = delete;
  Catalog& operator=(const Catalog&) = delete;

  // Runs `body` atomically: BEGIN IMMEDIATE ... COMMIT, or ROLLBACK when it returns an error (the
  // error is returned). Nests: an inner call is a savepoint that undoes only its own changes.
  Status RunInTransaction(const std::function<Status()>& body);

  // The layout version this catalog file is at (see catalog_schema.cc).
  Result<int64_t> SchemaVersion();

  // Grows with every change made through this catalog: each row written and each transaction
  // rolled back (which may undo rows a cache has already seen). Only the engine writes the
  // catalog, through this object, so a cache of catalog contents built at one count is valid
  // while the count is unchanged.
  int64_t change_count() const;

  // --- Databases -------------------------------------------------------------------------------
  // An empty owner means kDefaultOwner (also for schemas, relations, stores and queries).
  Result<DatabaseInfo> CreateDatabase(const std::string& name, const std::string& owner);
  // Get* fail with a CATALOG error when the object does not exist; Find* return nullopt instead.
  Result<DatabaseInfo> GetDatabase(const std::string& name);
  Result<DatabaseInfo> GetDatabaseById(int64_t id);
  Result<std::optional<DatabaseInfo>> FindDatabase(const std::string& name);
  Result<std::vector<DatabaseInfo>> ListDatabases();  // by name
  // Drops the database and its empty schemas. Refuses, naming them, while any schema holds
  // relations, and refuses the default database.
  Status DropDatabase(int64_t id);

  // --- Schemas ---------------------------------------------------------------------------------
  Result<SchemaInfo> CreateSchema(int64_t database_id, const std::string& name,
                                  const std::string& owner);
  Result<SchemaInfo> GetSchema(int64_t database_id, const std::string& name);
  Result<SchemaInfo> GetSchemaById(int64_t id);
  Result<std::optional<SchemaInfo>> FindSchema(int64_t database_id, const std::string& name);
  Result<std::vector<SchemaInfo>> ListSchemas(int64_t database_id);  // by name
  // Refuses, naming them, while the schema holds relations.
  Status DropSchema(int64_t id);

  // --- Relations -------------------------------------------------------------------------------
  // Stores `relation` (its id and created_at are ignored) and returns it as stored. Checks that
  // the schema and store exist, column names are unique and primary key columns are columns.
  Result<RelationInfo> CreateRelation(const RelationInfo& relation);
  Result<RelationInfo> GetRelation(int64_t schema_id, const std::string& name);
  Result<RelationInfo> GetRelationById(int64_t id);
  Result<std::optional<RelationInfo>> FindRelation(int64_t schema_id, const std::string& name);
  Result<std::vector<RelationInfo>> ListRelations(int64_t schema_id);  // by name
  Result<std::vector<RelationInfo>> ListRelationsUsingStore(int64_t store_id);
  // "database.schema.relation".
  Result<std::string> QualifiedRelationName(int64_t relation_id);
  // Refuses while a query that is not TERMINATED reads or writes it, naming the queries.
  Status DropRelation(int64_t id);

  // --- Stores ----------------------------------------------------------------------------------
  // Stores `store` (id and created_at ignored); type must be local, kafka or datagen.
  Result<StoreInfo> CreateStore(const StoreInfo& store);
  Result<StoreInfo> GetStore(const std::string& name);
  Result<StoreInfo> GetStoreById(int64_t id);
  Result<std::optional<StoreInfo>> FindStore(const std::string& name);
  Result<std::vector<StoreInfo>> ListStores();  // by name
  // Replaces the store's properties with `properties`.
  Status UpdateStoreProperties(int64_t id, const PropertyMap& properties);
  // Replaces the encrypted credentials blob (bytes stored as given).
  Status UpdateStoreSecretProperties(int64_t id, std::string_view secret_properties);
  // Refuses the built-in stores, and any store while relations use it (naming them).
  Status DropStore(int64_t id);

  // --- Queries ---------------------------------------------------------------------------------
  // Stores a new query (id and timestamps ignored; state must be CREATED) with its sink and
  // sources, which must exist. Returns it with its id, the number users see.
  Result<QueryInfo> CreateQuery(const QueryInfo& query);
  Result<QueryInfo> GetQuery(int64_t id);
  Result<std::optional<QueryInfo>> FindQuery(int64_t id);
  Result<std::vector<QueryInfo>> ListQueries();  // by id
  Result<std::vector<QueryInfo>> ListQueriesByState(QueryState state);
  // Moves the query to `state` (see IsQueryStateChangeAllowed) with a reason shown by SHOW
  // QUERIES, and bumps updated_at. Leaving TERMINATED is refused.
  Status SetQueryState(int64_t id, QueryState state, const std::string& reason);
  Status SetQueryPlan(int64_t id, const std::string& plan);
  // Sets one entry of the query's properties map (e.g. "restarts").
  Status SetQueryProperty(int64_t id, const std::string& key, const std::string& value);
  // Every query, in any state, that reads or writes the relation; by query id.
  Result<std::vector<QueryDependency>> ListQueryDependencies(int64_t relation_id);
  // The queries that are not TERMINATED and read or write the relation; by query id.
  Result<std::vector<QueryInfo>> ListActiveQueriesUsingRelation(int64_t relation_id);

  // --- Governance (catalog_governance.cc) -----------------------------------------------------
  // A new catalog holds the built-in roles and user "admin" (no password, holding ORGADMIN).
  Status CreateUser(const UserInfo& user);
  Status SetUserVerifier(const std::string& name, const std::optional<std::string>& verifier);
  Status SetUserDefaultRole(const std::string& name, const std::string& role);
  Result<std::optional<UserInfo>> FindUser(const std::string& name);
  Result<std::vector<UserInfo>> ListUsers();  // by name
  Status DropUser(const std::string& name);   // also drops the user's role memberships
  Status CreateRole(const std::string& name);
  Result<std::vector<RoleInfo>> ListRoles();  // by name
  // Removes the role, its memberships both ways and the grants it received. Refuses built-ins.
  Status DropRole(const std::string& name);
  Status AddRoleMember(const RoleMembershipInfo& membership);
  Status RemoveRoleMember(const RoleMembershipInfo& membership);
  Result<std::vector<RoleMembershipInfo>> ListRoleMembers();
  // Inserts the grant, or updates its grant option when the same grantor granted it before.
  Status PutGrant(const GrantInfo& grant);
  Status RemoveGrant(const GrantInfo& grant);
  Result<std::vector<GrantInfo>> ListGrants();
  // GRANT OWNERSHIP: the object row with `id` gets `owner`.
  Status SetOwner(OwnedObjectKind kind, int64_t id, const std::string& owner);

 private:
  explicit Catalog(std::unique_ptr<SqliteConnection> connection);

  // catalog_schema.cc: creates or upgrades the tables; bootstraps a new file.
  Status Migrate();
  Status Bootstrap();

  std::unique_ptr<SqliteConnection> connection_;
  int transaction_depth_ = 0;  // > 0 inside RunInTransaction; deeper levels are savepoints
  int64_t rollbacks_ = 0;      // transactions and savepoints undone (see change_count)
  std::unique_ptr<CatalogReadCache> read_cache_;  // catalog_read_cache.h
};

}  // namespace sluice
