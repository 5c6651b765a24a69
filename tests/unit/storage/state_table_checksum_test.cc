// The state store's SST block checksums: new files are written with XXH3, and a store whose files
// were written with CRC32C (the type stores had before, and RocksDB's old default) still opens
// with its state and checkpoint. The type is read from each file's footer, where RocksDB records
// it, so these tests check the files on disk, not the options.

#include <gtest/gtest.h>
#include <rocksdb/db.h>
#include <rocksdb/table.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "storage/state/state_store.h"
#include "storage/state/state_table_options.h"
#include "tests/unit/storage/log_test_util.h"
#include "tests/unit/storage/state_store_test_util.h"

namespace sluice {
namespace {

using testing::ScratchDir;
constexpr auto Manifest = testing::PositionManifest;

// A block-based table's footer (format_version >= 1) is its last 53 bytes: the checksum type
// byte, two block handles padded to 40 bytes, the format version and the magic number.
constexpr size_t kFooterBytes = 53;

// The checksum type of every SST file in `dir`.
std::vector<int> SstChecksumTypes(const std::string& dir) {
  std::vector<int> types;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".sst") continue;
    std::ifstream in(entry.path(), std::ios::binary);
    const auto size = static_cast<std::streamoff>(entry.file_size());
    EXPECT_GE(size, static_cast<std::streamoff>(kFooterBytes)) << entry.path();
    in.seekg(size - static_cast<std::streamoff>(kFooterBytes));
    types.push_back(in.get());
  }
  return types;
}

// Writes `rows` keys to table "t" and commits checkpoint 1, then reopens the store: recovering
// the WAL at open flushes it into SST files.
void WriteStoreWithFiles(const std::string& dir, int rows) {
  {
    auto store = StateStore::Open(dir, StateStoreOptions());
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    auto table = (*store)->Table("t");
    ASSERT_TRUE(table.ok()) << table.status().ToString();
    for (int row = 0; row < rows; ++row) {
      ASSERT_TRUE((*table)->Put("key" + std::to_string(row), "value" + std::to_string(row)).ok());
    }
    ASSERT_TRUE((*store)->Commit(Manifest(1)).ok());
  }
  auto reopened = StateStore::Open(dir, StateStoreOptions());
  ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
}

// Rewrites every SST file of the store in `dir` with CRC32C block checksums, as a store written
// before the change has them, by opening it with plain RocksDB and compacting every family.
void RewriteWithCrc32c(const std::string& dir) {
  rocksdb::BlockBasedTableOptions table_options = StateTableOptions();
  table_options.checksum = rocksdb::kCRC32c;
  rocksdb::Options options;
  options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table_options));
  std::vector<std::string> names;
  ASSERT_TRUE(rocksdb::DB::ListColumnFamilies(options, dir, &names).ok());
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const std::string& name : names) descriptors.emplace_back(name, options);
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  ASSERT_TRUE(rocksdb::DB::Open(options, dir, descriptors, &handles, &raw).ok());
  std::unique_ptr<rocksdb::DB> db(raw);
  rocksdb::CompactRangeOptions compact;
  compact.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  for (rocksdb::ColumnFamilyHandle* handle : handles) {
    ASSERT_TRUE(db->Flush(rocksdb::FlushOptions(), handle).ok());
    ASSERT_TRUE(db->CompactRange(compact, handle, nullptr, nullptr).ok());
  }
  for (rocksdb::ColumnFamilyHandle* handle : handles) {
    ASSERT_TRUE(db->DestroyColumnFamilyHandle(handle).ok());
  }
  ASSERT_TRUE(db->Close().ok());
}

TEST(StateTableChecksumTest, NewTableFilesUseXxh3) {
  ScratchDir scratch;
  const std::string dir = scratch.path() + "/state";
  WriteStoreWithFiles(dir, 1000);
  const std::vector<int> types = SstChecksumTypes(dir);
  ASSERT_FALSE(types.empty()) << "reopening the store wrote no SST file";
  for (int type : types) EXPECT_EQ(type, rocksdb::kXXH3);
}

TEST(StateTableChecksumTest, StoreWrittenWithCrc32cOpensWithItsState) {
  ScratchDir scratch;
  const std::string dir = scratch.path() + "/state";
  WriteStoreWithFiles(dir, 1000);
  RewriteWithCrc32c(dir);
  const std::vector<int> old_types = SstChecksumTypes(dir);
  ASSERT_FALSE(old_types.empty());
  for (int type : old_types) ASSERT_EQ(type, rocksdb::kCRC32c);

  auto store = StateStore::Open(dir, StateStoreOptions());
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  ASSERT_TRUE((*store)->last_checkpoint().has_value());
  EXPECT_EQ((*store)->last_checkpoint()->checkpoint_id, 1);
  auto table = (*store)->Table("t");
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  int rows = 0;
  ASSERT_TRUE((*table)
                  ->Scan("", "",
                         [&](std::string_view, std::string_view) {
                           ++rows;
                           return true;
                         })
                  .ok());
  EXPECT_EQ(rows, 1000);
  std::string value;
  auto found = (*table)->Get("key7", &value);
  ASSERT_TRUE(found.ok() && *found);
  EXPECT_EQ(value, "value7");
  // New state and a new checkpoint on top of the old files; their next rewrite uses XXH3.
  ASSERT_TRUE((*table)->Put("key7", "new").ok());
  ASSERT_TRUE((*store)->Commit(Manifest(2)).ok());
  store->reset();
  auto again = StateStore::Open(dir, StateStoreOptions());
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ((*again)->last_checkpoint()->checkpoint_id, 2);
  auto again_table = (*again)->Table("t");
  ASSERT_TRUE(again_table.ok());
  ASSERT_TRUE((*again_table)->Get("key7", &value).ok());
  EXPECT_EQ(value, "new");
  std::vector<int> types = SstChecksumTypes(dir);
  EXPECT_NE(std::find(types.begin(), types.end(), rocksdb::kCRC32c), types.end());
  EXPECT_NE(std::find(types.begin(), types.end(), rocksdb::kXXH3), types.end());
}

}  // namespace
}  // namespace sluice
