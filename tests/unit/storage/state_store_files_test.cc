// What a state store keeps on disk: a new store is created by its first write with every table
// asked for until then, holds only what recovery reads (no OPTIONS, IDENTITY or first MANIFEST),
// and opens again with its state; a store written by an earlier version (with those files) still
// opens with its state and its id.

#include <gtest/gtest.h>
#include <rocksdb/db.h>

#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "storage/state/checkpoint_manifest_json.h"
#include "storage/state/state_store.h"
#include "tests/unit/storage/log_test_util.h"
#include "tests/unit/storage/state_store_test_util.h"

namespace sluice {
namespace {

using testing::GetValue;
using testing::OpenStore;
using testing::ScratchDir;
using testing::TableOf;
constexpr auto Manifest = testing::PositionManifest;

std::set<std::string> FileNames(const std::string& dir) {
  std::set<std::string> names;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(dir, error)) {
    names.insert(entry.path().filename().string());
  }
  return names;
}

// Only CURRENT, the MANIFEST it names, WAL and SST files (no OPTIONS, IDENTITY, LOCK, temporary
// files, or the MANIFEST-000001 RocksDB writes first when it creates a store).
void ExpectOnlyRecoveryFiles(const std::string& dir) {
  std::set<std::string> names = FileNames(dir);
  EXPECT_TRUE(names.contains("CURRENT"));
  for (const std::string& name : names) {
    const bool expected = name == "CURRENT" || name.ends_with(".log") || name.ends_with(".sst") ||
                          (name.starts_with("MANIFEST-") && name != "MANIFEST-000001");
    EXPECT_TRUE(expected) << name << " in " << dir;
  }
}

TEST(StateStoreFilesTest, NewStoreHoldsOnlyWhatRecoveryReadsAndOpensAgain) {
  ScratchDir dir;
  {
    auto store = OpenStore(dir.path());
    ASSERT_NE(store, nullptr);
    // Asked for before the first write: created with the store.
    StateTable* join = TableOf(*store, "join");
    StateTable* aggregate = TableOf(*store, "aggregate");
    ASSERT_TRUE(join->Put("k1", "j1").ok());
    ASSERT_TRUE(aggregate->Put("k1", "a1").ok());
    ASSERT_TRUE(store->Commit(Manifest(1)).ok());
    // Asked for once the store exists: a column family of its own then.
    ASSERT_TRUE(TableOf(*store, "later")->Put("k2", "l2").ok());
    ASSERT_TRUE(store->Commit(Manifest(2)).ok());
    ExpectOnlyRecoveryFiles(dir.path());
  }
  auto store = OpenStore(dir.path());
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->last_checkpoint().has_value());
  EXPECT_EQ(store->last_checkpoint()->checkpoint_id, 2);
  EXPECT_EQ(GetValue(*TableOf(*store, "join"), "k1"), "j1");
  EXPECT_EQ(GetValue(*TableOf(*store, "aggregate"), "k1"), "a1");
  EXPECT_EQ(GetValue(*TableOf(*store, "later"), "k2"), "l2");
  ASSERT_TRUE(TableOf(*store, "aggregate")->Put("k3", "a3").ok());
  ASSERT_TRUE(store->Commit(Manifest(3)).ok());
  ExpectOnlyRecoveryFiles(dir.path());
}

TEST(StateStoreFilesTest, StoreNeverWrittenCreatesNoDatabase) {
  ScratchDir dir;
  {
    auto store = OpenStore(dir.path());
    ASSERT_NE(store, nullptr);
    StateTable* table = TableOf(*store, "aggregate");
    EXPECT_EQ(GetValue(*table, "k"), std::nullopt);
    int visited = 0;
    ASSERT_TRUE(table
                    ->Scan("", "",
                           [&](std::string_view, std::string_view) {
                             ++visited;
                             return true;
                           })
                    .ok());
    EXPECT_EQ(visited, 0);
    ASSERT_TRUE(table->DeleteRange("a", "z").ok());
  }
  EXPECT_TRUE(FileNames(dir.path()).empty());
  auto store = OpenStore(dir.path());
  ASSERT_NE(store, nullptr);
  EXPECT_FALSE(store->last_checkpoint().has_value());
}

// The store directory's lock stands for RocksDB's LOCK file, before and after the store exists.
TEST(StateStoreFilesTest, SecondOpenFailsBeforeAndAfterTheStoreIsCreated) {
  ScratchDir dir;
  auto first = OpenStore(dir.path());
  ASSERT_NE(first, nullptr);
  for (int created = 0; created < 2; ++created) {
    auto second = StateStore::Open(dir.path(), StateStoreOptions());
    ASSERT_FALSE(second.ok());
    EXPECT_EQ(second.status().category(), ErrorCategory::kStorage);
    EXPECT_NE(second.status().message().find("another worker"), std::string::npos);
    ASSERT_TRUE(TableOf(*first, "t")->Put("k", "v").ok());
    ASSERT_TRUE(first->Commit(Manifest(1)).ok());
  }
  first.reset();
  auto again = OpenStore(dir.path());
  ASSERT_NE(again, nullptr);
  EXPECT_EQ(GetValue(*TableOf(*again, "t"), "k"), "v");
}

// A store as RocksDB's defaults write it (OPTIONS and IDENTITY files on disk), which is what
// earlier versions left in every query's state directory.
TEST(StateStoreFilesTest, StoreWrittenWithOptionsAndIdentityFilesOpensWithItsStateAndId) {
  ScratchDir dir;
  std::string id_before;
  {
    rocksdb::Options options;
    options.create_if_missing = true;
    options.create_missing_column_families = true;
    std::vector<rocksdb::ColumnFamilyDescriptor> families = {
        {rocksdb::kDefaultColumnFamilyName, rocksdb::ColumnFamilyOptions()},
        {"table.aggregate", rocksdb::ColumnFamilyOptions()}};
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* db = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(options, dir.path(), families, &handles, &db).ok());
    ASSERT_TRUE(db->Put({}, handles[1], "k", "v").ok());
    ASSERT_TRUE(
        db->Put({}, handles[0], "sluice.checkpoint.manifest", CheckpointManifestToJson(Manifest(7)))
            .ok());
    ASSERT_TRUE(db->GetDbIdentity(id_before).ok());
    for (auto* handle : handles) ASSERT_TRUE(db->DestroyColumnFamilyHandle(handle).ok());
    ASSERT_TRUE(db->Close().ok());
    delete db;
  }
  ASSERT_TRUE(FileNames(dir.path()).contains("IDENTITY"));
  {
    auto store = OpenStore(dir.path());
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->last_checkpoint().has_value());
    EXPECT_EQ(store->last_checkpoint()->checkpoint_id, 7);
    EXPECT_EQ(GetValue(*TableOf(*store, "aggregate"), "k"), "v");
    ASSERT_TRUE(TableOf(*store, "aggregate")->Put("k", "w").ok());
    ASSERT_TRUE(store->Commit(Manifest(8)).ok());
  }
  std::vector<std::string> names;
  ASSERT_TRUE(rocksdb::DB::ListColumnFamilies(rocksdb::Options(), dir.path(), &names).ok());
  std::vector<rocksdb::ColumnFamilyDescriptor> families;
  for (const std::string& name : names) families.emplace_back(name, rocksdb::ColumnFamilyOptions());
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* db = nullptr;
  ASSERT_TRUE(
      rocksdb::DB::OpenForReadOnly(rocksdb::Options(), dir.path(), families, &handles, &db).ok());
  std::string id_after;
  EXPECT_TRUE(db->GetDbIdentity(id_after).ok());
  EXPECT_EQ(id_after, id_before);
  for (auto* handle : handles) EXPECT_TRUE(db->DestroyColumnFamilyHandle(handle).ok());
  delete db;
}

}  // namespace
}  // namespace sluice
