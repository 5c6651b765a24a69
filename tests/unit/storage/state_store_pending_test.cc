// The state store's two-phase commit (Prepare, then Commit; a crash in between leaves a pending
// checkpoint that the next Open reports and ResolvePending applies or drops), against a real
// RocksDB, with the crash as a real killed process.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <string>

#include "storage/state/pending_checkpoint.h"
#include "storage/state/state_store.h"
#include "tests/unit/storage/log_test_util.h"

namespace sluice {
namespace {

using testing::ScratchDir;

CheckpointManifest Manifest(int64_t id) {
  CheckpointManifest manifest;
  manifest.checkpoint_id = id;
  manifest.source_positions["in"] = {id * 10};
  manifest.metadata["kafka.transaction.record"] = "out:0:" + std::to_string(id);
  return manifest;
}

std::string ValueOf(StateStore& store, const std::string& key) {
  auto table = store.Table("agg");
  EXPECT_TRUE(table.ok());
  std::string value;
  auto found = (*table)->Get(key, &value);
  EXPECT_TRUE(found.ok());
  return found.ok() && *found ? value : "<none>";
}

// Commits checkpoint 1 (a=1), then in a child process writes a=2 and b=2, prepares checkpoint 2
// and is killed before committing it.
void CrashBetweenPrepareAndCommit(const std::string& dir) {
  {
    auto store = StateStore::Open(dir, StateStoreOptions());
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    StateTable* table = *(*store)->Table("agg");
    ASSERT_TRUE(table->Put("a", "1").ok());
    ASSERT_TRUE((*store)->Commit(Manifest(1)).ok());
  }
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto store = StateStore::Open(dir, StateStoreOptions());
    if (!store.ok()) ::_exit(2);
    StateTable* table = *(*store)->Table("agg");
    if (!table->Put("a", "2").ok() || !table->Put("b", "2").ok()) ::_exit(3);
    if (!(*store)->Prepare(Manifest(2)).ok()) ::_exit(4);
    ::kill(::getpid(), SIGKILL);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status)) << "child exited with " << WEXITSTATUS(status);
}

TEST(StateStorePendingTest, APreparedCheckpointIsAppliedWhenItsTransactionCommitted) {
  ScratchDir dir;
  CrashBetweenPrepareAndCommit(dir.path());
  auto store = StateStore::Open(dir.path(), StateStoreOptions());
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  ASSERT_TRUE((*store)->pending_checkpoint().has_value());
  EXPECT_EQ((*store)->pending_checkpoint()->checkpoint_id, 2);
  EXPECT_EQ((*store)->pending_checkpoint()->metadata.at("kafka.transaction.record"), "out:0:2");
  EXPECT_EQ((*store)->last_checkpoint()->checkpoint_id, 1);
  ASSERT_TRUE((*store)->ResolvePending(true).ok());
  EXPECT_EQ((*store)->last_checkpoint()->checkpoint_id, 2);
  EXPECT_EQ(ValueOf(**store, "a"), "2");
  EXPECT_EQ(ValueOf(**store, "b"), "2");
  store->reset();
  // Applied durably, and the pending file is gone.
  auto reopened = StateStore::Open(dir.path(), StateStoreOptions());
  ASSERT_TRUE(reopened.ok());
  EXPECT_FALSE((*reopened)->pending_checkpoint().has_value());
  EXPECT_EQ((*reopened)->last_checkpoint()->checkpoint_id, 2);
  EXPECT_EQ((*reopened)->last_checkpoint()->source_positions.at("in"), std::vector<int64_t>{20});
  EXPECT_EQ(ValueOf(**reopened, "b"), "2");
}

TEST(StateStorePendingTest, APreparedCheckpointIsDroppedWhenItsTransactionAborted) {
  ScratchDir dir;
  CrashBetweenPrepareAndCommit(dir.path());
  auto store = StateStore::Open(dir.path(), StateStoreOptions());
  ASSERT_TRUE(store.ok());
  ASSERT_TRUE((*store)->ResolvePending(false).ok());
  EXPECT_EQ((*store)->last_checkpoint()->checkpoint_id, 1);
  EXPECT_EQ(ValueOf(**store, "a"), "1");
  EXPECT_EQ(ValueOf(**store, "b"), "<none>");
  store->reset();
  auto reopened = StateStore::Open(dir.path(), StateStoreOptions());
  ASSERT_TRUE(reopened.ok());
  EXPECT_FALSE((*reopened)->pending_checkpoint().has_value());
  EXPECT_EQ((*reopened)->last_checkpoint()->checkpoint_id, 1);
}

TEST(StateStorePendingTest, CommitAfterPrepareRemovesThePendingCheckpoint) {
  ScratchDir dir;
  {
    auto store = StateStore::Open(dir.path(), StateStoreOptions());
    ASSERT_TRUE(store.ok());
    ASSERT_TRUE((*(*store)->Table("agg"))->Put("a", "1").ok());
    ASSERT_TRUE((*store)->Prepare(Manifest(1)).ok());
    ASSERT_TRUE((*store)->Commit(Manifest(1)).ok());
  }
  auto store = StateStore::Open(dir.path(), StateStoreOptions());
  ASSERT_TRUE(store.ok());
  EXPECT_FALSE((*store)->pending_checkpoint().has_value());
  EXPECT_EQ((*store)->last_checkpoint()->checkpoint_id, 1);
  EXPECT_EQ(ValueOf(**store, "a"), "1");
}

TEST(StateStorePendingTest, ADamagedPendingCheckpointIsAStorageError) {
  ScratchDir dir;
  CrashBetweenPrepareAndCommit(dir.path());
  const std::string path = PendingCheckpointPath(dir.path());
  {
    std::fstream file(path, std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(20);
    file.put('\x7f');
  }
  auto store = StateStore::Open(dir.path(), StateStoreOptions());
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().category(), ErrorCategory::kStorage);
  EXPECT_NE(store.status().message().find("is damaged"), std::string::npos)
      << store.status().ToString();
}

}  // namespace
}  // namespace sluice
