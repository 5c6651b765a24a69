// WindowAggregateOperator over the windows of an upstream window aggregate (WindowType::
// kUpstream): each row's window comes from its window_start / window_end columns; a window
// closes on the watermark; rows of closed windows, NULL windows and empty windows are late; open
// groups survive a checkpoint and restore.

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "runtime/expression/expression_factory.h"
#include "runtime/operator/window_aggregate.h"

namespace sluice {
namespace {

Schema InputSchema() {
  Schema schema;
  schema.Add(Field{"k", DataType::Varchar()});
  schema.Add(Field{"n", DataType::Bigint()});
  schema.Add(Field{"window_start", DataType::Timestamp()});
  schema.Add(Field{"window_end", DataType::Timestamp()});
  return schema;
}

struct InputRow {
  std::string key;
  int64_t n;
  int64_t start;  // < 0: NULL
  int64_t end;
};

// Each row's event time is its window's end - 1, as a window aggregate writes it.
RecordBatch MakeInput(const std::vector<InputRow>& rows) {
  RecordBatch batch(InputSchema());
  int64_t offset = 0;
  for (const InputRow& row : rows) {
    batch.column(0).AppendString(row.key);
    batch.column(1).AppendInt64(row.n);
    if (row.start < 0) {
      batch.column(2).AppendNull();
      batch.column(3).AppendNull();
    } else {
      batch.column(2).AppendInt64(row.start);
      batch.column(3).AppendInt64(row.end);
    }
    batch.meta().push_back(RecordMeta{row.end - 1, 0, offset++, RowKind::kUpsert});
    batch.keys().emplace_back();
  }
  return batch;
}

// GROUP BY window_start, window_end, k with MAX(n).
std::unique_ptr<PhysicalAggregate> MakePlan() {
  auto plan = std::make_unique<PhysicalAggregate>();
  plan->window.type = WindowType::kUpstream;
  plan->window.start_column = 2;
  plan->window.end_column = 3;
  plan->keys.push_back(MakeColumnRef(0, DataType::Varchar()));
  AggregateCall max;
  max.function = AggregateFunction::kMax;
  max.argument = MakeColumnRef(1, DataType::Bigint());
  max.type = DataType::Bigint();
  plan->aggregates.push_back(std::move(max));
  plan->schema.Add(Field{"window_start", DataType::Timestamp()});
  plan->schema.Add(Field{"window_end", DataType::Timestamp()});
  plan->schema.Add(Field{"k", DataType::Varchar()});
  plan->schema.Add(Field{"maxn", DataType::Bigint()});
  return plan;
}

// "start end key max" per output row, times in ms.
std::vector<std::string> Rows(const RecordBatch& batch) {
  std::vector<std::string> rows;
  for (size_t row = 0; row < batch.num_rows(); ++row) {
    rows.push_back(std::to_string(batch.column(0).GetInt64(row)) + " " +
                   std::to_string(batch.column(1).GetInt64(row)) + " " +
                   std::string(batch.column(2).GetString(row)) + " " +
                   std::to_string(batch.column(3).GetInt64(row)));
  }
  return rows;
}

TEST(UpstreamWindowAggregateTest, GroupsByTheRowsWindowsAndClosesOnTheWatermark) {
  auto plan = MakePlan();
  EvalContext context;
  WindowAggregateOperator op(*plan, context);
  RecordBatch output(plan->schema);
  // Overlapping windows (a HOP's) are kept apart; nothing closes before the watermark.
  ASSERT_TRUE(
      op.Process(MakeInput({{"a", 3, 0, 10}, {"a", 5, 0, 10}, {"b", 2, 0, 10}, {"a", 1, 5, 15}}),
                 output)
          .ok());
  EXPECT_EQ(op.num_groups(), 3u);
  ASSERT_TRUE(op.AdvanceWatermark(9, output).ok());
  EXPECT_EQ(output.num_rows(), 0u);
  ASSERT_TRUE(op.AdvanceWatermark(10, output).ok());
  EXPECT_EQ(Rows(output), (std::vector<std::string>{"0 10 a 5", "0 10 b 2"}));
  // The closed window is forgotten; its rows are late now, as are rows without a window and
  // rows of an empty window.
  EXPECT_EQ(op.num_groups(), 1u);
  RecordBatch more(plan->schema);
  ASSERT_TRUE(
      op.Process(MakeInput({{"a", 9, 0, 10}, {"c", 1, -1, 12}, {"c", 1, 12, 12}}), more).ok());
  EXPECT_EQ(op.late_records(), 3);
  EXPECT_EQ(op.num_groups(), 1u);
  ASSERT_TRUE(op.AdvanceWatermark(15, more).ok());
  EXPECT_EQ(Rows(more), (std::vector<std::string>{"5 15 a 1"}));
  EXPECT_EQ(more.meta()[0].timestamp, 14);  // window_end - 1
}

TEST(UpstreamWindowAggregateTest, OpenWindowsSurviveACheckpoint) {
  auto plan = MakePlan();
  const std::string dir =
      ::testing::TempDir() + "/upstream_window_checkpoint_" + std::to_string(::getpid());
  std::filesystem::remove_all(dir);
  EvalContext context;
  {
    auto store = StateStore::Open(dir, {});
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    auto table = (*store)->Table("aggregate");
    ASSERT_TRUE(table.ok());
    WindowAggregateOperator op(*plan, context);
    ASSERT_TRUE(op.AttachState(*table).ok());
    RecordBatch output(plan->schema);
    ASSERT_TRUE(op.Process(MakeInput({{"a", 3, 0, 10}, {"a", 4, 10, 20}}), output).ok());
    ASSERT_TRUE(op.AdvanceWatermark(10, output).ok());  // closes [0, 10)
    ASSERT_TRUE(op.PrepareCheckpoint().ok());
    ASSERT_TRUE((*store)->Commit(CheckpointManifest{1, 0, {}, {}, {}}).ok());
  }
  auto store = StateStore::Open(dir, {});
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  auto table = (*store)->Table("aggregate");
  ASSERT_TRUE(table.ok());
  WindowAggregateOperator restored(*plan, context);
  ASSERT_TRUE(restored.AttachState(*table).ok());
  EXPECT_EQ(restored.num_groups(), 1u);  // only the open window [10, 20)
  RecordBatch output(plan->schema);
  ASSERT_TRUE(restored.Process(MakeInput({{"a", 7, 10, 20}}), output).ok());
  ASSERT_TRUE(restored.AdvanceWatermark(20, output).ok());
  EXPECT_EQ(Rows(output), (std::vector<std::string>{"10 20 a 7"}));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace sluice
