// Stores: properties, the opaque secrets blob, and what blocks a drop.

#include "catalog_test_util.h"

namespace sluice {
namespace {

StoreInfo KafkaStore(const std::string& name) {
  StoreInfo store;
  store.name = name;
  store.type = "kafka";
  store.properties = {{"uris", "broker1:9092,broker2:9092"},
                      {"kafka.sasl.hash_function", "SHA512"}};
  // Encrypted bytes are arbitrary binary, NULs and high bytes included.
  store.secret_properties = std::string("\x00\x01\xfe\xff secret", 11);
  store.owner = "engineer";
  return store;
}

TEST_F(CatalogTest, CreatesGetsListsAndDropsStores) {
  Result<StoreInfo> created = catalog_->CreateStore(KafkaStore("kafka1"));
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  EXPECT_GT(created->id, 0);

  Reopen();
  Result<StoreInfo> loaded = catalog_->GetStore("kafka1");
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(loaded->id, created->id);
  EXPECT_EQ(loaded->type, "kafka");
  EXPECT_EQ(loaded->properties, KafkaStore("kafka1").properties);
  EXPECT_EQ(loaded->secret_properties, KafkaStore("kafka1").secret_properties);
  EXPECT_EQ(loaded->owner, "engineer");
  EXPECT_EQ(catalog_->GetStoreById(created->id)->name, "kafka1");

  Result<std::vector<StoreInfo>> stores = catalog_->ListStores();
  ASSERT_TRUE(stores.ok());
  ASSERT_EQ(stores->size(), 3u);
  EXPECT_EQ((*stores)[0].name, "datagen");
  EXPECT_EQ((*stores)[1].name, "kafka1");
  EXPECT_EQ((*stores)[2].name, "local");

  ASSERT_TRUE(catalog_->DropStore(created->id).ok());
  EXPECT_FALSE(catalog_->FindStore("kafka1")->has_value());
  EXPECT_CATALOG_ERROR(catalog_->GetStore("kafka2"), "store \"kafka2\" does not exist");
}

TEST_F(CatalogTest, StoreNamesAreUniqueAndTypesKnown) {
  ASSERT_TRUE(catalog_->CreateStore(KafkaStore("kafka1")).ok());
  EXPECT_CATALOG_ERROR(catalog_->CreateStore(KafkaStore("kafka1")),
                       "store \"kafka1\" already exists");
  StoreInfo unknown = KafkaStore("pulsar1");
  unknown.type = "pulsar";
  EXPECT_CATALOG_ERROR(catalog_->CreateStore(unknown),
                       "unknown store type \"pulsar\" for store \"pulsar1\" (expected local, "
                       "kafka or datagen)");
  EXPECT_CATALOG_ERROR(catalog_->GetStore("kafak1"),
                       "store \"kafak1\" does not exist (did you mean \"kafka1\"?)");
}

TEST_F(CatalogTest, UpdatesStorePropertiesAndSecrets) {
  Result<StoreInfo> created = catalog_->CreateStore(KafkaStore("kafka1"));
  ASSERT_TRUE(created.ok());
  ASSERT_TRUE(catalog_->UpdateStoreProperties(created->id, {{"uris", "broker3:9093"}}).ok());
  ASSERT_TRUE(catalog_->UpdateStoreSecretProperties(created->id, std::string("\x00new", 4)).ok());
  Reopen();
  Result<StoreInfo> loaded = catalog_->GetStoreById(created->id);
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loaded->properties, (PropertyMap{{"uris", "broker3:9093"}}));
  EXPECT_EQ(loaded->secret_properties, std::string("\x00new", 4));
  EXPECT_CATALOG_ERROR(catalog_->UpdateStoreProperties(9999, {}), "store 9999 does not exist");
}

TEST_F(CatalogTest, DroppingAStoreRefusesWhileRelationsUseIt) {
  Result<StoreInfo> kafka = catalog_->CreateStore(KafkaStore("kafka1"));
  ASSERT_TRUE(kafka.ok());
  RelationInfo big = MakeStream(DefaultSchemaId(), "big");
  big.store_id = kafka->id;
  Result<RelationInfo> relation = catalog_->CreateRelation(big);
  ASSERT_TRUE(relation.ok());
  EXPECT_EQ(catalog_->ListRelationsUsingStore(kafka->id)->size(), 1u);

  EXPECT_CATALOG_ERROR(catalog_->DropStore(kafka->id),
                       "cannot drop store \"kafka1\": stream \"default_db.public.big\" uses it "
                       "(drop it first)");
  RelationInfo small = MakeStream(DefaultSchemaId(), "small");
  small.store_id = kafka->id;
  ASSERT_TRUE(catalog_->CreateRelation(small).ok());
  EXPECT_CATALOG_ERROR(catalog_->DropStore(kafka->id),
                       "cannot drop store \"kafka1\": stream \"default_db.public.big\", stream "
                       "\"default_db.public.small\" use it (drop them first)");
}

TEST_F(CatalogTest, BuiltInStoresCannotBeDropped) {
  EXPECT_CATALOG_ERROR(catalog_->DropStore(LocalStoreId()),
                       "cannot drop the built-in store \"local\"");
  Result<StoreInfo> datagen = catalog_->GetStore("datagen");
  ASSERT_TRUE(datagen.ok());
  EXPECT_CATALOG_ERROR(catalog_->DropStore(datagen->id),
                       "cannot drop the built-in store \"datagen\"");
}

}  // namespace
}  // namespace sluice
