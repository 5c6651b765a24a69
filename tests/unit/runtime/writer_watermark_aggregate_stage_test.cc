// Stage 3 of a GROUP BY over a join with parallelism (WriterWatermarkAggregateStage): windows
// close at the least of the join workers' latest marks, only once every writer has sent one;
// rows never move the watermark; a restore keeps each writer's mark.

#include "runtime/pipeline/writer_watermark_aggregate_stage.h"

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "runtime/pipeline/stateful_stage.h"
#include "tests/unit/runtime/aggregate_test_util.h"
#include "tests/unit/runtime/window_aggregate_test_util.h"

namespace sluice {
namespace {

using testing::MakeInput;
using testing::MakePlan;

// TUMBLE(10) GROUP BY k over the grouped topic, as a stage-3 worker's plan has it.
std::unique_ptr<PhysicalPlan> StageThreePlan() {
  auto plan = std::make_unique<PhysicalPlan>();
  plan->parallelism = 2;
  plan->source.relation_schema = testing::InputSchema();
  plan->source.columns = {0, 1};
  plan->source.marks_by_writer = true;
  plan->operators.push_back(MakePlan(WindowSpec{WindowType::kTumble, 10, 0, 0}));
  return plan;
}

// A mark of `writer` at `watermark`, as the grouped topic's reader lists it.
std::vector<RecordMeta> Mark(int32_t writer, int64_t watermark) {
  return {RecordMeta{watermark, writer, 0, RowKind::kUpsert}};
}

TEST(WriterWatermarkAggregateStageTest, WindowsCloseAtTheLeastMarkOnceEveryWriterSentOne) {
  std::unique_ptr<PhysicalPlan> plan = StageThreePlan();
  EvalContext context;
  Result<std::unique_ptr<StatefulStage>> aggregate = StatefulStage::Create(*plan, 0, context);
  ASSERT_TRUE(aggregate.ok()) << aggregate.status().message();
  WriterWatermarkAggregateStage stage(**aggregate, 2);
  const Schema& schema = (*aggregate)->output_schema();

  // A row far ahead (a join's match) and writer 0's mark: writer 1 has sent none, nothing closes.
  RecordBatch output(schema);
  std::vector<RecordMeta> marks = Mark(0, 100);
  ASSERT_TRUE(stage.Process(MakeInput({{3, "a", 1}, {500, "b", 2}}), &marks, output).ok());
  EXPECT_EQ(output.num_rows(), 0u);
  EXPECT_EQ(stage.watermark(), WatermarkTracker::kNoWatermark);
  // Writer 1 at 5: the least mark is 5, and [0, 10) stays open for writer 1's later rows.
  marks = Mark(1, 5);
  ASSERT_TRUE(stage.Process(MakeInput({{7, "a", 4}}), &marks, output).ok());
  EXPECT_EQ(output.num_rows(), 0u);
  EXPECT_EQ(stage.watermark(), 5);
  // Writer 1 at 20: [0, 10) closes with both of a's rows.
  marks = Mark(1, 20);
  ASSERT_TRUE(stage.Process(RecordBatch(testing::InputSchema()), &marks, output).ok());
  ASSERT_EQ(output.num_rows(), 1u);
  EXPECT_EQ(output.column(3).GetInt64(0), 2);  // n
  EXPECT_EQ(stage.watermark(), 20);

  // Restored alone (its writers kept running): writer 1's mark still holds the watermark back
  // when writer 0 moves on.
  std::map<std::string, std::string> metadata;
  stage.SaveMetadata(metadata);
  Result<std::unique_ptr<StatefulStage>> restored_aggregate =
      StatefulStage::Create(*plan, 0, context);
  ASSERT_TRUE(restored_aggregate.ok());
  WriterWatermarkAggregateStage restored(**restored_aggregate, 2);
  restored.RestoreMetadata(metadata);
  EXPECT_EQ(restored.watermark(), 20);
  RecordBatch after(schema);
  marks = Mark(0, 1000);
  ASSERT_TRUE(restored.Process(MakeInput({{25, "c", 1}}), &marks, after).ok());
  EXPECT_EQ(restored.watermark(), 20);
  EXPECT_EQ(after.num_rows(), 0u);
}

}  // namespace
}  // namespace sluice
