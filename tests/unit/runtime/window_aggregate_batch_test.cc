// WindowAggregateOperator::ProcessRows over one big batch against the same rows one batch each:
// the batch path encodes and hashes all its keys first, computes each row's window or pane
// ahead, prefetches lookups some rows ahead and keeps the window and group it last added to
// across rows (a run of one key skips the lookup), while a batch of one row does none of that. Both
// must emit the same rows and count the same late records, with watermark steps closing windows in
// the middle of the batch.

#include <gtest/gtest.h>

#include <limits>
#include <string>
#include <tuple>
#include <vector>

#include "runtime/operator/window_aggregate.h"
#include "tests/unit/runtime/aggregate_test_util.h"
#include "tests/unit/runtime/window_aggregate_test_util.h"

namespace sluice {
namespace {

using testing::MakeInput;
using testing::MakePlan;
using testing::Rows;

using Row = std::tuple<int64_t, std::string, int64_t>;

// 600 rows over event times 0..59 (a few out of order, some of them late after a step), 37 keys
// in runs of three rows (a run's rows may fall in different windows); the watermark before row r
// is r / 10 - 5, so windows close in the middle of the batch.
std::vector<Row> Input() {
  std::vector<Row> rows;
  for (int row = 0; row < 600; ++row) {
    const int64_t time = row / 10 - (row % 7 == 0 ? 9 : 0);
    rows.emplace_back(time, "key" + std::to_string((row / 3 * 11) % 37), row % 5 == 0 ? -1 : row);
  }
  return rows;
}

std::vector<int64_t> WatermarkBeforeRow() {
  std::vector<int64_t> watermarks;
  for (int row = 0; row < 600; ++row) watermarks.push_back(row / 10 - 5);
  return watermarks;
}

struct Outcome {
  std::vector<std::string> rows;
  int64_t late = 0;
};

Outcome OneBatch(const PhysicalAggregate& plan) {
  EvalContext context;
  WindowAggregateOperator op(plan, context);
  RecordBatch output(plan.schema);
  EXPECT_TRUE(op.ProcessRows(MakeInput(Input()), WatermarkBeforeRow(), output).ok());
  EXPECT_TRUE(op.AdvanceWatermark(std::numeric_limits<int64_t>::max(), output).ok());
  return {Rows(output), op.late_records()};
}

Outcome RowByRow(const PhysicalAggregate& plan) {
  EvalContext context;
  WindowAggregateOperator op(plan, context);
  RecordBatch output(plan.schema);
  const std::vector<Row> input = Input();
  const std::vector<int64_t> watermarks = WatermarkBeforeRow();
  for (size_t row = 0; row < input.size(); ++row) {
    EXPECT_TRUE(op.AdvanceWatermark(watermarks[row], output).ok());
    EXPECT_TRUE(op.Process(MakeInput({input[row]}), output).ok());
  }
  EXPECT_TRUE(op.AdvanceWatermark(std::numeric_limits<int64_t>::max(), output).ok());
  return {Rows(output), op.late_records()};
}

void ExpectSameAsRowByRow(WindowSpec window, bool emit_changes) {
  auto plan = MakePlan(window);
  plan->emit_changes = emit_changes;
  const Outcome batch = OneBatch(*plan);
  const Outcome single = RowByRow(*plan);
  EXPECT_FALSE(batch.rows.empty());
  EXPECT_EQ(batch.rows, single.rows);
  EXPECT_EQ(batch.late, single.late);
}

TEST(WindowAggregateBatchTest, TumbleClosedMidBatch) {
  ExpectSameAsRowByRow({WindowType::kTumble, 10, 0, 0}, false);
  ExpectSameAsRowByRow({WindowType::kTumble, 10, 0, 0}, true);
}

TEST(WindowAggregateBatchTest, HopInPanesAndAsWindowsClosedMidBatch) {
  ExpectSameAsRowByRow({WindowType::kHop, 10, 4, 0}, false);  // panes of 2
  ExpectSameAsRowByRow({WindowType::kHop, 10, 4, 0}, true);   // EMIT CHANGES: every window
}

TEST(WindowAggregateBatchTest, SessionsAndNoWindow) {
  ExpectSameAsRowByRow({WindowType::kSession, 0, 0, 3}, false);
  ExpectSameAsRowByRow({WindowType::kNone, 0, 0, 0}, true);
}

TEST(WindowAggregateBatchTest, LateRowsAreCountedRowByRow) {
  auto plan = MakePlan({WindowType::kTumble, 10, 0, 0});
  const Outcome batch = OneBatch(*plan);
  EXPECT_GT(batch.late, 0);  // the input does hold rows behind a closed window
}

}  // namespace
}  // namespace sluice
