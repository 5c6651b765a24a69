// Databases and schemas: create, look up, list, drop, and what blocks a drop.

#include "catalog_test_util.h"

namespace sluice {
namespace {

TEST_F(CatalogTest, CreatesGetsListsAndDropsADatabase) {
  Result<DatabaseInfo> shop = catalog_->CreateDatabase("shop", "analyst");
  ASSERT_TRUE(shop.ok()) << shop.status().ToString();
  EXPECT_GT(shop->id, 0);
  EXPECT_EQ(shop->owner, "analyst");
  EXPECT_GT(shop->created_at, 0);

  Result<DatabaseInfo> by_name = catalog_->GetDatabase("shop");
  ASSERT_TRUE(by_name.ok());
  EXPECT_EQ(by_name->id, shop->id);
  EXPECT_EQ(by_name->owner, "analyst");
  EXPECT_EQ(by_name->created_at, shop->created_at);
  EXPECT_EQ(catalog_->GetDatabaseById(shop->id)->name, "shop");
  ASSERT_TRUE(catalog_->CreateDatabase("analytics", "").ok());

  Result<std::vector<DatabaseInfo>> all = catalog_->ListDatabases();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].name, "analytics");
  EXPECT_EQ((*all)[0].owner, "sysadmin");
  EXPECT_EQ((*all)[1].name, "default_db");
  EXPECT_EQ((*all)[2].name, "shop");

  ASSERT_TRUE(catalog_->DropDatabase(shop->id).ok());
  Result<std::optional<DatabaseInfo>> found = catalog_->FindDatabase("shop");
  ASSERT_TRUE(found.ok());
  EXPECT_FALSE(found->has_value());
  EXPECT_CATALOG_ERROR(catalog_->GetDatabaseById(shop->id),
                       "database " + std::to_string(shop->id) + " does not exist");
}

TEST_F(CatalogTest, DatabaseNamesAreUniqueAndExact) {
  ASSERT_TRUE(catalog_->CreateDatabase("shop", "").ok());
  EXPECT_CATALOG_ERROR(catalog_->CreateDatabase("shop", ""), "database \"shop\" already exists");
  // Quoted identifiers keep their case, so "Shop" is another database.
  ASSERT_TRUE(catalog_->CreateDatabase("Shop", "").ok());
  EXPECT_CATALOG_ERROR(catalog_->CreateDatabase("", ""), "a database needs a name");
}

TEST_F(CatalogTest, MissingDatabaseSuggestsTheClosestName) {
  ASSERT_TRUE(catalog_->CreateDatabase("shop", "").ok());
  EXPECT_CATALOG_ERROR(catalog_->GetDatabase("shpo"),
                       "database \"shpo\" does not exist (did you mean \"shop\"?)");
  EXPECT_CATALOG_ERROR(catalog_->GetDatabase("warehouse"), "database \"warehouse\" does not exist");
}

TEST_F(CatalogTest, DroppingADatabaseTakesItsEmptySchemas) {
  Result<DatabaseInfo> shop = catalog_->CreateDatabase("shop", "");
  ASSERT_TRUE(shop.ok());
  Result<SchemaInfo> raw = catalog_->CreateSchema(shop->id, "raw", "");
  ASSERT_TRUE(raw.ok());
  ASSERT_TRUE(catalog_->DropDatabase(shop->id).ok());
  EXPECT_FALSE(catalog_->GetSchemaById(raw->id).ok());
}

TEST_F(CatalogTest, DroppingADatabaseRefusesWhileSchemasHoldRelations) {
  Result<DatabaseInfo> shop = catalog_->CreateDatabase("shop", "");
  ASSERT_TRUE(shop.ok());
  Result<SchemaInfo> raw = catalog_->CreateSchema(shop->id, "raw", "");
  Result<SchemaInfo> curated = catalog_->CreateSchema(shop->id, "curated", "");
  ASSERT_TRUE(catalog_->CreateSchema(shop->id, "empty", "").ok());
  ASSERT_TRUE(raw.ok() && curated.ok());
  ASSERT_TRUE(catalog_->CreateRelation(MakeStream(raw->id, "pageviews")).ok());

  EXPECT_CATALOG_ERROR(catalog_->DropDatabase(shop->id),
                       "cannot drop database \"shop\": it contains schema \"raw\"");
  ASSERT_TRUE(catalog_->CreateRelation(MakeStream(curated->id, "clicks")).ok());
  EXPECT_CATALOG_ERROR(catalog_->DropDatabase(shop->id),
                       "cannot drop database \"shop\": it contains schemas \"curated\", \"raw\"");
  // Nothing was dropped.
  EXPECT_EQ(catalog_->ListSchemas(shop->id)->size(), 3u);
}

TEST_F(CatalogTest, TheDefaultDatabaseAndSchemaCannotBeDropped) {
  Result<DatabaseInfo> database = catalog_->GetDatabase("default_db");
  ASSERT_TRUE(database.ok());
  EXPECT_CATALOG_ERROR(catalog_->DropDatabase(database->id),
                       "cannot drop the default database \"default_db\"");
  EXPECT_CATALOG_ERROR(catalog_->DropSchema(DefaultSchemaId()),
                       "cannot drop the default schema \"default_db.public\"");
}

TEST_F(CatalogTest, CreatesGetsListsAndDropsSchemas) {
  Result<DatabaseInfo> shop = catalog_->CreateDatabase("shop", "");
  ASSERT_TRUE(shop.ok());
  Result<SchemaInfo> raw = catalog_->CreateSchema(shop->id, "raw", "engineer");
  ASSERT_TRUE(raw.ok()) << raw.status().ToString();
  EXPECT_EQ(raw->database_id, shop->id);
  EXPECT_EQ(raw->owner, "engineer");
  ASSERT_TRUE(catalog_->CreateSchema(shop->id, "curated", "").ok());

  Result<SchemaInfo> found = catalog_->GetSchema(shop->id, "raw");
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->id, raw->id);
  EXPECT_EQ(catalog_->GetSchemaById(raw->id)->name, "raw");
  Result<std::vector<SchemaInfo>> schemas = catalog_->ListSchemas(shop->id);
  ASSERT_TRUE(schemas.ok());
  ASSERT_EQ(schemas->size(), 2u);
  EXPECT_EQ((*schemas)[0].name, "curated");
  EXPECT_EQ((*schemas)[1].name, "raw");

  ASSERT_TRUE(catalog_->DropSchema(raw->id).ok());
  EXPECT_FALSE(catalog_->FindSchema(shop->id, "raw")->has_value());
  EXPECT_CATALOG_ERROR(catalog_->GetSchema(shop->id, "rwa"),
                       "schema \"rwa\" does not exist in database \"shop\"");
  EXPECT_CATALOG_ERROR(catalog_->GetSchema(shop->id, "curatd"),
                       "schema \"curatd\" does not exist in database \"shop\" "
                       "(did you mean \"curated\"?)");
}

TEST_F(CatalogTest, SchemaNamesAreUniquePerDatabase) {
  Result<DatabaseInfo> shop = catalog_->CreateDatabase("shop", "");
  Result<DatabaseInfo> crm = catalog_->CreateDatabase("crm", "");
  ASSERT_TRUE(shop.ok() && crm.ok());
  ASSERT_TRUE(catalog_->CreateSchema(shop->id, "raw", "").ok());
  EXPECT_CATALOG_ERROR(catalog_->CreateSchema(shop->id, "raw", ""),
                       "schema \"raw\" already exists in database \"shop\"");
  EXPECT_TRUE(catalog_->CreateSchema(crm->id, "raw", "").ok());
  EXPECT_CATALOG_ERROR(catalog_->CreateSchema(12345, "raw", ""), "database 12345 does not exist");
}

TEST_F(CatalogTest, DroppingASchemaRefusesWhileItHoldsRelations) {
  Result<DatabaseInfo> shop = catalog_->CreateDatabase("shop", "");
  ASSERT_TRUE(shop.ok());
  Result<SchemaInfo> raw = catalog_->CreateSchema(shop->id, "raw", "");
  ASSERT_TRUE(raw.ok());
  RelationInfo users = MakeStream(raw->id, "users");
  users.kind = CatalogRelationKind::kChangelog;
  users.primary_key = {"userid"};
  ASSERT_TRUE(catalog_->CreateRelation(users).ok());
  Result<RelationInfo> pageviews = catalog_->CreateRelation(MakeStream(raw->id, "pageviews"));
  ASSERT_TRUE(pageviews.ok());

  EXPECT_CATALOG_ERROR(catalog_->DropSchema(raw->id),
                       "cannot drop schema \"raw\": it contains stream \"pageviews\", changelog "
                       "\"users\"");
  ASSERT_TRUE(catalog_->DropRelation(pageviews->id).ok());
  EXPECT_CATALOG_ERROR(catalog_->DropSchema(raw->id),
                       "cannot drop schema \"raw\": it contains changelog \"users\"");
}

}  // namespace
}  // namespace sluice
