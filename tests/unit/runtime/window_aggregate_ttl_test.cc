// State expiry of a GROUP BY without a window ('state.ttl.millis'): a group not updated for the
// TTL of event time is dropped, in memory and in the state table, and a later record for its key
// starts a fresh group; the update time survives eviction, checkpoints and restores.

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "runtime/operator/window_aggregate.h"
#include "tests/unit/runtime/aggregate_test_util.h"
#include "tests/unit/runtime/window_aggregate_test_util.h"

namespace sluice {
namespace {

using testing::AttachStore;
using testing::MakeInput;
using testing::MakePlan;
using testing::Rows;

constexpr int64_t kTtlMs = 100;

std::string TestDir(const std::string& name) {
  const std::string dir =
      ::testing::TempDir() + "/window_aggregate_ttl_" + name + "_" + std::to_string(::getpid());
  std::filesystem::remove_all(dir);
  return dir;
}

// Rows `input` produces after the watermark advanced to `watermark`.
std::vector<std::string> ProcessAt(WindowAggregateOperator& op, const PhysicalAggregate& plan,
                                   int64_t watermark, const RecordBatch& input) {
  RecordBatch output(plan.schema);
  EXPECT_TRUE(op.AdvanceWatermark(watermark, output).ok());
  Status status = op.Process(input, output);
  EXPECT_TRUE(status.ok()) << status.ToString();
  return Rows(output);
}

size_t TableKeys(StateStore& store) {
  size_t keys = 0;
  auto table = store.Table("aggregate");
  EXPECT_TRUE(table.ok());
  EXPECT_TRUE((*table)
                  ->Scan("", "",
                         [&](std::string_view, std::string_view) {
                           ++keys;
                           return true;
                         })
                  .ok());
  return keys;
}

TEST(WindowAggregateTtlTest, AGroupNotUpdatedForTheTtlStartsFresh) {
  auto plan = MakePlan({WindowType::kNone, 0, 0, 0});
  EvalContext context;
  WindowAggregateOperator op(*plan, context);
  op.set_cache_budget(1 << 20);
  op.set_state_ttl(kTtlMs);
  std::unique_ptr<StateStore> store = AttachStore(op, TestDir("fresh"));
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(ProcessAt(op, *plan, 0, MakeInput({{0, "a", 1}, {10, "b", 2}})),
            (std::vector<std::string>{"+ a 1 1", "+ b 1 2"}));
  // 99 ms after its update: still live.
  EXPECT_EQ(ProcessAt(op, *plan, 99, MakeInput({{99, "a", 3}})),
            (std::vector<std::string>{"+ a 2 4"}));
  // a was updated at 99, b at 10: at watermark 110, b's group expired (110 - 10 >= 100).
  EXPECT_EQ(ProcessAt(op, *plan, 110, MakeInput({{110, "b", 5}, {111, "a", 1}})),
            (std::vector<std::string>{"+ b 1 5", "+ a 3 5"}));
  EXPECT_EQ(op.expired_groups(), 1);
  StateCounters counters;
  op.AddStateCounters(counters);
  EXPECT_EQ(counters.groups_expired, 1);
  EXPECT_EQ(counters.groups_evicted, 0);  // the budget holds both groups
}

// Evicted groups keep their update time in the table; those not updated again are deleted from
// it by the sweep at a checkpoint, and an update of an expired evicted group starts it fresh.
TEST(WindowAggregateTtlTest, EvictedGroupsExpireInTheTable) {
  auto plan = MakePlan({WindowType::kNone, 0, 0, 0});
  const std::string dir = TestDir("table");
  EvalContext context;
  {
    WindowAggregateOperator op(*plan, context);
    op.set_cache_budget(4096);
    op.set_state_ttl(kTtlMs);
    std::unique_ptr<StateStore> store = AttachStore(op, dir);
    ASSERT_NE(store, nullptr);
    for (int key = 0; key < 100; ++key) {
      ProcessAt(op, *plan, key, MakeInput({{key, "k" + std::to_string(key), 1}}));
    }
    ASSERT_GT(op.evictions(), 50);
    ASSERT_TRUE(op.PrepareCheckpoint().ok());
    ASSERT_TRUE(store->Commit(CheckpointManifest{1, 0, {}, {}, {}}).ok());
    EXPECT_EQ(TableKeys(*store), 100u);
    // Read back while live: k0 was updated at 0, the watermark is 99.
    EXPECT_EQ(ProcessAt(op, *plan, 99, MakeInput({{99, "k0", 1}})),
              (std::vector<std::string>{"+ k0 2 2"}));
    // At 150 the groups updated at 50 or before (k1..k50) expired; the sweep deletes them from
    // the table.
    ProcessAt(op, *plan, 150, MakeInput({}));
    ASSERT_TRUE(op.PrepareCheckpoint().ok());
    ASSERT_TRUE(store->Commit(CheckpointManifest{2, 0, {}, {}, {}}).ok());
    EXPECT_EQ(TableKeys(*store), 50u);
    EXPECT_EQ(op.expired_groups(), 50);
  }
  // Restored: the update times came back with the groups.
  WindowAggregateOperator restored(*plan, context);
  restored.set_cache_budget(4096);
  restored.set_state_ttl(kTtlMs);
  std::unique_ptr<StateStore> store = AttachStore(restored, dir);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(ProcessAt(restored, *plan, 150, MakeInput({{150, "k60", 1}, {151, "k10", 1}})),
            (std::vector<std::string>{"+ k60 2 2", "+ k10 1 1"}));
  // k61 was updated at 61: expired once the watermark reaches 161.
  EXPECT_EQ(ProcessAt(restored, *plan, 161, MakeInput({{161, "k61", 1}})),
            (std::vector<std::string>{"+ k61 1 1"}));
}

}  // namespace
}  // namespace sluice
