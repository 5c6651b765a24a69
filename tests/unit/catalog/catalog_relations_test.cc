// Relations: round trips of columns and properties, name rules, and what blocks a drop.

#include "catalog_test_util.h"

namespace sluice {
namespace {

TEST_F(CatalogTest, CreatesGetsListsAndDropsRelations) {
  RelationInfo pageviews = CreateStream("pageviews");
  EXPECT_GT(pageviews.id, 0);
  EXPECT_EQ(pageviews.owner, "sysadmin");
  EXPECT_EQ(pageviews.topic, "pageviews");  // taken from the 'topic' property
  CreateStream("clicks");

  Result<RelationInfo> by_name = catalog_->GetRelation(DefaultSchemaId(), "pageviews");
  ASSERT_TRUE(by_name.ok()) << by_name.status().ToString();
  EXPECT_EQ(by_name->id, pageviews.id);
  EXPECT_EQ(by_name->kind, CatalogRelationKind::kStream);
  EXPECT_EQ(by_name->store_id, LocalStoreId());
  EXPECT_EQ(by_name->created_at, pageviews.created_at);
  EXPECT_EQ(catalog_->GetRelationById(pageviews.id)->name, "pageviews");

  Result<std::vector<RelationInfo>> relations = catalog_->ListRelations(DefaultSchemaId());
  ASSERT_TRUE(relations.ok());
  ASSERT_EQ(relations->size(), 2u);
  EXPECT_EQ((*relations)[0].name, "clicks");
  EXPECT_EQ((*relations)[1].name, "pageviews");
  EXPECT_EQ(*catalog_->QualifiedRelationName(pageviews.id), "default_db.public.pageviews");

  ASSERT_TRUE(catalog_->DropRelation(pageviews.id).ok());
  EXPECT_FALSE(catalog_->FindRelation(DefaultSchemaId(), "pageviews")->has_value());
  EXPECT_CATALOG_ERROR(catalog_->GetRelation(DefaultSchemaId(), "pageview"),
                       "relation \"pageview\" does not exist in schema \"default_db.public\"");
  EXPECT_CATALOG_ERROR(catalog_->GetRelation(DefaultSchemaId(), "click"),
                       "relation \"click\" does not exist in schema \"default_db.public\" "
                       "(did you mean \"clicks\"?)");
}

TEST_F(CatalogTest, NestedColumnTypesKeysAndPropertiesRoundTrip) {
  RelationInfo orders;
  orders.schema_id = DefaultSchemaId();
  orders.name = "orders";
  orders.kind = CatalogRelationKind::kChangelog;
  orders.columns = {
      Field{"order_id", DataType::Varchar()},
      Field{"region", DataType::Varchar()},
      Field{"placed_at", DataType::Timestamp()},
      Field{"total", DataType::Decimal(12, 2)},
      Field{"items", DataType::Array(DataType::Struct({"sku", "qty"},
                                                      {DataType::Varchar(), DataType::Integer()}))},
      Field{"attributes", DataType::Map(DataType::Array(DataType::Double()))},
      Field{"Odd \"Name\"", DataType::Bytes()},
  };
  orders.primary_key = {"region", "order_id"};
  orders.properties = {{"topic", "orders_v2"},
                       {"value.format", "json"},
                       {"timestamp", "placed_at"},
                       {"partitions", "4"},
                       {"note", "quotes \" and \\ and\nnewlines"}};
  orders.store_id = LocalStoreId();
  orders.topic = "orders_topic";
  orders.owner = "analyst";
  Result<RelationInfo> created = catalog_->CreateRelation(orders);
  ASSERT_TRUE(created.ok()) << created.status().ToString();

  Reopen();
  Result<RelationInfo> loaded = catalog_->GetRelationById(created->id);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(loaded->kind, CatalogRelationKind::kChangelog);
  ASSERT_EQ(loaded->columns.size(), orders.columns.size());
  for (size_t column_idx = 0; column_idx < orders.columns.size(); ++column_idx) {
    EXPECT_EQ(loaded->columns[column_idx].name, orders.columns[column_idx].name);
    EXPECT_EQ(loaded->columns[column_idx].type, orders.columns[column_idx].type)
        << loaded->columns[column_idx].type;
  }
  EXPECT_EQ(loaded->primary_key, orders.primary_key);
  EXPECT_EQ(loaded->properties, orders.properties);
  EXPECT_EQ(loaded->topic, "orders_topic");  // an explicit topic wins over the property
  EXPECT_EQ(loaded->owner, "analyst");
}

TEST_F(CatalogTest, RelationNamesAreUniquePerSchemaAcrossKinds) {
  CreateStream("pageviews");
  RelationInfo changelog = MakeStream(DefaultSchemaId(), "pageviews");
  changelog.kind = CatalogRelationKind::kChangelog;
  changelog.primary_key = {"userid"};
  EXPECT_CATALOG_ERROR(catalog_->CreateRelation(changelog),
                       "relation \"pageviews\" already exists in schema \"default_db.public\"");

  Result<DatabaseInfo> shop = catalog_->CreateDatabase("shop", "");
  ASSERT_TRUE(shop.ok());
  Result<SchemaInfo> raw = catalog_->CreateSchema(shop->id, "raw", "");
  ASSERT_TRUE(raw.ok());
  EXPECT_TRUE(catalog_->CreateRelation(MakeStream(raw->id, "pageviews")).ok());
}

TEST_F(CatalogTest, RelationDefinitionsAreChecked) {
  RelationInfo duplicate_column = MakeStream(DefaultSchemaId(), "s1");
  duplicate_column.columns.push_back(Field{"userid", DataType::Bigint()});
  EXPECT_CATALOG_ERROR(catalog_->CreateRelation(duplicate_column),
                       "column \"userid\" appears twice in \"s1\"");

  RelationInfo bad_key = MakeStream(DefaultSchemaId(), "s2");
  bad_key.kind = CatalogRelationKind::kChangelog;
  bad_key.primary_key = {"user_id"};
  EXPECT_CATALOG_ERROR(catalog_->CreateRelation(bad_key),
                       "primary key column \"user_id\" is not a column of \"s2\"");

  RelationInfo no_store = MakeStream(DefaultSchemaId(), "s3");
  no_store.store_id = 9999;
  EXPECT_CATALOG_ERROR(catalog_->CreateRelation(no_store), "store 9999 does not exist");

  RelationInfo no_schema = MakeStream(9999, "s4");
  EXPECT_CATALOG_ERROR(catalog_->CreateRelation(no_schema), "schema 9999 does not exist");
  EXPECT_TRUE(catalog_->ListRelations(DefaultSchemaId())->empty());
}

TEST_F(CatalogTest, DroppingARelationRefusesWhileQueriesUseIt) {
  RelationInfo pageviews = CreateStream("pageviews");
  RelationInfo pv_u1 = CreateStream("pv_u1");
  QueryInfo reader = CreateQuery({pageviews.id}, pv_u1.id);
  ASSERT_TRUE(catalog_->SetQueryState(reader.id, QueryState::kRunning, "").ok());

  const std::string id = std::to_string(reader.id);
  EXPECT_CATALOG_ERROR(catalog_->DropRelation(pageviews.id),
                       "cannot drop stream \"pageviews\": query " + id +
                           " reads from it (TERMINATE QUERY " + id + " first)");
  EXPECT_CATALOG_ERROR(catalog_->DropRelation(pv_u1.id),
                       "cannot drop stream \"pv_u1\": query " + id +
                           " writes to it (TERMINATE QUERY " + id + " first)");

  // A failed query can be restarted, so it still holds its relations.
  QueryInfo copier = CreateQuery({pv_u1.id}, pageviews.id);
  ASSERT_TRUE(catalog_->SetQueryState(copier.id, QueryState::kFailed, "worker crashed").ok());
  const std::string other = std::to_string(copier.id);
  EXPECT_CATALOG_ERROR(catalog_->DropRelation(pageviews.id),
                       "cannot drop stream \"pageviews\": query " + id + " reads from it, query " +
                           other + " writes to it (TERMINATE QUERY " + id + ", TERMINATE QUERY " +
                           other + " first)");

  ASSERT_TRUE(catalog_->SetQueryState(reader.id, QueryState::kTerminated, "").ok());
  ASSERT_TRUE(catalog_->SetQueryState(copier.id, QueryState::kTerminated, "").ok());
  ASSERT_TRUE(catalog_->DropRelation(pageviews.id).ok());
  EXPECT_FALSE(catalog_->FindRelation(DefaultSchemaId(), "pageviews")->has_value());
}

TEST_F(CatalogTest, DroppingARelationDetachesTerminatedQueries) {
  RelationInfo source = CreateStream("source");
  RelationInfo sink = CreateStream("sink");
  QueryInfo query = CreateQuery({source.id}, sink.id);
  ASSERT_TRUE(catalog_->SetQueryState(query.id, QueryState::kTerminated, "done").ok());
  ASSERT_TRUE(catalog_->DropRelation(sink.id).ok());
  ASSERT_TRUE(catalog_->DropRelation(source.id).ok());

  // The query's history stays; its links to the dropped relations are gone.
  Result<QueryInfo> loaded = catalog_->GetQuery(query.id);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(loaded->sink_relation_id, 0);
  EXPECT_TRUE(loaded->source_relation_ids.empty());
  EXPECT_EQ(loaded->state_reason, "done");
}

}  // namespace
}  // namespace sluice
