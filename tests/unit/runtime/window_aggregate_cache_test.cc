// The bounded group cache of a GROUP BY without a window (WindowAggregateOperator with a cache
// budget) over a real StateStore: eviction, read-back, updates of evicted groups, checkpoint and
// restore with evicted groups, and a crash between an eviction and the next checkpoint.

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <map>

#include "runtime/operator/window_aggregate.h"
#include "tests/unit/runtime/aggregate_test_util.h"
#include "tests/unit/runtime/window_aggregate_test_util.h"

namespace sluice {
namespace {

using testing::AttachStore;
using testing::MakeInput;
using testing::MakePlan;
using testing::Rows;
using testing::RunBatches;

using InputRows = std::vector<std::tuple<int64_t, std::string, int64_t>>;

constexpr size_t kTinyBudget = 4096;  // a dozen groups or so

std::string TestDir(const std::string& name) {
  const std::string dir =
      ::testing::TempDir() + "/window_aggregate_cache_" + name + "_" + std::to_string(::getpid());
  std::filesystem::remove_all(dir);
  return dir;
}

// Batches of 10 rows over `num_keys` keys, each key `rounds` times with value = round + 1.
std::vector<RecordBatch> ManyKeys(int num_keys, int rounds) {
  std::vector<RecordBatch> batches;
  InputRows rows;
  int64_t time = 0;
  for (int round = 0; round < rounds; ++round) {
    for (int key = 0; key < num_keys; ++key) {
      rows.emplace_back(time++, "k" + std::to_string(key), round + 1);
      if (rows.size() == 10) {
        batches.push_back(MakeInput(rows));
        rows.clear();
      }
    }
  }
  if (!rows.empty()) batches.push_back(MakeInput(rows));
  return batches;
}

// Every group's row as the table holds it, read by an operator without a budget (which restores
// every group) and made to show each one by adding a row with value 0 per key.
// Each of `num_keys` keys' group as `op` holds it, shown by adding a row with value 0 per key.
std::map<std::string, std::string> ShowGroups(WindowAggregateOperator& op,
                                              const PhysicalAggregate& plan, int num_keys) {
  InputRows probes;
  for (int key = 0; key < num_keys; ++key) probes.emplace_back(0, "k" + std::to_string(key), 0);
  std::map<std::string, std::string> contents;
  for (const std::string& row : RunBatches(op, {MakeInput(probes)}, plan)) {
    contents[row.substr(0, row.find(' ', 2))] = row;
  }
  return contents;
}

std::map<std::string, std::string> TableContents(const PhysicalAggregate& plan,
                                                 const std::string& dir, int num_keys) {
  EvalContext context;
  WindowAggregateOperator reader(plan, context);
  std::unique_ptr<StateStore> store = AttachStore(reader, dir);
  EXPECT_NE(store, nullptr);
  return ShowGroups(reader, plan, num_keys);
}

TEST(WindowAggregateCacheTest, EvictsColdGroupsAndReadsThemBack) {
  auto plan = MakePlan({WindowType::kNone, 0, 0, 0});
  EvalContext context;
  WindowAggregateOperator op(*plan, context);
  op.set_cache_budget(kTinyBudget);
  std::unique_ptr<StateStore> store = AttachStore(op, TestDir("evict"));
  ASSERT_NE(store, nullptr);
  for (const RecordBatch& batch : ManyKeys(200, 1)) {
    RecordBatch output(plan->schema);
    ASSERT_TRUE(op.Process(batch, output).ok());
    EXPECT_LE(op.cached_bytes(), kTinyBudget);
  }
  EXPECT_GT(op.evictions(), 150);
  EXPECT_LT(op.num_groups(), 50u);
  EXPECT_EQ(op.reads_back(), 0);
  // k0 was evicted long ago (uncommitted: no checkpoint yet); updating it reads it back.
  RecordBatch output(plan->schema);
  ASSERT_TRUE(op.Process(MakeInput({{1000, "k0", 5}, {1001, "k0", 7}}), output).ok());
  EXPECT_EQ(Rows(output), (std::vector<std::string>{"+ k0 2 6", "+ k0 3 13"}));
  EXPECT_EQ(op.reads_back(), 1);
  // What DESCRIBE QUERY shows (StateCounters) is what the cache did.
  StateCounters counters;
  op.AddStateCounters(counters);
  EXPECT_EQ(counters.groups_evicted, op.evictions());
  EXPECT_EQ(counters.groups_read_back, 1);
  EXPECT_EQ(counters.cache_bytes_now, static_cast<int64_t>(op.cached_bytes()));
  EXPECT_GT(counters.cache_bytes_now, 0);
  EXPECT_EQ(counters.groups_expired, 0);
  EXPECT_EQ(counters.spilled_rows_now, 0);
}

// A tiny budget changes nothing a user sees: the same changelog as with every group in memory.
TEST(WindowAggregateCacheTest, SameOutputAsWithoutABudget) {
  auto plan = MakePlan({WindowType::kNone, 0, 0, 0});
  const std::vector<RecordBatch> batches = ManyKeys(300, 4);
  EvalContext context;
  WindowAggregateOperator unbounded(*plan, context);
  WindowAggregateOperator bounded(*plan, context);
  bounded.set_cache_budget(kTinyBudget);
  std::unique_ptr<StateStore> store = AttachStore(bounded, TestDir("same"));
  ASSERT_NE(store, nullptr);
  const std::vector<std::string> expected = RunBatches(unbounded, batches, *plan);
  // Checkpoints in between: evicted groups and committed ones both read back right.
  std::vector<std::string> actual;
  for (size_t batch_idx = 0; batch_idx < batches.size(); ++batch_idx) {
    for (std::string& row : RunBatches(bounded, {batches[batch_idx]}, *plan)) actual.push_back(row);
    if (batch_idx % 17 == 0) {
      ASSERT_TRUE(bounded.PrepareCheckpoint().ok());
      ASSERT_TRUE(store->Commit(CheckpointManifest{int64_t(batch_idx) + 1, 0, {}, {}, {}}).ok());
    }
  }
  EXPECT_EQ(actual, expected);
  EXPECT_EQ(expected.back(), "+ k299 4 10");
  EXPECT_GT(bounded.reads_back(), 800);
}

// Batches of 1000 rows whose keys recur within the batch in no order, more keys than a batch's
// remembered groups (recent_groups_, direct-mapped: many share a place) and keys of 8 to 32
// encoded bytes (compared by word loads): the same changelog as with every group in memory,
// with a budget that keeps every group and with one that evicts between batches.
TEST(WindowAggregateCacheTest, BatchesOfInterleavedKeysMatchWithoutABudget) {
  auto plan = MakePlan({WindowType::kNone, 0, 0, 0});
  std::vector<RecordBatch> batches;
  InputRows rows;
  uint64_t state = 12345;
  for (int64_t time = 0; time < 6000; ++time) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    const int key = static_cast<int>((state >> 33) % 700);
    // 4 to 24 characters: encoded keys of 7 to 27 bytes (a tag, the text, two closing bytes).
    const std::string name = "k" + std::to_string(key) + std::string(key % 21, 'x');
    rows.emplace_back(time, name, static_cast<int64_t>((state >> 20) % 1000));
    if (rows.size() == 1000) {
      batches.push_back(MakeInput(rows));
      rows.clear();
    }
  }
  EvalContext context;
  WindowAggregateOperator unbounded(*plan, context);
  const std::vector<std::string> expected = RunBatches(unbounded, batches, *plan);
  for (size_t budget : {size_t{64} << 20, kTinyBudget}) {
    WindowAggregateOperator bounded(*plan, context);
    bounded.set_cache_budget(budget);
    std::unique_ptr<StateStore> store =
        AttachStore(bounded, TestDir("interleaved_" + std::to_string(budget)));
    ASSERT_NE(store, nullptr);
    EXPECT_EQ(RunBatches(bounded, batches, *plan), expected) << budget;
  }
}

// Checkpoints write the groups that changed since the previous one: from the list of groups
// that turned dirty (no eviction in between) and from a scan of every group (after evictions).
// Either way the table ends up holding every group as it is.
TEST(WindowAggregateCacheTest, CheckpointsWriteEveryChangedGroupListedOrScanned) {
  auto plan = MakePlan({WindowType::kNone, 0, 0, 0});
  const std::vector<RecordBatch> batches = ManyKeys(120, 5);
  EvalContext context;
  WindowAggregateOperator unbounded(*plan, context);
  RunBatches(unbounded, batches, *plan);
  const std::map<std::string, std::string> expected = ShowGroups(unbounded, *plan, 120);
  for (size_t budget : {size_t{64} << 20, kTinyBudget}) {
    const std::string dir = TestDir("listed_" + std::to_string(budget));
    {
      WindowAggregateOperator bounded(*plan, context);
      bounded.set_cache_budget(budget);
      std::unique_ptr<StateStore> store = AttachStore(bounded, dir);
      ASSERT_NE(store, nullptr);
      for (size_t batch_idx = 0; batch_idx < batches.size(); ++batch_idx) {
        RunBatches(bounded, {batches[batch_idx]}, *plan);
        if (batch_idx % 7 == 3 || batch_idx + 1 == batches.size()) {
          ASSERT_TRUE(bounded.PrepareCheckpoint().ok());
          ASSERT_TRUE(
              store->Commit(CheckpointManifest{int64_t(batch_idx) + 1, 0, {}, {}, {}}).ok());
        }
      }
      EXPECT_EQ(bounded.evictions() > 0, budget == kTinyBudget);
    }
    EXPECT_EQ(TableContents(*plan, dir, 120), expected) << budget;
  }
}

TEST(WindowAggregateCacheTest, CheckpointAndRestoreWithEvictedGroups) {
  auto plan = MakePlan({WindowType::kNone, 0, 0, 0});
  const std::string dir = TestDir("restore");
  EvalContext context;
  {
    WindowAggregateOperator op(*plan, context);
    op.set_cache_budget(kTinyBudget);
    std::unique_ptr<StateStore> store = AttachStore(op, dir);
    ASSERT_NE(store, nullptr);
    RunBatches(op, ManyKeys(100, 2), *plan);
    ASSERT_GT(op.evictions(), 0);
    ASSERT_TRUE(op.PrepareCheckpoint().ok());
    ASSERT_TRUE(store->Commit(CheckpointManifest{1, 0, {}, {}, {}}).ok());
  }
  // Evicted and held groups alike are in the checkpoint.
  std::map<std::string, std::string> contents = TableContents(*plan, dir, 100);
  ASSERT_EQ(contents.size(), 100u);
  EXPECT_EQ(contents["+ k0"], "+ k0 3 3");
  EXPECT_EQ(contents["+ k99"], "+ k99 3 3");
  // A restored operator with a budget starts empty and reads groups back as they are updated.
  WindowAggregateOperator restored(*plan, context);
  restored.set_cache_budget(kTinyBudget);
  std::unique_ptr<StateStore> store = AttachStore(restored, dir);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(restored.num_groups(), 0u);
  EXPECT_EQ(RunBatches(restored, {MakeInput({{0, "k42", 10}, {1, "new", 1}})}, *plan),
            (std::vector<std::string>{"+ k42 3 13", "+ new 1 1"}));
  EXPECT_EQ(restored.reads_back(), 1);
}

// Evictions write changed groups into the store's uncommitted batch. A crash (the store dropped
// without a commit) before the next checkpoint must restore exactly that checkpoint: no evicted
// update leaks in, none of the checkpoint's groups is lost.
TEST(WindowAggregateCacheTest, CrashBetweenEvictionAndCheckpointRestoresTheLastCheckpoint) {
  auto plan = MakePlan({WindowType::kNone, 0, 0, 0});
  const std::string dir = TestDir("crash");
  EvalContext context;
  {
    WindowAggregateOperator op(*plan, context);
    op.set_cache_budget(kTinyBudget);
    std::unique_ptr<StateStore> store = AttachStore(op, dir);
    ASSERT_NE(store, nullptr);
    RunBatches(op, ManyKeys(100, 1), *plan);
    ASSERT_TRUE(op.PrepareCheckpoint().ok());
    ASSERT_TRUE(store->Commit(CheckpointManifest{1, 0, {}, {}, {}}).ok());
    const int64_t evictions_at_checkpoint = op.evictions();
    // Three more rounds over every key, and new keys: all evicted at least once, uncommitted.
    RunBatches(op, ManyKeys(150, 3), *plan);
    ASSERT_GT(op.evictions() - evictions_at_checkpoint, 300);
    ASSERT_GT(store->uncommitted_bytes(), 0u);
  }  // the crash: destroyed without PrepareCheckpoint or Commit
  std::map<std::string, std::string> contents = TableContents(*plan, dir, 150);
  for (int key = 0; key < 100; ++key) {
    const std::string name = "k" + std::to_string(key);
    EXPECT_EQ(contents["+ " + name], "+ " + name + " 2 1");  // the checkpoint's one row, + probe
  }
  for (int key = 100; key < 150; ++key) {
    const std::string name = "k" + std::to_string(key);
    EXPECT_EQ(contents["+ " + name], "+ " + name + " 1 0");  // unknown at the checkpoint
  }
}

}  // namespace
}  // namespace sluice
