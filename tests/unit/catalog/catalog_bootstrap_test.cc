#include <sqlite3.h>
#include <sys/stat.h>

#include "catalog_test_util.h"

namespace sluice {
namespace {

std::vector<std::string> DatabaseNames(Catalog& catalog) {
  Result<std::vector<DatabaseInfo>> databases = catalog.ListDatabases();
  EXPECT_TRUE(databases.ok()) << databases.status().ToString();
  std::vector<std::string> names;
  for (const DatabaseInfo& database : *databases) names.push_back(database.name);
  return names;
}

// Runs SQL on the catalog file through a second connection, as a stray tool would.
std::string RunRawSql(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  std::string first_value;
  auto collect = [](void* out, int, char** values, char**) -> int {
    if (values[0] != nullptr) *static_cast<std::string*>(out) = values[0];
    return 0;
  };
  char* error = nullptr;
  EXPECT_EQ(sqlite3_exec(db, sql.c_str(), collect, &first_value, &error), SQLITE_OK)
      << (error ? error : "");
  sqlite3_free(error);
  sqlite3_close(db);
  return first_value;
}

TEST_F(CatalogTest, FirstOpenBootstrapsTheDefaultDatabaseSchemaAndStores) {
  EXPECT_EQ(DatabaseNames(*catalog_), std::vector<std::string>{"default_db"});
  Result<DatabaseInfo> database = catalog_->GetDatabase("default_db");
  ASSERT_TRUE(database.ok());
  EXPECT_EQ(database->owner, "sysadmin");
  Result<std::vector<SchemaInfo>> schemas = catalog_->ListSchemas(database->id);
  ASSERT_TRUE(schemas.ok());
  ASSERT_EQ(schemas->size(), 1u);
  EXPECT_EQ((*schemas)[0].name, "public");
  EXPECT_EQ((*schemas)[0].owner, "sysadmin");

  Result<std::vector<StoreInfo>> stores = catalog_->ListStores();
  ASSERT_TRUE(stores.ok());
  ASSERT_EQ(stores->size(), 2u);
  EXPECT_EQ((*stores)[0].name, "datagen");
  EXPECT_EQ((*stores)[0].type, "datagen");
  EXPECT_EQ((*stores)[1].name, "local");
  EXPECT_EQ((*stores)[1].type, "local");
  EXPECT_EQ((*stores)[1].owner, "sysadmin");
}

TEST_F(CatalogTest, ReopeningDoesNotBootstrapAgain) {
  const int64_t schema_id = DefaultSchemaId();
  const int64_t store_id = LocalStoreId();
  Reopen();
  Reopen();
  EXPECT_EQ(DatabaseNames(*catalog_), std::vector<std::string>{"default_db"});
  EXPECT_EQ(catalog_->ListStores()->size(), 2u);
  EXPECT_EQ(DefaultSchemaId(), schema_id);
  EXPECT_EQ(LocalStoreId(), store_id);
}

TEST_F(CatalogTest, IdsSurviveReopenAndAreNeverReused) {
  Result<DatabaseInfo> shop = catalog_->CreateDatabase("shop", "");
  ASSERT_TRUE(shop.ok());
  Result<DatabaseInfo> scratch = catalog_->CreateDatabase("scratch", "");
  ASSERT_TRUE(scratch.ok());
  RelationInfo stream = CreateStream("pageviews");
  QueryInfo query = CreateQuery({stream.id}, 0);

  ASSERT_TRUE(catalog_->DropDatabase(scratch->id).ok());
  Reopen();
  EXPECT_EQ(catalog_->GetDatabase("shop")->id, shop->id);
  EXPECT_EQ(catalog_->GetRelation(DefaultSchemaId(), "pageviews")->id, stream.id);
  EXPECT_EQ(catalog_->GetQuery(query.id)->sql, query.sql);

  // A dropped id stays retired even after a restart.
  Result<DatabaseInfo> again = catalog_->CreateDatabase("scratch", "");
  ASSERT_TRUE(again.ok());
  EXPECT_GT(again->id, scratch->id);
  ASSERT_TRUE(catalog_->SetQueryState(query.id, QueryState::kTerminated, "").ok());
  ASSERT_TRUE(catalog_->DropRelation(stream.id).ok());
  EXPECT_GT(CreateStream("pageviews").id, stream.id);
}

TEST_F(CatalogTest, FileIsOwnerOnlyAndInWalMode) {
  struct stat info {};
  ASSERT_EQ(::stat(path_.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600);
  EXPECT_EQ(RunRawSql(path_, "PRAGMA journal_mode"), "wal");
}

TEST_F(CatalogTest, RecordsItsLayoutVersion) {
  Result<int64_t> version = catalog_->SchemaVersion();
  ASSERT_TRUE(version.ok());
  EXPECT_EQ(*version, 2);
  Reopen();
  EXPECT_EQ(*catalog_->SchemaVersion(), 2);
  EXPECT_EQ(RunRawSql(path_, "SELECT COUNT(*) FROM schema_version"), "2");
}

TEST_F(CatalogTest, RefusesAFileFromANewerRelease) {
  catalog_.reset();
  RunRawSql(path_, "INSERT INTO schema_version (version, applied_at) VALUES (99, 0)");
  Result<std::unique_ptr<Catalog>> opened = Catalog::Open(path_);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().category(), ErrorCategory::kCatalog);
  EXPECT_NE(opened.status().message().find("newer Sluice (layout version 99"), std::string::npos)
      << opened.status().message();
}

TEST_F(CatalogTest, OpeningInAMissingDirectoryIsAStorageError) {
  Result<std::unique_ptr<Catalog>> opened = Catalog::Open(dir_ + "/missing/catalog.db");
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().category(), ErrorCategory::kStorage);
  EXPECT_NE(opened.status().message().find("missing/catalog.db"), std::string::npos);
}

TEST_F(CatalogTest, SqliteFailuresBecomeStorageErrorsWithTheSqliteMessage) {
  RelationInfo stream = CreateStream("pageviews");
  RunRawSql(path_, "DROP TABLE query_sources");
  QueryInfo query;
  query.sql = "SELECT 1";
  query.source_relation_ids = {stream.id};
  Result<QueryInfo> created = catalog_->CreateQuery(query);
  ASSERT_FALSE(created.ok());
  EXPECT_EQ(created.status().category(), ErrorCategory::kStorage);
  EXPECT_NE(created.status().message().find("no such table: query_sources"), std::string::npos)
      << created.status().message();
  // The half-made query was rolled back with the failed transaction.
  EXPECT_TRUE(catalog_->ListQueries()->empty());
}

}  // namespace
}  // namespace sluice
