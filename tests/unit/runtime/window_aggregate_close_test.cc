// Closing windows in slices (WindowAggregateOperator::AdvanceWatermarkSome, used at the end of a
// bounded input): the same rows as one AdvanceWatermark, and a checkpoint taken in the middle of
// a close restores to emit exactly the rows not yet out.

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "runtime/operator/window_aggregate.h"
#include "tests/unit/runtime/aggregate_test_util.h"
#include "tests/unit/runtime/window_aggregate_test_util.h"

namespace sluice {
namespace {

using testing::AttachStore;
using testing::MakeInput;
using testing::MakePlan;
using testing::Rows;

// 293 keys over event times 0..29, each key at many times: ~290 groups per TUMBLE(10) window,
// and for HOP(size 10, advance 5) keys in several panes of a window.
RecordBatch ManyKeys() {
  std::vector<std::tuple<int64_t, std::string, int64_t>> rows;
  for (int row = 0; row < 1800; ++row) {
    rows.emplace_back(row % 30, "key" + std::to_string(row % 293), row);
  }
  return MakeInput(rows);
}

// The rows one AdvanceWatermark(watermark) emits.
std::vector<std::string> AllAtOnce(const PhysicalAggregate& plan, int64_t watermark) {
  EvalContext context;
  WindowAggregateOperator op(plan, context);
  RecordBatch output(plan.schema);
  EXPECT_TRUE(op.Process(ManyKeys(), output).ok());
  EXPECT_TRUE(op.AdvanceWatermark(watermark, output).ok());
  return Rows(output);
}

// Closes up to `watermark` in slices of at most `slice` rows, appending the rows to `rows`;
// returns the number of calls.
int CloseInSlices(WindowAggregateOperator& op, const PhysicalAggregate& plan, int64_t watermark,
                  size_t slice, std::vector<std::string>& rows) {
  int calls = 0;
  bool done = false;
  while (!done) {
    RecordBatch output(plan.schema);
    EXPECT_TRUE(op.AdvanceWatermarkSome(watermark, slice, output, &done).ok());
    EXPECT_LE(output.num_rows(), slice);
    for (const std::string& row : Rows(output)) rows.push_back(row);
    ++calls;
  }
  return calls;
}

// An operator on a store in `dir` that read ManyKeys(), checkpointed, staged the first `slice`
// rows of its close to `watermark` and checkpointed again (mid-close).
struct MidClose {
  std::unique_ptr<WindowAggregateOperator> op;
  std::unique_ptr<StateStore> store;
  std::vector<std::string> rows;  // the rows out before the second checkpoint
};

MidClose CloseOneSliceAndCheckpoint(const PhysicalAggregate& plan, EvalContext& context,
                                    const std::string& dir, int64_t watermark, size_t slice) {
  std::filesystem::remove_all(dir);
  MidClose mid;
  mid.op = std::make_unique<WindowAggregateOperator>(plan, context);
  mid.store = AttachStore(*mid.op, dir);
  RecordBatch output(plan.schema);
  bool done = false;
  if (mid.store == nullptr || !mid.op->Process(ManyKeys(), output).ok() ||
      !mid.op->PrepareCheckpoint().ok() ||
      !mid.store->Commit(CheckpointManifest{1, 0, {}, {}, {}}).ok() ||
      !mid.op->AdvanceWatermarkSome(watermark, slice, output, &done).ok() || done ||
      !mid.op->PrepareCheckpoint().ok() ||
      !mid.store->Commit(CheckpointManifest{2, 0, {}, {}, {}}).ok()) {
    ADD_FAILURE() << "could not stop in the middle of a close";
  }
  mid.rows = Rows(output);
  return mid;
}

TEST(WindowAggregateCloseTest, SlicesEmitTheRowsOfOneClose) {
  for (const WindowSpec& window :
       {WindowSpec{WindowType::kTumble, 10, 0, 0}, WindowSpec{WindowType::kHop, 10, 5, 0}}) {
    auto plan = MakePlan(window);
    const std::vector<std::string> expected = AllAtOnce(*plan, 100);
    ASSERT_GT(expected.size(), 600u);
    EvalContext context;
    WindowAggregateOperator op(*plan, context);
    RecordBatch input_output(plan->schema);
    ASSERT_TRUE(op.Process(ManyKeys(), input_output).ok());
    std::vector<std::string> rows;
    const int calls = CloseInSlices(op, *plan, 100, 64, rows);
    EXPECT_EQ(rows, expected);
    EXPECT_GE(calls, static_cast<int>(expected.size() / 64));
    EXPECT_EQ(op.num_groups(), 0u);
    // Done: the same watermark again closes nothing.
    bool done = false;
    RecordBatch output(plan->schema);
    ASSERT_TRUE(op.AdvanceWatermarkSome(100, 64, output, &done).ok());
    EXPECT_TRUE(done);
    EXPECT_EQ(output.num_rows(), 0u);
  }
}

TEST(WindowAggregateCloseTest, ACheckpointMidCloseResumesAfterTheRowsOut) {
  for (const WindowSpec& window :
       {WindowSpec{WindowType::kTumble, 10, 0, 0}, WindowSpec{WindowType::kHop, 10, 5, 0}}) {
    auto plan = MakePlan(window);
    // Close the first window end only, as FinishSome does.
    EvalContext probe_context;
    WindowAggregateOperator probe(*plan, probe_context);
    RecordBatch unused(plan->schema);
    ASSERT_TRUE(probe.Process(ManyKeys(), unused).ok());
    const int64_t first_end = probe.NextWindowEnd();
    const std::vector<std::string> expected = AllAtOnce(*plan, first_end);
    ASSERT_GT(expected.size(), 200u);
    const std::string dir = ::testing::TempDir() + "/window_close_" + std::to_string(::getpid()) +
                            "_" + std::to_string(window.advance_ms);
    EvalContext context;
    std::vector<std::string> rows;
    {
      MidClose mid = CloseOneSliceAndCheckpoint(*plan, context, dir, first_end, 100);
      ASSERT_NE(mid.store, nullptr);
      WindowAggregateOperator& op = *mid.op;
      rows = mid.rows;
      bool done = false;
      // Emitted after the checkpoint: lost with the "crash", so emitted again after restore.
      RecordBatch lost(plan->schema);
      ASSERT_TRUE(op.AdvanceWatermarkSome(first_end, 100, lost, &done).ok());
      EXPECT_EQ(lost.num_rows(), 100u);
    }
    WindowAggregateOperator op(*plan, context);
    auto store = AttachStore(op, dir);
    ASSERT_NE(store, nullptr);
    EXPECT_EQ(op.NextWindowEnd(), first_end);  // the window being closed is still open
    CloseInSlices(op, *plan, first_end, 100, rows);
    EXPECT_EQ(rows, expected);
    // Once the close is done, a checkpoint drops the progress marker: a restore closes nothing
    // twice and the next window's rows are whole.
    ASSERT_TRUE(op.PrepareCheckpoint().ok());
    ASSERT_TRUE(store->Commit(CheckpointManifest{3, 0, {}, {}, {}}).ok());
    store.reset();
    WindowAggregateOperator restored(*plan, context);
    auto restored_store = AttachStore(restored, dir);
    ASSERT_NE(restored_store, nullptr);
    RecordBatch rest(plan->schema);
    ASSERT_TRUE(restored.AdvanceWatermark(100, rest).ok());
    RecordBatch whole(plan->schema);
    ASSERT_TRUE(op.AdvanceWatermark(100, whole).ok());
    EXPECT_EQ(Rows(rest), Rows(whole));
    EXPECT_GT(whole.num_rows(), 0u);
  }
}

// Restored mid-close, the operator's next watermark may be past the close it was in (a stream
// read on): it finishes that close without the rows already out, then closes the rest.
TEST(WindowAggregateCloseTest, ARestoredCloseFinishesBeforeALaterWatermark) {
  auto plan = MakePlan({WindowType::kHop, 10, 5, 0});
  const std::vector<std::string> expected = AllAtOnce(*plan, 100);
  const std::string dir =
      ::testing::TempDir() + "/window_close_later_" + std::to_string(::getpid());
  EvalContext context;
  std::vector<std::string> rows = CloseOneSliceAndCheckpoint(*plan, context, dir, 100, 150).rows;
  ASSERT_EQ(rows.size(), 150u);
  WindowAggregateOperator op(*plan, context);
  auto store = AttachStore(op, dir);
  ASSERT_NE(store, nullptr);
  RecordBatch output(plan->schema);
  ASSERT_TRUE(op.AdvanceWatermark(200, output).ok());
  for (const std::string& row : Rows(output)) rows.push_back(row);
  EXPECT_EQ(rows, expected);
  EXPECT_EQ(op.num_groups(), 0u);
}

}  // namespace
}  // namespace sluice
