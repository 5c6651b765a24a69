// A GROUP BY without a window skips an update that would repeat its group's row (a value below
// the current MAX, one COUNT(DISTINCT) has already counted, a NULL): in memory, under a cache
// budget, and across a checkpoint and restore. Windowed EMIT CHANGES still emits every record.

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
using testing::RunBatches;

struct CallSpec {
  AggregateFunction function;
  bool distinct = false;
};

// GROUP BY k with the given calls of v over columns (k, v), each call output as a BIGINT column.
std::unique_ptr<PhysicalAggregate> MakePlan(const std::vector<CallSpec>& calls,
                                            WindowSpec window = {}) {
  auto plan = std::make_unique<PhysicalAggregate>();
  plan->window = window;
  plan->keys.push_back(MakeColumnRef(0, DataType::Varchar()));
  if (window.type != WindowType::kNone) {
    plan->schema.Add(Field{"window_start", DataType::Timestamp()});
    plan->schema.Add(Field{"window_end", DataType::Timestamp()});
  }
  plan->schema.Add(Field{"k", DataType::Varchar()});
  for (size_t call_idx = 0; call_idx < calls.size(); ++call_idx) {
    plan->schema.Add(Field{"a" + std::to_string(call_idx), DataType::Bigint()});
    AggregateCall call;
    call.function = calls[call_idx].function;
    call.distinct = calls[call_idx].distinct;
    call.argument = MakeColumnRef(1, DataType::Bigint());
    call.type = DataType::Bigint();
    plan->aggregates.push_back(std::move(call));
  }
  plan->emit_changes = true;
  return plan;
}

std::string TestDir(const std::string& name) {
  const std::string dir =
      ::testing::TempDir() + "/group_by_unchanged_" + name + "_" + std::to_string(::getpid());
  std::filesystem::remove_all(dir);
  return dir;
}

TEST(GroupByUnchangedRowsTest, MaxBelowTheMaximumEmitsNothing) {
  auto plan = MakePlan({CallSpec{AggregateFunction::kMax}});
  EvalContext context;
  WindowAggregateOperator op(*plan, context);
  // value < 0 is NULL. a: 5, 3 (below), 5 (equal), NULL, 7; b: 2, 1 (below).
  EXPECT_EQ(RunBatches(op,
                       {MakeInput({{1, "a", 5}, {2, "a", 3}, {3, "b", 2}, {4, "a", 5}}),
                        MakeInput({{5, "a", -1}, {6, "b", 1}, {7, "a", 7}})},
                       *plan),
            (std::vector<std::string>{"+ a 5", "+ b 2", "+ a 7"}));
}

TEST(GroupByUnchangedRowsTest, EveryCallMustStayTheSame) {
  // MIN, MAX, COUNT(DISTINCT v), EARLIEST_BY_OFFSET: a row goes out when any of them moves.
  auto plan = MakePlan({CallSpec{AggregateFunction::kMin}, CallSpec{AggregateFunction::kMax},
                        CallSpec{AggregateFunction::kCount, /*distinct=*/true},
                        CallSpec{AggregateFunction::kEarliestByOffset}});
  EvalContext context;
  WindowAggregateOperator op(*plan, context);
  EXPECT_EQ(
      RunBatches(op, {MakeInput({{1, "a", 5}, {2, "a", 9}, {3, "a", 9}, {4, "a", 1}, {5, "a", 5}})},
                 *plan),
      (std::vector<std::string>{"+ a 5 5 1 5", "+ a 5 9 2 5", "+ a 1 9 3 5"}));
}

TEST(GroupByUnchangedRowsTest, CountAndSumChangeWithEveryRow) {
  // COUNT(*) moves with every row, a NULL included; SUM(v) alone skips a NULL.
  auto count_plan = testing::MakePlan({});
  EvalContext context;
  WindowAggregateOperator counting(*count_plan, context);
  EXPECT_EQ(
      RunBatches(counting, {MakeInput({{1, "a", 5}, {2, "a", -1}, {3, "a", 5}})}, *count_plan),
      (std::vector<std::string>{"+ a 1 5", "+ a 2 5", "+ a 3 10"}));
  auto sum_plan = MakePlan({CallSpec{AggregateFunction::kSum}});
  WindowAggregateOperator summing(*sum_plan, context);
  EXPECT_EQ(RunBatches(summing, {MakeInput({{1, "a", 5}, {2, "a", -1}, {3, "a", 5}})}, *sum_plan),
            (std::vector<std::string>{"+ a 5", "+ a 10"}));
}

TEST(GroupByUnchangedRowsTest, AGroupByWithoutCallsEmitsEachKeyOnce) {
  auto plan = MakePlan({});
  EvalContext context;
  WindowAggregateOperator op(*plan, context);
  EXPECT_EQ(
      RunBatches(op, {MakeInput({{1, "a", 5}}), MakeInput({{2, "a", 6}, {3, "b", 1}})}, *plan),
      (std::vector<std::string>{"+ a", "+ b"}));
}

TEST(GroupByUnchangedRowsTest, WindowedEmitChangesStillEmitsEveryRecord) {
  auto plan = MakePlan({CallSpec{AggregateFunction::kMax}}, {WindowType::kTumble, 10, 0, 0});
  EvalContext context;
  WindowAggregateOperator op(*plan, context);
  EXPECT_EQ(RunBatches(op, {MakeInput({{1, "a", 5}, {2, "a", 3}})}, *plan).size(), 2u);
}

// Under a cache budget (groups evicted to the table and read back) and after a restore, the
// comparison is against the group as it was saved: the maximum survives, so a lower value
// still emits nothing.
TEST(GroupByUnchangedRowsTest, CachedAndRestoredGroupsCompareWithTheirSavedRow) {
  auto plan = MakePlan({CallSpec{AggregateFunction::kMax}});
  const std::string dir = TestDir("cache");
  EvalContext context;
  {
    WindowAggregateOperator op(*plan, context);
    op.set_cache_budget(1);  // every batch evicts every group
    std::unique_ptr<StateStore> store = AttachStore(op, dir);
    ASSERT_NE(store, nullptr);
    EXPECT_EQ(
        RunBatches(op,
                   {MakeInput({{1, "a", 5}, {2, "b", 4}}), MakeInput({{3, "a", 2}, {4, "b", 6}})},
                   *plan),
        (std::vector<std::string>{"+ a 5", "+ b 4", "+ b 6"}));
    EXPECT_GT(op.evictions(), 0);
    EXPECT_GT(op.reads_back(), 0);
    ASSERT_TRUE(op.PrepareCheckpoint().ok());
    ASSERT_TRUE(store->Commit(CheckpointManifest{1, 0, {}, {}, {}}).ok());
  }
  WindowAggregateOperator restored(*plan, context);
  std::unique_ptr<StateStore> store = AttachStore(restored, dir);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(RunBatches(restored, {MakeInput({{5, "a", 4}, {6, "b", 6}, {7, "a", 8}})}, *plan),
            (std::vector<std::string>{"+ a 8"}));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace sluice
