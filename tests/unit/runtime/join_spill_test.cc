// The interval join over long inputs, in the shape of Nexmark q7 (every bid joined with its
// window's highest price): state stays flat while the watermark passes the intervals, and when
// it cannot (a window as long as the input) the rows held in memory stay within the spill budget,
// with the same output as an all-in-memory join, through a checkpoint and restore.

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <random>

#include "runtime/operator/join_row_store.h"
#include "tests/unit/runtime/join_spill_test_util.h"

namespace sluice {
namespace {

// Drives q7's shape: bids at 1 ms apart (price random in [0, 2000)), and after each window
// closes, the window's maximum price as a right row at its last millisecond. With `advance`,
// the watermark follows the bids; without, it stays put until the end (one endless window, as
// when the input's event-time span is shorter than the window).
struct Q7Shape {
  int64_t bids = 60000;
  bool advance = true;
  std::vector<std::string> rows;  // output, sorted at the end
  size_t max_state_rows = 0;
  size_t max_resident_bytes = 0;

  Status Run(IntervalJoinOperator& op, const PhysicalJoin& plan) {
    std::mt19937_64 random(7);
    RecordBatch output(plan.schema);
    std::vector<Row> batch;
    int64_t window_max = -1;
    for (int64_t bid = 0; bid < bids; ++bid) {
      const int64_t price = static_cast<int64_t>(random() % 2000);
      batch.push_back({bid, price, bid});
      window_max = std::max(window_max, price);
      if ((bid + 1) % kWindow != 0) continue;
      RETURN_NOT_OK(op.ProcessSide(JoinSide::kLeft, MakeBatch(batch), {}, output));
      batch.clear();
      RETURN_NOT_OK(op.ProcessSide(JoinSide::kRight, MakeBatch({{bid, window_max, bid / kWindow}}),
                                   {}, output));
      window_max = -1;
      if (advance) RETURN_NOT_OK(op.AdvanceWatermark(bid + 1, output));
      max_state_rows = std::max(max_state_rows, op.state_rows());
      max_resident_bytes = std::max(max_resident_bytes, op.resident_bytes());
      Collect(output, rows);
      output = RecordBatch(plan.schema);
    }
    RETURN_NOT_OK(op.AdvanceWatermark(INT64_MAX, output));
    Collect(output, rows);
    std::sort(rows.begin(), rows.end());
    return Status::OK();
  }
};

TEST(JoinSpillTest, StateStaysFlatWhileTheWatermarkPassesTheIntervals) {
  auto plan = MakeJoin(JoinType::kInner, false);
  EvalContext context;
  IntervalJoinOperator op(*plan, context);
  Q7Shape shape;
  ASSERT_TRUE(shape.Run(op, *plan).ok());
  // A bid waits for its window's maximum and then kWindow more: about three windows of rows,
  // however long the input. Without purging this would be every bid.
  EXPECT_LE(shape.max_state_rows, static_cast<size_t>(4 * kWindow));
  EXPECT_EQ(op.state_rows(), 0u);
  // Every window's maximum matches at least its own bid.
  EXPECT_GE(shape.rows.size(), static_cast<size_t>(shape.bids / kWindow));
}

TEST(JoinSpillTest, SpilledRowsGiveTheSameOutputWithinTheMemoryBudget) {
  for (JoinType type : {JoinType::kInner, JoinType::kFull}) {
    for (bool residual : {false, true}) {
      SCOPED_TRACE(std::to_string(static_cast<int>(type)) + (residual ? " residual" : ""));
      auto plan = MakeJoin(type, residual);
      EvalContext context;
      IntervalJoinOperator in_memory(*plan, context);
      Q7Shape expected;
      expected.advance = false;
      ASSERT_TRUE(expected.Run(in_memory, *plan).ok());

      const std::string dir = ::testing::TempDir() + "/join_spill_" + std::to_string(::getpid());
      std::filesystem::create_directories(dir);
      constexpr size_t kBudget = 512 << 10;
      IntervalJoinOperator spilling(*plan, context);
      spilling.SetSpill(dir, kBudget);
      Q7Shape actual;
      actual.advance = false;
      ASSERT_TRUE(actual.Run(spilling, *plan).ok());
      EXPECT_EQ(actual.rows, expected.rows);
      EXPECT_EQ(expected.max_state_rows, static_cast<size_t>(expected.bids + expected.bids / 100));
      // Over budget by at most the chunk being filled; all in memory it is ~10x the budget.
      EXPECT_LE(actual.max_resident_bytes, kBudget + (1u << 20));
      EXPECT_GT(expected.max_resident_bytes, 4 * kBudget);
      std::filesystem::remove_all(dir);
    }
  }
}

TEST(JoinSpillTest, CheckpointsWriteSpilledChunksAndRestoreThem) {
  auto plan = MakeJoin(JoinType::kLeft, false);
  const std::string dir = ::testing::TempDir() + "/join_spill_state_" + std::to_string(::getpid());
  EvalContext context;
  RecordBatch output(plan->schema);
  std::vector<Row> bids;
  for (int64_t bid = 0; bid < 20000; ++bid) bids.push_back({bid, bid % 1000, bid});
  {
    JoinQuery query;
    ASSERT_TRUE(query.Open(dir, *plan, context, 64 << 10).ok());
    IntervalJoinOperator& op = *query.op;
    ASSERT_TRUE(op.ProcessSide(JoinSide::kLeft, MakeBatch(bids), {}, output).ok());
    // Matches a spilled row (key 7 is at 7, 1007, ...; all but the newest chunk are spilled).
    ASSERT_TRUE(op.ProcessSide(JoinSide::kRight, MakeBatch({{10050, 7, -1}}), {}, output).ok());
    EXPECT_LE(op.resident_bytes(), size_t{1} << 20);
    ASSERT_TRUE(query.Checkpoint().ok());
  }
  std::vector<std::string> matched;
  Collect(output, matched);
  EXPECT_EQ(matched, (std::vector<std::string>{"10050 7 10007 7 -1"}));  // within 100 ms
  JoinQuery query;
  ASSERT_TRUE(query.Open(dir, *plan, context, 64 << 10).ok());
  IntervalJoinOperator& op = *query.op;
  EXPECT_EQ(op.state_rows(), 20001u);
  EXPECT_LE(op.resident_bytes(), size_t{1} << 20);  // restored rows spill as they come back
  output = RecordBatch(plan->schema);
  ASSERT_TRUE(op.AdvanceWatermark(INT64_MAX, output).ok());
  // Every bid but the matched one comes out with NULLs: its matched flag survived the restore.
  EXPECT_EQ(output.num_rows(), 19999u);
  std::filesystem::remove_all(dir);
}

// DESCRIBE QUERY's join spill rows: the live rows and image bytes of the spilled chunks, and the
// spilled chunks read back (by a probe, then by the outer rows leaving).
TEST(JoinSpillTest, StateCountersShowSpilledRowsAndChunksReadBack) {
  auto plan = MakeJoin(JoinType::kLeft, false);
  const std::string dir =
      ::testing::TempDir() + "/join_spill_counters_" + std::to_string(::getpid());
  std::filesystem::create_directories(dir);
  EvalContext context;
  RecordBatch output(plan->schema);
  std::vector<Row> bids;
  for (int64_t bid = 0; bid < 20000; ++bid) bids.push_back({bid, bid % 1000, bid});
  IntervalJoinOperator op(*plan, context);
  op.SetSpill(dir, 64 << 10);
  ASSERT_TRUE(op.ProcessSide(JoinSide::kLeft, MakeBatch(bids), {}, output).ok());
  StateCounters spilled;
  op.AddStateCounters(spilled);
  // All but the newest of the 5 chunks of 4096 rows are spilled; nothing was read back yet.
  EXPECT_EQ(spilled.spilled_rows_now, 4 * JoinRowStore::kChunkRows);
  EXPECT_GT(spilled.spilled_bytes_now, 4 * JoinRowStore::kChunkRows * 8);
  EXPECT_EQ(spilled.spill_chunks_read, 0);
  EXPECT_EQ(spilled.groups_evicted, 0);
  // Key 7 at 10050 +- 100 ms: only the chunk holding times 8192..12287 may hold a match.
  ASSERT_TRUE(op.ProcessSide(JoinSide::kRight, MakeBatch({{10050, 7, -1}}), {}, output).ok());
  StateCounters probed;
  op.AddStateCounters(probed);
  EXPECT_EQ(probed.spill_chunks_read, 1);
  // The unmatched left rows leave with NULLs: each spilled chunk is read back once more, and the
  // spill is empty.
  ASSERT_TRUE(op.AdvanceWatermark(INT64_MAX, output).ok());
  StateCounters drained;
  op.AddStateCounters(drained);
  EXPECT_EQ(drained.spilled_rows_now, 0);
  EXPECT_EQ(drained.spilled_bytes_now, 0);
  EXPECT_EQ(drained.spill_chunks_read, 1 + 4);
  std::filesystem::remove_all(dir);
}

TEST(JoinSpillTest, PairsWithResidentAndSpilledPartnersComeInProbeOrderWithTheirOwnCells) {
  // Pairs with resident partners are appended a column at a time at the end of the batch, those
  // with spilled partners at once: each pair's cells and time must still line up, in the order
  // the batch's rows found them.
  for (JoinType type : {JoinType::kInner, JoinType::kFull}) {
    for (bool residual : {false, true}) {
      SCOPED_TRACE(std::to_string(static_cast<int>(type)) + (residual ? " residual" : ""));
      auto plan = MakeJoin(type, residual);
      const std::string dir =
          ::testing::TempDir() + "/join_spill_order_" + std::to_string(::getpid());
      std::filesystem::create_directories(dir);
      EvalContext context;
      IntervalJoinOperator op(*plan, context);
      op.SetSpill(dir, 64 << 10);
      RecordBatch output(plan->schema);
      std::vector<Row> bids;
      for (int64_t bid = 0; bid < 20000; ++bid) bids.push_back({bid, bid % 1000, bid});
      ASSERT_TRUE(op.ProcessSide(JoinSide::kLeft, MakeBatch(bids), {}, output).ok());
      ASSERT_EQ(output.num_rows(), 0u);
      // Rows from 16384 on are resident (the chunk being filled), older ones spilled. Each right
      // row meets the one bid 50 ms before it: spilled and resident partners alternate.
      std::vector<Row> maxima;
      std::vector<std::string> expected;
      for (int64_t step = 0; step < 40; ++step) {
        const int64_t partner = (step % 2 == 0 ? 16300 : 16400) + step;
        const int64_t time = partner + 50;
        maxima.push_back({time, partner % 1000, -step});
        if (residual && partner % 3 == 1) continue;
        expected.push_back(std::to_string(time) + " " + std::to_string(partner % 1000) + " " +
                           std::to_string(partner) + " " + std::to_string(partner % 1000) + " " +
                           std::to_string(-step));
      }
      ASSERT_TRUE(op.ProcessSide(JoinSide::kRight, MakeBatch(maxima), {}, output).ok());
      std::vector<std::string> rows;
      Collect(output, rows);
      EXPECT_EQ(rows, expected);
      StateCounters counters;
      op.AddStateCounters(counters);
      EXPECT_GT(counters.spill_chunks_read, 0);
      std::filesystem::remove_all(dir);
    }
  }
}

TEST(JoinSpillTest, AnUnwritableSpillDirectoryIsAStorageError) {
  JoinRowStore store;
  store.SetSpill("/nonexistent/sluice-spill", 0);
  for (int64_t row = 0; row < 2 * JoinRowStore::kChunkRows; ++row) store.Add("k", 1, "r", row);
  Status status = store.SpillOverBudget();
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find("cannot create a spill file"), std::string::npos)
      << status.message();
}

}  // namespace
}  // namespace sluice
