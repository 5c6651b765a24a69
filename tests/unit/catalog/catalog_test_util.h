#pragma once
// A fresh catalog in its own temporary directory for each test, removed afterwards.

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>

#include "catalog/catalog.h"

namespace sluice {

class CatalogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "sluice-catalog-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    path_ = dir_ + "/catalog.db";
    Reopen();
  }

  void TearDown() override {
    catalog_.reset();
    std::filesystem::remove_all(dir_);
  }

  // Closes and opens the catalog file again, as an engine restart would.
  void Reopen() {
    catalog_.reset();
    Result<std::unique_ptr<Catalog>> opened = Catalog::Open(path_);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    catalog_ = std::move(opened).value();
  }

  int64_t DefaultSchemaId() {
    Result<DatabaseInfo> database = catalog_->GetDatabase(std::string(kDefaultDatabase));
    EXPECT_TRUE(database.ok()) << database.status().ToString();
    Result<SchemaInfo> schema = catalog_->GetSchema(database->id, std::string(kDefaultSchema));
    EXPECT_TRUE(schema.ok()) << schema.status().ToString();
    return schema->id;
  }

  int64_t LocalStoreId() {
    Result<StoreInfo> store = catalog_->GetStore(std::string(kLocalStore));
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    return store->id;
  }

  // A STREAM (viewtime BIGINT, userid VARCHAR) on the local store.
  RelationInfo MakeStream(int64_t schema_id, const std::string& name) {
    RelationInfo relation;
    relation.schema_id = schema_id;
    relation.name = name;
    relation.kind = CatalogRelationKind::kStream;
    relation.columns = {Field{"viewtime", DataType::Bigint()},
                        Field{"userid", DataType::Varchar()}};
    relation.properties = {{"topic", name}, {"value.format", "json"}};
    relation.store_id = LocalStoreId();
    return relation;
  }

  RelationInfo CreateStream(const std::string& name) {
    Result<RelationInfo> created = catalog_->CreateRelation(MakeStream(DefaultSchemaId(), name));
    EXPECT_TRUE(created.ok()) << created.status().ToString();
    return created.ok() ? *created : RelationInfo{};
  }

  QueryInfo CreateQuery(const std::vector<int64_t>& sources, int64_t sink) {
    QueryInfo query;
    query.sql = "INSERT INTO ... SELECT ...";
    query.source_relation_ids = sources;
    query.sink_relation_id = sink;
    Result<QueryInfo> created = catalog_->CreateQuery(query);
    EXPECT_TRUE(created.ok()) << created.status().ToString();
    return created.ok() ? *created : QueryInfo{};
  }

  std::string dir_;
  std::string path_;
  std::unique_ptr<Catalog> catalog_;
};

// Asserts that a Status/Result failed with a CATALOG error whose message is exactly `message`.
#define EXPECT_CATALOG_ERROR(expr, expected_message)                                        \
  do {                                                                                      \
    ::sluice::Status _status = ::sluice::catalog_test::StatusOf(expr);                      \
    EXPECT_EQ(_status.category(), ::sluice::ErrorCategory::kCatalog) << _status.ToString(); \
    EXPECT_EQ(_status.message(), expected_message);                                         \
  } while (0)

namespace catalog_test {
inline Status StatusOf(const Status& status) { return status; }
template <typename T>
Status StatusOf(const Result<T>& result) {
  return result.status();
}
}  // namespace catalog_test

}  // namespace sluice
