// WindowAggregateOperator and WatermarkTracker on hand-built batches: window assignment, closing
// on the watermark, late records, session merging, HAVING retractions, state purging.

#include "runtime/operator/window_aggregate.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <iostream>
#include <limits>
#include <map>

#include "runtime/expression/expression_factory.h"
#include "runtime/pipeline/watermark_tracker.h"
#include "tests/unit/runtime/aggregate_test_util.h"
#include "tests/unit/runtime/window_aggregate_test_util.h"

namespace sluice {
namespace {

using testing::AttachStore;
using testing::InputSchema;
using testing::MakeInput;
using testing::MakePlan;
using testing::Rows;

TEST(WindowAggregateTest, TumbleEmitsOnlyWhenTheWatermarkPassesTheEnd) {
  auto plan = MakePlan({WindowType::kTumble, 10, 0, 0});
  EvalContext context;
  WindowAggregateOperator op(*plan, context);
  RecordBatch output(plan->schema);
  ASSERT_TRUE(op.Process(MakeInput({{1, "a", 1}, {5, "a", 2}, {7, "b", -1}}), output).ok());
  ASSERT_TRUE(op.AdvanceWatermark(9, output).ok());
  EXPECT_EQ(output.num_rows(), 0u);
  EXPECT_EQ(op.num_groups(), 2u);
  ASSERT_TRUE(op.AdvanceWatermark(10, output).ok());
  EXPECT_EQ(Rows(output), (std::vector<std::string>{
                              "+ 1970-01-01 00:00:00.000 1970-01-01 00:00:00.010 a 2 3",
                              "+ 1970-01-01 00:00:00.000 1970-01-01 00:00:00.010 b 1 NULL"}));
  // The window is gone: state stays flat.
  EXPECT_EQ(op.num_groups(), 0u);
  RecordBatch late(plan->schema);
  ASSERT_TRUE(op.Process(MakeInput({{3, "a", 1}}), late).ok());
  EXPECT_EQ(op.late_records(), 1);
  EXPECT_EQ(op.num_groups(), 0u);
}

TEST(WindowAggregateTest, HopAssignsEveryCoveringWindow) {
  auto plan = MakePlan({WindowType::kHop, 10, 5, 0});
  EvalContext context;
  WindowAggregateOperator op(*plan, context);
  RecordBatch output(plan->schema);
  ASSERT_TRUE(op.Process(MakeInput({{12, "a", 4}}), output).ok());
  // One group, of the pane [10, 15) that [5, 15) and [10, 20) share.
  EXPECT_EQ(op.num_groups(), 1u);
  ASSERT_TRUE(op.AdvanceWatermark(100, output).ok());
  ASSERT_EQ(output.num_rows(), 2u);
  EXPECT_EQ(output.column(0).GetInt64(0), 5);
  EXPECT_EQ(output.column(0).GetInt64(1), 10);
}

TEST(WindowAggregateTest, SessionsMergeWhenARecordBridgesTheGap) {
  auto plan = MakePlan({WindowType::kSession, 0, 0, 10});
  EvalContext context;
  WindowAggregateOperator op(*plan, context);
  RecordBatch output(plan->schema);
  ASSERT_TRUE(op.Process(MakeInput({{0, "a", 1}, {25, "a", 2}}), output).ok());
  EXPECT_EQ(op.num_groups(), 2u);  // [0, 10) and [25, 35)
  ASSERT_TRUE(op.Process(MakeInput({{12, "a", 3}}), output).ok());
  EXPECT_EQ(op.num_groups(), 3u);  // [12, 22) overlaps neither: 12 >= 10 and 22 <= 25
  ASSERT_TRUE(op.Process(MakeInput({{18, "a", 4}}), output).ok());
  // [18, 28) overlaps [12, 22) and [25, 35): all merge into [12, 35).
  EXPECT_EQ(op.num_groups(), 2u);
  ASSERT_TRUE(op.AdvanceWatermark(100, output).ok());
  EXPECT_EQ(Rows(output),
            (std::vector<std::string>{"+ 1970-01-01 00:00:00.000 1970-01-01 00:00:00.010 a 1 1",
                                      "+ 1970-01-01 00:00:00.012 1970-01-01 00:00:00.035 a 3 9"}));
}

TEST(WindowAggregateTest, ChangelogRetractsAGroupThatStopsMatchingHaving) {
  auto plan = MakePlan({});
  // HAVING n < 2 over the output (column 1 is n).
  auto n = MakeColumnRef(1, DataType::Bigint());
  auto two = MakeLiteral(Value::Bigint(2));
  auto having = MakeComparison(ComparisonOp::kLess, std::move(n), std::move(two));
  ASSERT_TRUE(having.ok()) << having.status().ToString();
  plan->having = std::move(*having);
  EvalContext context;
  WindowAggregateOperator op(*plan, context);
  RecordBatch output(plan->schema);
  ASSERT_TRUE(
      op.Process(MakeInput({{1, "a", 1}, {2, "b", 1}, {3, "a", 1}, {4, "a", 1}}), output).ok());
  EXPECT_EQ(Rows(output), (std::vector<std::string>{"+ a 1 1", "+ b 1 1", "- a 2 2"}));
}

TEST(WindowAggregateTest, StateStaysFlatOnALongStream) {
  auto plan = MakePlan({WindowType::kHop, 100, 50, 0});
  EvalContext context;
  WindowAggregateOperator op(*plan, context);
  size_t max_groups = 0;
  int64_t rows_out = 0;
  for (int64_t batch_idx = 0; batch_idx < 1000; ++batch_idx) {
    std::vector<std::tuple<int64_t, std::string, int64_t>> rows;
    for (int64_t row = 0; row < 100; ++row) {
      rows.emplace_back(batch_idx * 100 + row, "k" + std::to_string(row % 7), row);
    }
    RecordBatch output(plan->schema);
    ASSERT_TRUE(op.Process(MakeInput(rows), output).ok());
    ASSERT_TRUE(op.AdvanceWatermark(batch_idx * 100 + 99, output).ok());
    rows_out += static_cast<int64_t>(output.num_rows());
    max_groups = std::max(max_groups, op.num_groups());
  }
  // At most three overlapping windows of 7 keys are open at any time.
  EXPECT_LE(max_groups, 21u);
  // Every closed window [s, s + 100) with s = 50 * i emitted its 7 keys.
  EXPECT_EQ(rows_out, 7 * (2 * 1000 - 1));
  EXPECT_EQ(op.late_records(), 0);
}

// A checkpointed operator restored into a new one (a restarted worker) continues exactly where the
// first left off: counts, sums, LATEST_BY_OFFSET and COUNT(DISTINCT) survive.
TEST(WindowAggregateTest, StateSurvivesCheckpointAndRestore) {
  auto plan = MakePlan({WindowType::kTumble, 10, 0, 0});
  AggregateCall latest;
  latest.function = AggregateFunction::kLatestByOffset;
  latest.argument = MakeColumnRef(0, DataType::Varchar());
  latest.type = DataType::Varchar();
  plan->aggregates.push_back(std::move(latest));
  plan->schema.Add(Field{"latest", DataType::Varchar()});
  AggregateCall distinct;
  distinct.function = AggregateFunction::kCount;
  distinct.distinct = true;
  distinct.argument = MakeColumnRef(1, DataType::Bigint());
  distinct.type = DataType::Bigint();
  plan->aggregates.push_back(std::move(distinct));
  plan->schema.Add(Field{"kinds", DataType::Bigint()});
  const std::string dir =
      ::testing::TempDir() + "/window_aggregate_state_" + std::to_string(::getpid());
  // A directory left by an earlier run (--gtest_repeat, or a reused pid) would be restored.
  std::filesystem::remove_all(dir);
  EvalContext context;
  {
    auto store = StateStore::Open(dir, StateStoreOptions());
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    auto table = (*store)->Table("aggregate");
    ASSERT_TRUE(table.ok());
    WindowAggregateOperator op(*plan, context);
    ASSERT_TRUE(op.AttachState(*table).ok());
    RecordBatch output(plan->schema);
    ASSERT_TRUE(op.Process(MakeInput({{1, "a", 1}, {2, "a", 2}, {15, "b", 4}}), output).ok());
    ASSERT_TRUE(op.AdvanceWatermark(15, output).ok());  // closes [0, 10)
    EXPECT_EQ(output.num_rows(), 1u);
    ASSERT_TRUE(op.PrepareCheckpoint().ok());
    ASSERT_TRUE((*store)->Commit(CheckpointManifest{1, 0, {}, {}, {}}).ok());
    // Not checkpointed: lost with the "crash".
    ASSERT_TRUE(op.Process(MakeInput({{16, "b", 100}}), output).ok());
  }
  auto store = StateStore::Open(dir, StateStoreOptions());
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  auto table = (*store)->Table("aggregate");
  ASSERT_TRUE(table.ok());
  WindowAggregateOperator op(*plan, context);
  ASSERT_TRUE(op.AttachState(*table).ok());
  EXPECT_EQ(op.num_groups(), 1u);  // the closed window was purged before the checkpoint
  RecordBatch output(plan->schema);
  ASSERT_TRUE(op.Process(MakeInput({{17, "b", 4}, {18, "b", 5}}), output).ok());
  ASSERT_TRUE(op.AdvanceWatermark(20, output).ok());
  EXPECT_EQ(
      Rows(output),
      (std::vector<std::string>{"+ 1970-01-01 00:00:00.010 1970-01-01 00:00:00.020 b 3 13 b 2"}));
}

// A checkpoint writes only the groups updated since the previous one (and deletes closed
// windows), not every open group.
TEST(WindowAggregateTest, CheckpointsAreIncremental) {
  auto plan = MakePlan({WindowType::kTumble, 1000000, 0, 0});
  const std::string dir =
      ::testing::TempDir() + "/window_aggregate_incremental_" + std::to_string(::getpid());
  EvalContext context;
  WindowAggregateOperator op(*plan, context);
  std::unique_ptr<StateStore> store = AttachStore(op, dir);
  ASSERT_NE(store, nullptr);
  std::vector<std::tuple<int64_t, std::string, int64_t>> rows;
  for (int64_t key = 0; key < 2000; ++key) rows.emplace_back(key, "k" + std::to_string(key), 1);
  RecordBatch output(plan->schema);
  ASSERT_TRUE(op.Process(MakeInput(rows), output).ok());
  ASSERT_TRUE(op.PrepareCheckpoint().ok());
  const size_t full = store->uncommitted_bytes();
  ASSERT_TRUE(store->Commit(CheckpointManifest{1, 0, {}, {}, {}}).ok());
  // One group updated: the next checkpoint writes about one group's worth.
  ASSERT_TRUE(op.Process(MakeInput({{5, "k5", 1}}), output).ok());
  ASSERT_TRUE(op.PrepareCheckpoint().ok());
  const size_t one = store->uncommitted_bytes();
  EXPECT_GT(one, 0u);
  EXPECT_LT(one * 500, full) << one << " bytes for one group, " << full << " for 2000";
  ASSERT_TRUE(store->Commit(CheckpointManifest{2, 0, {}, {}, {}}).ok());
  // Nothing changed: nothing written.
  ASSERT_TRUE(op.PrepareCheckpoint().ok());
  EXPECT_EQ(store->uncommitted_bytes(), 0u);
  // The restored operator sees the incremental update.
  ASSERT_TRUE(store->Commit(CheckpointManifest{3, 0, {}, {}, {}}).ok());
  store.reset();
  WindowAggregateOperator restored(*plan, context);
  store = AttachStore(restored, dir);
  ASSERT_NE(store, nullptr);
  RecordBatch closing(plan->schema);
  ASSERT_TRUE(restored.AdvanceWatermark(2000000, closing).ok());
  ASSERT_EQ(closing.num_rows(), 2000u);
  int64_t total = 0;
  for (size_t row = 0; row < closing.num_rows(); ++row) total += closing.column(3).GetInt64(row);
  EXPECT_EQ(total, 2001);
  std::filesystem::remove_all(dir);
}

// Rows alternating between open windows, one of them closing before the checkpoint: the
// checkpoint writes the updated groups of each window still open (and none of the closed one's,
// whose groups are gone), so a restored operator closes the same rows.
TEST(WindowAggregateTest, ACheckpointWritesTheUpdatedGroupsOfEveryOpenWindow) {
  auto plan = MakePlan({WindowType::kTumble, 10, 0, 0});
  const std::string dir =
      ::testing::TempDir() + "/window_aggregate_interleaved_" + std::to_string(::getpid());
  std::filesystem::remove_all(dir);
  EvalContext context;
  {
    WindowAggregateOperator op(*plan, context);
    std::unique_ptr<StateStore> store = AttachStore(op, dir);
    ASSERT_NE(store, nullptr);
    RecordBatch output(plan->schema);
    ASSERT_TRUE(op.Process(MakeInput({{1, "a", 1},
                                      {11, "b", 2},
                                      {2, "c", 3},
                                      {21, "d", 4},
                                      {12, "e", 5},
                                      {22, "a", 6}}),
                           output)
                    .ok());
    ASSERT_TRUE(op.AdvanceWatermark(10, output).ok());  // [0, 10) closes with its updates
    EXPECT_EQ(output.num_rows(), 2u);
    ASSERT_TRUE(op.Process(MakeInput({{13, "b", 10}, {23, "f", 7}}), output).ok());
    ASSERT_TRUE(op.PrepareCheckpoint().ok());
    ASSERT_TRUE(store->Commit(CheckpointManifest{1, 0, {}, {}, {}}).ok());
  }
  WindowAggregateOperator restored(*plan, context);
  std::unique_ptr<StateStore> store = AttachStore(restored, dir);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(restored.num_groups(), 5u);
  RecordBatch closing(plan->schema);
  ASSERT_TRUE(restored.AdvanceWatermark(30, closing).ok());
  EXPECT_EQ(Rows(closing),
            (std::vector<std::string>{"+ 1970-01-01 00:00:00.010 1970-01-01 00:00:00.020 b 2 12",
                                      "+ 1970-01-01 00:00:00.010 1970-01-01 00:00:00.020 e 1 5",
                                      "+ 1970-01-01 00:00:00.020 1970-01-01 00:00:00.030 a 1 6",
                                      "+ 1970-01-01 00:00:00.020 1970-01-01 00:00:00.030 d 1 4",
                                      "+ 1970-01-01 00:00:00.020 1970-01-01 00:00:00.030 f 1 7"}));
  store.reset();
  std::filesystem::remove_all(dir);
}

// A long windowed stream with a real StateStore: closed windows are purged and their deletes
// compacted away, so the state on disk stays flat instead of growing with the input.
TEST(WindowAggregateTest, StateStoreSizeStaysBoundedOnALongStream) {
  auto plan = MakePlan({WindowType::kTumble, 5000, 0, 0});
  const std::string dir =
      ::testing::TempDir() + "/window_aggregate_growth_" + std::to_string(::getpid());
  StateStoreOptions options;
  options.write_buffer_bytes = 256u << 10;  // small, so flushes and compactions happen early
  EvalContext context;
  WindowAggregateOperator op(*plan, context);
  std::unique_ptr<StateStore> store = AttachStore(op, dir, options);
  ASSERT_NE(store, nullptr);
  constexpr int64_t kBatches = 2000;  // 2M events: 400 five-second windows of 1000 keys
  std::vector<int64_t> sizes;
  for (int64_t batch_idx = 0; batch_idx < kBatches; ++batch_idx) {
    std::vector<std::tuple<int64_t, std::string, int64_t>> rows;
    for (int64_t row = 0; row < 1000; ++row) {
      rows.emplace_back(batch_idx * 1000 + row, "key-" + std::to_string(row), row);
    }
    RecordBatch output(plan->schema);
    ASSERT_TRUE(op.Process(MakeInput(rows), output).ok());
    ASSERT_TRUE(op.AdvanceWatermark(batch_idx * 1000 + 999, output).ok());
    // A checkpoint every 4 s of event time: each writes an open window's groups and deletes
    // windows an earlier one wrote.
    if ((batch_idx + 1) % 4 != 0) continue;
    ASSERT_TRUE(op.PrepareCheckpoint().ok());
    ASSERT_TRUE(store->Commit(CheckpointManifest{batch_idx + 1, 0, {}, {}, {}}).ok());
    if ((batch_idx + 1) % (kBatches / 4) == 0) sizes.push_back(store->ApproximateSizeBytes());
  }
  ASSERT_EQ(sizes.size(), 4u);
  // One window of 1000 groups is ~100 KB of values; 500 checkpoints wrote ~50 MB of them.
  std::cout << "state sizes after each quarter: " << ::testing::PrintToString(sizes) << "\n";
  // After a quarter and at the end, the store is a few write buffers, not the input.
  for (int64_t size : sizes)
    EXPECT_LT(size, 8 << 20) << "state sizes " << ::testing::PrintToString(sizes);
  EXPECT_LT(sizes[3], 2 * sizes[0] + (1 << 20)) << ::testing::PrintToString(sizes);
  EXPECT_LE(op.num_groups(), 1000u);
  store.reset();
  std::filesystem::remove_all(dir);
}

// HOP keeps panes of gcd(size, advance) and merges them when a window closes: every window gets
// exactly its records' COUNT and SUM, also across a checkpoint and restore in the middle (the
// restored operator must not close again the windows that closed before over shared panes).
TEST(WindowAggregateTest, HopPanesMatchPerWindowGroupsAcrossRestore) {
  auto plan = MakePlan({WindowType::kHop, 10, 4, 0});
  using Records = std::vector<std::tuple<int64_t, std::string, int64_t>>;
  Records records;
  for (int64_t ts = 0; ts < 60; ++ts) {
    records.emplace_back(ts, std::string(1, static_cast<char>('a' + (ts * 7) % 3)), ts % 5);
  }
  // Expected rows: windows [s, s + 10), s a multiple of 4, by window then key.
  std::map<std::pair<int64_t, std::string>, std::pair<int64_t, int64_t>> expected;
  for (const auto& [ts, key, value] : records) {
    for (int64_t start = -8; start <= ts; start += 4) {
      if (start + 10 <= ts) continue;
      auto& [count, sum] = expected[{start, key}];
      ++count;
      sum += value;
    }
  }
  std::vector<std::string> expected_rows;
  for (const auto& [window, totals] : expected) {
    expected_rows.push_back(std::to_string(window.first) + " " + window.second + " " +
                            std::to_string(totals.first) + " " + std::to_string(totals.second));
  }
  std::vector<std::string> rows;
  auto collect = [&](const RecordBatch& output) {
    for (size_t row = 0; row < output.num_rows(); ++row) {
      rows.push_back(std::to_string(output.column(0).GetInt64(row)) + " " +
                     std::string(output.column(2).GetString(row)) + " " +
                     std::to_string(output.column(3).GetInt64(row)) + " " +
                     std::to_string(output.column(4).GetInt64(row)));
    }
  };
  const std::string dir =
      ::testing::TempDir() + "/window_aggregate_panes_" + std::to_string(::getpid());
  EvalContext context;
  {
    WindowAggregateOperator op(*plan, context);
    std::unique_ptr<StateStore> store = AttachStore(op, dir);
    ASSERT_NE(store, nullptr);
    RecordBatch output(plan->schema);
    ASSERT_TRUE(op.Process(MakeInput(Records(records.begin(), records.begin() + 30)), output).ok());
    ASSERT_TRUE(op.AdvanceWatermark(29, output).ok());  // closes windows ending <= 29
    collect(output);
    ASSERT_TRUE(op.PrepareCheckpoint().ok());
    ASSERT_TRUE(store->Commit(CheckpointManifest{1, 0, {}, {}, {}}).ok());
  }
  WindowAggregateOperator op(*plan, context);
  std::unique_ptr<StateStore> store = AttachStore(op, dir);
  ASSERT_NE(store, nullptr);
  RecordBatch output(plan->schema);
  // A watermark below the restored one closes nothing again.
  ASSERT_TRUE(op.AdvanceWatermark(20, output).ok());
  EXPECT_EQ(output.num_rows(), 0u);
  ASSERT_TRUE(op.Process(MakeInput(Records(records.begin() + 30, records.end())), output).ok());
  ASSERT_TRUE(op.AdvanceWatermark(1000, output).ok());
  collect(output);
  EXPECT_EQ(rows, expected_rows);
  EXPECT_EQ(op.num_groups(), 0u);
  store.reset();
  std::filesystem::remove_all(dir);
}

// Merging panes keeps string MIN/MAX (the empty string included), LATEST_BY_OFFSET and
// COUNT(DISTINCT) exact: a window's value is that of all its records, whichever pane they are in.
TEST(WindowAggregateTest, HopPanesMergeStringAndDistinctAggregates) {
  auto plan = std::make_unique<PhysicalAggregate>();
  plan->window = {WindowType::kHop, 4, 2, 0};
  auto add_call = [&](AggregateFunction function, int column, DataType type, bool distinct,
                      const std::string& name) {
    AggregateCall call;
    call.function = function;
    call.argument = MakeColumnRef(column, column == 0 ? DataType::Varchar() : DataType::Bigint());
    call.type = type;
    call.distinct = distinct;
    plan->aggregates.push_back(std::move(call));
    plan->schema.Add(Field{name, type});
  };
  plan->schema.Add(Field{"window_start", DataType::Timestamp()});
  plan->schema.Add(Field{"window_end", DataType::Timestamp()});
  add_call(AggregateFunction::kMin, 0, DataType::Varchar(), false, "lo");
  add_call(AggregateFunction::kMax, 0, DataType::Varchar(), false, "hi");
  add_call(AggregateFunction::kLatestByOffset, 1, DataType::Bigint(), false, "last");
  add_call(AggregateFunction::kCount, 1, DataType::Bigint(), true, "kinds");
  EvalContext context;
  WindowAggregateOperator op(*plan, context);
  RecordBatch output(plan->schema);
  // Panes [0, 2), [2, 4), [4, 6); windows [0, 4) and [2, 6) (and [-2, 2), [4, 8)).
  ASSERT_TRUE(
      op.Process(MakeInput({{1, "m", 7}, {2, "", 7}, {3, "z", 8}, {4, "b", 9}}), output).ok());
  EXPECT_EQ(op.num_groups(), 3u);
  ASSERT_TRUE(op.AdvanceWatermark(100, output).ok());
  EXPECT_EQ(Rows(output), (std::vector<std::string>{
                              "+ 1969-12-31 23:59:59.998 1970-01-01 00:00:00.002 m m 7 1",
                              "+ 1970-01-01 00:00:00.000 1970-01-01 00:00:00.004  z 8 2",
                              "+ 1970-01-01 00:00:00.002 1970-01-01 00:00:00.006  z 9 3",
                              "+ 1970-01-01 00:00:00.004 1970-01-01 00:00:00.008 b b 9 1"}));
}

// NextWindowEnd walks the open windows in the order they close, so the end of a bounded input
// can close them a window at a time (StatefulStage::FinishSome).
TEST(WindowAggregateTest, NextWindowEndWalksTheWindowsInClosingOrder) {
  for (const WindowSpec& window :
       {WindowSpec{WindowType::kHop, 10, 4, 0}, WindowSpec{WindowType::kTumble, 10, 0, 0}}) {
    auto plan = MakePlan(window);
    EvalContext context;
    WindowAggregateOperator op(*plan, context);
    RecordBatch output(plan->schema);
    EXPECT_EQ(op.NextWindowEnd(), std::numeric_limits<int64_t>::max());
    ASSERT_TRUE(op.Process(MakeInput({{3, "a", 1}, {13, "b", 2}, {14, "a", 3}}), output).ok());
    std::vector<int64_t> ends;
    size_t rows = 0;
    for (int64_t end = op.NextWindowEnd(); end != std::numeric_limits<int64_t>::max();
         end = op.NextWindowEnd()) {
      ends.push_back(end);
      ASSERT_TRUE(op.AdvanceWatermark(end, output).ok());
      EXPECT_GT(output.num_rows(), rows) << "closing at " << end << " emitted nothing";
      rows = output.num_rows();
    }
    if (window.type == WindowType::kHop) {
      // Windows [-4, 6) ... [12, 22): one per advance, each closed in its own step.
      EXPECT_EQ(ends, (std::vector<int64_t>{6, 10, 14, 18, 22}));
    } else {
      EXPECT_EQ(ends, (std::vector<int64_t>{10, 20}));
    }
    EXPECT_EQ(op.num_groups(), 0u);
  }
}

// State the operator cannot read (the JSON groups of earlier versions, a cut value, a foreign key)
// is a STORAGE error at restore, never a silently emptier aggregate.
TEST(WindowAggregateTest, UnreadableStateIsAStorageError) {
  auto plan = MakePlan({WindowType::kTumble, 10, 0, 0});
  std::string window_key = "w";
  for (int byte_idx = 0; byte_idx < 16; ++byte_idx) window_key.push_back('\x80');
  window_key += std::string("\1a\0\0", 4);
  // A real group, cut short by one byte.
  std::string cut;
  {
    WindowGroupCodec codec({DataType::Varchar()}, plan->aggregates);
    codec.Encode("", {Value::Varchar("a")}, std::vector<AggregateAccumulator>(2), false, cut);
    cut.pop_back();
  }
  const std::vector<std::pair<std::string, std::string>> cases = {
      {window_key, "{\"k0\":\"a\",\"a0_count\":1}"},
      {window_key, cut},
      {"x", "G"},
  };
  int case_idx = 0;
  for (const auto& [key, value] : cases) {
    const std::string dir = ::testing::TempDir() + "/window_aggregate_bad_" +
                            std::to_string(::getpid()) + "_" + std::to_string(case_idx++);
    testing::CommitTableEntries(dir, {{key, value}});
    EvalContext context;
    WindowAggregateOperator op(*plan, context);
    Status status = testing::RestoreFrom(op, dir);
    EXPECT_EQ(status.category(), ErrorCategory::kStorage) << status.ToString();
    EXPECT_NE(status.message().find("window aggregate state"), std::string::npos)
        << status.ToString();
    std::filesystem::remove_all(dir);
  }
}

TEST(WatermarkTrackerTest, MinimumAcrossPartitionsUnlessIdle) {
  using Clock = WatermarkTracker::Clock;
  WatermarkTracker tracker(2, /*allow_latency_ms=*/5, /*idle_timeout_ms=*/1000);
  const Clock::time_point start = Clock::now();
  tracker.Observe(RecordMeta{100, 0, 0}, start);
  EXPECT_EQ(tracker.Update(start), 95);  // partition 1 has seen nothing: it does not hold back
  tracker.Observe(RecordMeta{50, 1, 0}, start);
  EXPECT_EQ(tracker.Update(start), 95);  // never goes backwards
  tracker.Observe(RecordMeta{300, 0, 1}, start);
  EXPECT_EQ(tracker.Update(start), 95);  // partition 1 (45) holds it back
  tracker.Observe(RecordMeta{400, 0, 2}, start + std::chrono::milliseconds(1500));
  // Partition 1 has been silent for 1.5 s: idle, so partition 0 alone decides.
  EXPECT_EQ(tracker.Update(start + std::chrono::milliseconds(1500)), 395);
}

}  // namespace
}  // namespace sluice
