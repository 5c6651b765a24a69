// RunInTransaction: all or nothing, nesting as savepoints.

#include "catalog_test_util.h"

namespace sluice {
namespace {

TEST_F(CatalogTest, AFailedTransactionRollsEverythingBack) {
  Status status = catalog_->RunInTransaction([&]() -> Status {
    RETURN_NOT_OK(catalog_->CreateDatabase("shop", "").status());
    ASSIGN_OR_RETURN(DatabaseInfo crm, catalog_->CreateDatabase("crm", ""));
    RETURN_NOT_OK(catalog_->CreateSchema(crm.id, "raw", "").status());
    // Fails: the database exists (inside this transaction).
    return catalog_->CreateDatabase("shop", "").status();
  });
  EXPECT_CATALOG_ERROR(status, "database \"shop\" already exists");
  EXPECT_FALSE(catalog_->FindDatabase("shop")->has_value());
  EXPECT_FALSE(catalog_->FindDatabase("crm")->has_value());
  Reopen();
  EXPECT_EQ(catalog_->ListDatabases()->size(), 1u);
}

// Lookups are remembered until the catalog changes (catalog_read_cache.h): what was looked up
// inside a transaction that is then rolled back must not outlive it, and a change made after a
// lookup is seen by the next one.
TEST_F(CatalogTest, RememberedLookupsFollowChangesAndRollbacks) {
  EXPECT_FALSE(catalog_->FindDatabase("shop")->has_value());
  const int64_t before = catalog_->change_count();
  ASSERT_TRUE(catalog_->CreateDatabase("shop", "").ok());
  EXPECT_GT(catalog_->change_count(), before);
  EXPECT_TRUE(catalog_->FindDatabase("shop")->has_value());
  EXPECT_EQ(catalog_->FindDatabase("shop")->value().name, "shop");

  Status status = catalog_->RunInTransaction([&]() -> Status {
    RETURN_NOT_OK(catalog_->CreateDatabase("crm", "").status());
    // Looked up (and remembered) inside the transaction.
    ASSIGN_OR_RETURN(std::optional<DatabaseInfo> crm, catalog_->FindDatabase("crm"));
    if (!crm) return Status::Internal("crm not visible inside its own transaction");
    return Status::Catalog("undo it");
  });
  EXPECT_CATALOG_ERROR(status, "undo it");
  EXPECT_FALSE(catalog_->FindDatabase("crm")->has_value());

  const int64_t stable = catalog_->change_count();
  EXPECT_TRUE(catalog_->FindDatabase("shop")->has_value());
  EXPECT_EQ(catalog_->change_count(), stable);  // reads change nothing
  ASSERT_TRUE(catalog_->DropDatabase(catalog_->FindDatabase("shop")->value().id).ok());
  EXPECT_FALSE(catalog_->FindDatabase("shop")->has_value());
}

TEST_F(CatalogTest, ASuccessfulTransactionCommits) {
  ASSERT_TRUE(catalog_
                  ->RunInTransaction([&]() -> Status {
                    ASSIGN_OR_RETURN(DatabaseInfo shop, catalog_->CreateDatabase("shop", ""));
                    return catalog_->CreateSchema(shop.id, "raw", "").status();
                  })
                  .ok());
  Reopen();
  Result<DatabaseInfo> shop = catalog_->GetDatabase("shop");
  ASSERT_TRUE(shop.ok());
  EXPECT_TRUE(catalog_->GetSchema(shop->id, "raw").ok());
}

TEST_F(CatalogTest, AFailedInnerTransactionUndoesOnlyItsOwnChanges) {
  Status status = catalog_->RunInTransaction([&]() -> Status {
    RETURN_NOT_OK(catalog_->CreateDatabase("kept", "").status());
    Status inner = catalog_->RunInTransaction([&]() -> Status {
      RETURN_NOT_OK(catalog_->CreateDatabase("undone", "").status());
      return Status::Catalog("inner failure");
    });
    EXPECT_EQ(inner.message(), "inner failure");
    return Status::OK();
  });
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_TRUE(catalog_->FindDatabase("kept")->has_value());
  EXPECT_FALSE(catalog_->FindDatabase("undone")->has_value());
}

TEST_F(CatalogTest, AnOuterFailureUndoesCommittedInnerTransactions) {
  Status status = catalog_->RunInTransaction([&]() -> Status {
    RETURN_NOT_OK(catalog_->RunInTransaction(
        [&]() -> Status { return catalog_->CreateDatabase("inner", "").status(); }));
    return Status::Catalog("outer failure");
  });
  EXPECT_EQ(status.message(), "outer failure");
  EXPECT_FALSE(catalog_->FindDatabase("inner")->has_value());
  // The catalog is usable afterwards.
  EXPECT_TRUE(catalog_->CreateDatabase("after", "").ok());
}

}  // namespace
}  // namespace sluice
