// The state store against a real RocksDB: reads see uncommitted writes, Commit makes state and
// manifest durable together, and a process killed at any moment leaves exactly one checkpoint.

#include "storage/state/state_store.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "storage/state/checkpoint_manifest_json.h"
#include "tests/unit/storage/log_test_util.h"
#include "tests/unit/storage/state_store_test_util.h"

namespace sluice {
namespace {

using testing::GetValue;
using testing::OpenStore;
using testing::ScratchDir;
using testing::TableOf;

std::vector<std::pair<std::string, std::string>> ScanAll(StateTable& table,
                                                         std::string_view begin = "",
                                                         std::string_view end = "") {
  std::vector<std::pair<std::string, std::string>> rows;
  Status status = table.Scan(begin, end, [&](std::string_view key, std::string_view value) {
    rows.emplace_back(key, value);
    return true;
  });
  EXPECT_TRUE(status.ok()) << status.ToString();
  return rows;
}

CheckpointManifest Manifest(int64_t id) {
  CheckpointManifest manifest;
  manifest.checkpoint_id = id;
  manifest.created_at_ms = 1700000000000 + id;
  manifest.source_positions["in"] = {id, id * 2};
  manifest.sink_positions["out"] = {id * 3};
  manifest.metadata["watermarks"] = "[1,2]";
  return manifest;
}

using Rows = std::vector<std::pair<std::string, std::string>>;

TEST(StateStoreTest, FreshStoreHasNoCheckpoint) {
  ScratchDir dir;
  auto store = OpenStore(dir.path() + "/rocksdb");
  ASSERT_NE(store, nullptr);
  EXPECT_FALSE(store->last_checkpoint().has_value());
  EXPECT_EQ(store->uncommitted_bytes(), 0u);
}

TEST(StateStoreTest, ReadsSeeUncommittedAndCommittedWrites) {
  ScratchDir dir;
  auto store = OpenStore(dir.path());
  ASSERT_NE(store, nullptr);
  StateTable* table = TableOf(*store, "agg");
  ASSERT_NE(table, nullptr);
  ASSERT_TRUE(table->Put("b", "2").ok());
  ASSERT_TRUE(table->Put("a", "1").ok());
  EXPECT_GT(store->uncommitted_bytes(), 0u);
  EXPECT_EQ(GetValue(*table, "a"), "1");
  EXPECT_EQ(ScanAll(*table), (Rows{{"a", "1"}, {"b", "2"}}));
  ASSERT_TRUE(store->Commit(Manifest(1)).ok());
  EXPECT_EQ(store->uncommitted_bytes(), 0u);

  // Uncommitted updates and deletes shadow committed values.
  ASSERT_TRUE(table->Put("a", "10").ok());
  ASSERT_TRUE(table->Delete("b").ok());
  ASSERT_TRUE(table->Put("c", "3").ok());
  EXPECT_EQ(GetValue(*table, "a"), "10");
  EXPECT_EQ(GetValue(*table, "b"), std::nullopt);
  EXPECT_EQ(ScanAll(*table), (Rows{{"a", "10"}, {"c", "3"}}));
  EXPECT_EQ(ScanAll(*table, "b", "c"), Rows{});
  EXPECT_EQ(ScanAll(*table, "a", "c"), (Rows{{"a", "10"}}));
}

TEST(StateStoreTest, TablesAreSeparateKeySpaces) {
  ScratchDir dir;
  auto store = OpenStore(dir.path());
  ASSERT_NE(store, nullptr);
  StateTable* left = TableOf(*store, "left");
  StateTable* right = TableOf(*store, "default");  // even the RocksDB default name is fine
  ASSERT_TRUE(left->Put("k", "L").ok());
  ASSERT_TRUE(right->Put("k", "R").ok());
  EXPECT_EQ(GetValue(*left, "k"), "L");
  EXPECT_EQ(GetValue(*right, "k"), "R");
  EXPECT_EQ(TableOf(*store, "left"), left);
}

TEST(StateStoreTest, DeleteRangeOverCommittedAndUncommittedKeys) {
  ScratchDir dir;
  auto store = OpenStore(dir.path());
  ASSERT_NE(store, nullptr);
  StateTable* table = TableOf(*store, "windows");
  for (const char* key : {"w1|a", "w1|b", "w2|a"}) ASSERT_TRUE(table->Put(key, "x").ok());
  ASSERT_TRUE(store->Commit(Manifest(1)).ok());
  ASSERT_TRUE(table->Put("w1|c", "y").ok());
  ASSERT_TRUE(table->DeleteRange("w1|", "w2|").ok());
  EXPECT_EQ(ScanAll(*table), (Rows{{"w2|a", "x"}}));
  ASSERT_TRUE(store->Commit(Manifest(2)).ok());
  store.reset();
  store = OpenStore(dir.path());
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(ScanAll(*TableOf(*store, "windows")), (Rows{{"w2|a", "x"}}));
}

// A checkpoint's writes without reads: they (a real range delete among them) are in the commit
// like indexed ones, in order, alongside another table's indexed writes, and are lost without it;
// reading it before the commit is an INTERNAL error instead of a stale answer.
TEST(StateStoreTest, UnindexedWritesCommitInOrderAndCannotBeReadUncommitted) {
  ScratchDir dir;
  {
    auto store = OpenStore(dir.path());
    ASSERT_NE(store, nullptr);
    StateTable* windows = TableOf(*store, "windows");
    StateTable* other = TableOf(*store, "other");
    for (const char* key : {"w1|a", "w1|b", "w2|a"}) ASSERT_TRUE(windows->Put(key, "x").ok());
    ASSERT_TRUE(store->Commit(Manifest(1)).ok());
    ASSERT_TRUE(windows->Put("w0|indexed", "i").ok());
    windows->WriteWithoutReadsUntilCommit();
    EXPECT_EQ(ScanAll(*windows).size(), 4u);  // nothing unindexed pending yet
    ASSERT_TRUE(windows->Put("w1|c", "y").ok());
    ASSERT_TRUE(other->Put("k", "v").ok());
    ASSERT_TRUE(windows->DeleteRange("w1|", "w2|").ok());
    ASSERT_TRUE(windows->Put("w1|d", "z").ok());  // after the range delete: kept
    ASSERT_TRUE(windows->Put("w2|b", "old").ok());
    ASSERT_TRUE(windows->Put("w2|b", "new").ok());
    ASSERT_TRUE(windows->Delete("w2|a").ok());
    EXPECT_EQ(GetValue(*other, "k"), "v");  // other tables read as before
    std::string value;
    Result<bool> read = windows->Get("w1|d", &value);
    ASSERT_FALSE(read.ok());
    EXPECT_EQ(read.status().category(), ErrorCategory::kInternal);
    EXPECT_NE(read.status().message().find("WriteWithoutReadsUntilCommit"), std::string::npos);
    Status scanned = windows->Scan("", "", [](std::string_view, std::string_view) { return true; });
    EXPECT_EQ(scanned.category(), ErrorCategory::kInternal);
    ASSERT_TRUE(store->Commit(Manifest(2)).ok());
    const Rows committed{{"w0|indexed", "i"}, {"w1|d", "z"}, {"w2|b", "new"}};
    EXPECT_EQ(ScanAll(*windows), committed);
    // After the commit, writes are indexed (and readable) again.
    ASSERT_TRUE(windows->Put("w3|lost", "1").ok());  // never committed
    EXPECT_EQ(GetValue(*windows, "w3|lost"), "1");
    ASSERT_TRUE(windows->DeleteRange("w0|", "w1|").ok());
    EXPECT_EQ(GetValue(*windows, "w0|indexed"), std::nullopt);
  }
  auto store = OpenStore(dir.path());
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->last_checkpoint()->checkpoint_id, 2);
  EXPECT_EQ(ScanAll(*TableOf(*store, "windows")),
            (Rows{{"w0|indexed", "i"}, {"w1|d", "z"}, {"w2|b", "new"}}));
  EXPECT_EQ(ScanAll(*TableOf(*store, "other")), (Rows{{"k", "v"}}));
}

TEST(StateStoreTest, ReopenKeepsCommittedStateAndManifestButLosesUncommittedWrites) {
  ScratchDir dir;
  {
    auto store = OpenStore(dir.path());
    ASSERT_NE(store, nullptr);
    StateTable* table = TableOf(*store, "agg");
    ASSERT_TRUE(table->Put("kept", "1").ok());
    ASSERT_TRUE(store->Commit(Manifest(7)).ok());
    ASSERT_TRUE(table->Put("lost", "2").ok());
    ASSERT_TRUE(table->Delete("kept").ok());
  }
  auto store = OpenStore(dir.path());
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->last_checkpoint().has_value());
  const CheckpointManifest& manifest = *store->last_checkpoint();
  EXPECT_EQ(manifest.checkpoint_id, 7);
  EXPECT_EQ(manifest.created_at_ms, 1700000000007);
  EXPECT_EQ(manifest.source_positions.at("in"), (std::vector<int64_t>{7, 14}));
  EXPECT_EQ(manifest.sink_positions.at("out"), (std::vector<int64_t>{21}));
  EXPECT_EQ(manifest.metadata.at("watermarks"), "[1,2]");
  EXPECT_EQ(ScanAll(*TableOf(*store, "agg")), (Rows{{"kept", "1"}}));
  EXPECT_GT(store->ApproximateSizeBytes(), 0);
}

// RocksDB preallocates (fallocate) 4 MiB per MANIFEST and 1.1 x the write buffer per WAL unless
// told not to; the store turns that off (a fixed cost of every worker start, and disk held by
// every running query), so an open store's files take about what they hold.
TEST(StateStoreTest, OpenStoreReservesNoDiskBeyondWhatItsFilesHold) {
  ScratchDir dir;
  auto store = OpenStore(dir.path());
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(TableOf(*store, "agg")->Put("key", "value").ok());
  ASSERT_TRUE(store->Commit(Manifest(1)).ok());
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
    struct stat info {};
    ASSERT_EQ(::stat(entry.path().c_str(), &info), 0) << entry.path();
    const int64_t allocated = static_cast<int64_t>(info.st_blocks) * 512;
    EXPECT_LE(allocated, info.st_size + (64 << 10)) << entry.path();
    ++files;
  }
  EXPECT_GE(files, 3);  // CURRENT, MANIFEST, WAL
}

TEST(StateStoreTest, ManifestJsonRoundTripAndRejectsGarbage) {
  CheckpointManifest manifest = Manifest(3);
  manifest.metadata["quote"] = "{\"a\": \"b\\n\"}";
  auto parsed = CheckpointManifestFromJson(CheckpointManifestToJson(manifest));
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->checkpoint_id, 3);
  EXPECT_EQ(parsed->source_positions, manifest.source_positions);
  EXPECT_EQ(parsed->sink_positions, manifest.sink_positions);
  EXPECT_EQ(parsed->metadata, manifest.metadata);
  auto bad = CheckpointManifestFromJson("{\"checkpoint_id\": 1}");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().category(), ErrorCategory::kStorage);
}

TEST(StateStoreTest, SecondOpenOfALiveStoreFailsWithAClearError) {
  ScratchDir dir;
  auto store = OpenStore(dir.path());
  ASSERT_NE(store, nullptr);
  auto second = StateStore::Open(dir.path(), StateStoreOptions());
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().category(), ErrorCategory::kStorage);
  EXPECT_NE(second.status().message().find("another worker"), std::string::npos);
}

// A child commits checkpoints forever, each writing every key with the checkpoint id, and is
// SIGKILLed mid-stream. After reopen the state must be exactly the manifest's checkpoint: every
// key holds the same id as the manifest (no torn mix of two checkpoints).
TEST(StateStoreTest, KilledWriterLeavesExactlyOneCheckpoint) {
  ScratchDir dir;
  constexpr int kKeys = 200;
  for (int round = 0; round < 3; ++round) {
    // The child says when its first checkpoint of the round is committed, so a slow start on a
    // loaded machine is not mistaken for a store that lost its checkpoints.
    int committed[2];
    ASSERT_EQ(::pipe(committed), 0);
    pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      ::close(committed[0]);
      auto opened = StateStore::Open(dir.path(), StateStoreOptions());
      if (!opened.ok()) ::_exit(2);
      std::unique_ptr<StateStore> store = std::move(opened).value();
      auto table = store->Table("t");
      if (!table.ok()) ::_exit(3);
      int64_t id = store->last_checkpoint() ? store->last_checkpoint()->checkpoint_id : 0;
      for (;;) {
        ++id;
        for (int key_idx = 0; key_idx < kKeys; ++key_idx) {
          if (!(*table)->Put("k" + std::to_string(key_idx), std::to_string(id)).ok()) ::_exit(4);
        }
        if (!store->Commit(Manifest(id)).ok()) ::_exit(5);
        if (committed[1] >= 0) {
          const char byte = 'c';
          if (::write(committed[1], &byte, 1) != 1) ::_exit(6);
          ::close(committed[1]);
          committed[1] = -1;
        }
      }
    }
    ::close(committed[1]);
    char byte = 0;
    ASSERT_EQ(::read(committed[0], &byte, 1), 1) << "the child died before its first commit";
    ::close(committed[0]);
    ::usleep(20000 + round * 70000);  // then mid-stream, at a different point each round
    ASSERT_EQ(::kill(child, SIGKILL), 0);
    int wait_status = 0;
    ASSERT_EQ(::waitpid(child, &wait_status, 0), child);
    ASSERT_TRUE(WIFSIGNALED(wait_status)) << "child exited early with " << wait_status;

    auto store = OpenStore(dir.path());
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->last_checkpoint().has_value());
    const std::string id = std::to_string(store->last_checkpoint()->checkpoint_id);
    Rows rows = ScanAll(*TableOf(*store, "t"));
    ASSERT_EQ(rows.size(), static_cast<size_t>(kKeys));
    for (const auto& [key, value] : rows) ASSERT_EQ(value, id) << key;
  }
}

}  // namespace
}  // namespace sluice
