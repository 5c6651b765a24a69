// The repartition topic of a parallel GROUP BY: RepartitionSink (stage 1) routes each row to the
// stage-2 worker owning its group key and forwards event time as watermark marks; a repartitioned
// LocalLogSource (stage 2) reads its share back with each row's source partition and lists the
// marks among the rows in read order.

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <map>
#include <set>

#include "common/json_codec.h"
#include "runtime/connector/local_log_source.h"
#include "runtime/connector/repartition_sink.h"
#include "runtime/pipeline/watermark_tracker.h"
#include "runtime/plan/physical_aggregate.h"
#include "runtime/plan/physical_join.h"
#include "runtime/plan/repartition_plan.h"
#include "storage/log/partitioner.h"

namespace sluice {
namespace {

constexpr int32_t kWorkers = 2;

class RepartitionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/sluice_repartition_XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    dir_ = pattern;
    Result<std::unique_ptr<LocalLogStore>> store = LocalLogStore::Open(dir_);
    ASSERT_TRUE(store.ok());
    ASSERT_TRUE((*store)->CreateTopic(RepartitionTopicName(9), kWorkers * kWorkers).ok());
    rows_ = Schema({Field{"c0", DataType::Varchar()}, Field{"c1", DataType::Bigint()}});
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::unique_ptr<RepartitionSink> OpenSink(int32_t writer) {
    std::vector<std::unique_ptr<Expression>> keys;
    keys.push_back(std::make_unique<ColumnRefExpression>(0, DataType::Varchar(), -1));
    Result<std::unique_ptr<RepartitionSink>> sink = RepartitionSink::Open(
        RepartitionTopicName(9), writer, kWorkers, rows_, std::move(keys), dir_);
    EXPECT_TRUE(sink.ok()) << sink.status().message();
    return sink.ok() ? std::move(*sink) : nullptr;
  }

  // `bounded`: stage 2 of 'ending.position'='latest', ending at its writers' end marks;
  // `marks_by_writer`: stage 3 of a GROUP BY over a join, whose marks name their writer.
  std::unique_ptr<LocalLogSource> OpenSource(int32_t group, bool bounded = false,
                                             bool marks_by_writer = false) {
    SourceSpec spec;
    spec.end_at_latest = bounded;
    spec.marks_by_writer = marks_by_writer;
    spec.relation = "repartition";
    spec.topic = RepartitionTopicName(9);
    spec.partitions = kWorkers * kWorkers;
    spec.relation_schema = rows_;
    spec.columns = {0, 1};
    spec.repartitioned = true;
    spec.worker_index = group;
    spec.worker_count = kWorkers;
    Result<std::unique_ptr<LocalLogSource>> source = LocalLogSource::Open(spec, dir_);
    EXPECT_TRUE(source.ok()) << source.status().message();
    return source.ok() ? std::move(*source) : nullptr;
  }

  // Rows (key, value) read from source partition `partition` at event times `times`.
  RecordBatch Batch(const std::vector<std::pair<std::string, int64_t>>& rows, int32_t partition,
                    const std::vector<int64_t>& times) {
    RecordBatch batch(rows_);
    for (size_t row = 0; row < rows.size(); ++row) {
      batch.column(0).AppendString(rows[row].first);
      batch.column(1).AppendInt64(rows[row].second);
      batch.meta().push_back(RecordMeta{times[row], partition, static_cast<int64_t>(row)});
      batch.keys().emplace_back();
    }
    return batch;
  }

  std::string dir_;
  Schema rows_;
};

TEST_F(RepartitionTest, RowsGoToTheirKeysWorkerWithOriginAndMarksFollow) {
  std::unique_ptr<RepartitionSink> sink = OpenSink(1);
  ASSERT_NE(sink, nullptr);
  ASSERT_TRUE(sink->BeginStaging({}).value());
  // Source partition 3 was read up to event time 900, though a WHERE dropped that last row.
  RecordBatch read =
      Batch({{"a", 1}, {"b", 2}, {"a", 3}, {"c", 4}, {"x", 5}}, 3, {100, 200, 300, 400, 900});
  sink->ObserveRead(read.meta());
  RecordBatch kept = Batch({{"a", 1}, {"b", 2}, {"a", 3}, {"c", 4}}, 3, {100, 200, 300, 400});
  ASSERT_TRUE(sink->Write(kept).ok());
  ASSERT_TRUE(sink->Flush().ok());
  // Unpublished: stage 2 sees nothing before the commit publishes it.
  {
    std::unique_ptr<LocalLogSource> source = OpenSource(0);
    RecordBatch batch(rows_);
    ASSERT_TRUE(source->Poll(100, batch).ok());
    EXPECT_EQ(batch.num_rows(), 0u);
  }
  ASSERT_TRUE(sink->Publish().ok());
  // Writer 1 owns partitions 2 and 3 only.
  const SinkPositions ends = sink->staged_positions();
  const std::vector<int64_t>& topic_ends = ends.at(RepartitionTopicName(9));
  EXPECT_EQ(topic_ends[0], -1);
  EXPECT_EQ(topic_ends[1], -1);

  std::map<std::string, int32_t> group_of;
  std::multiset<int64_t> values;
  for (int32_t group = 0; group < kWorkers; ++group) {
    std::unique_ptr<LocalLogSource> source = OpenSource(group);
    ASSERT_NE(source, nullptr);
    RecordBatch batch(rows_);
    ASSERT_TRUE(source->Poll(100, batch).ok());
    const std::vector<RecordMeta>* order = source->read_meta();
    ASSERT_NE(order, nullptr);
    // Rows, then one mark for source partition 3 at the largest event time read (900).
    ASSERT_EQ(order->size(), batch.num_rows() + 1);
    EXPECT_EQ(order->back().partition, 3);
    EXPECT_EQ(order->back().timestamp, 900);
    for (size_t row = 0; row < batch.num_rows(); ++row) {
      const std::string key(batch.column(0).GetString(row));
      auto [it, inserted] = group_of.emplace(key, group);
      EXPECT_EQ(it->second, group) << "key " << key << " read by two workers";
      values.insert(batch.column(1).GetInt64(row));
      EXPECT_EQ(batch.meta()[row].partition, 3);  // the source partition, not the topic's
      EXPECT_EQ(batch.meta()[row].timestamp, batch.column(1).GetInt64(row) * 100);
    }
    // Positions: only this group's partitions (w * 2 + group) are read.
    std::vector<int64_t> positions = source->positions();
    EXPECT_EQ(positions[static_cast<size_t>(1 - group)], -1);
    EXPECT_EQ(positions[static_cast<size_t>(3 - group)], -1);
  }
  EXPECT_EQ(values, (std::multiset<int64_t>{1, 2, 3, 4}));
}

TEST_F(RepartitionTest, ARestartCutsWhatTheLastCommitDidNotCover) {
  SinkPositions committed;
  {
    std::unique_ptr<RepartitionSink> sink = OpenSink(0);
    ASSERT_TRUE(sink->BeginStaging({}).value());
    RecordBatch batch = Batch({{"a", 1}, {"b", 2}}, 0, {10, 20});
    sink->ObserveRead(batch.meta());
    ASSERT_TRUE(sink->Write(batch).ok());
    committed = sink->staged_positions();
    ASSERT_TRUE(sink->Publish().ok());
    RecordBatch lost = Batch({{"a", 3}, {"b", 4}}, 0, {30, 40});
    sink->ObserveRead(lost.meta());
    ASSERT_TRUE(sink->Write(lost).ok());  // staged, never committed: the worker "dies"
  }
  std::unique_ptr<RepartitionSink> restarted = OpenSink(0);
  ASSERT_TRUE(restarted->BeginStaging(committed).value());
  EXPECT_EQ(restarted->staged_positions(), committed);
  int64_t rows = 0;
  for (int32_t group = 0; group < kWorkers; ++group) {
    std::unique_ptr<LocalLogSource> source = OpenSource(group);
    RecordBatch batch(rows_);
    ASSERT_TRUE(source->Poll(100, batch).ok());
    rows += static_cast<int64_t>(batch.num_rows());
    for (const RecordMeta& mark : *source->read_meta()) EXPECT_LE(mark.timestamp, 20);
  }
  EXPECT_EQ(rows, 2);
}

// A temporal join's changelog side: deletes keep their kind through the topic, and the writer
// announces once, after its rows, that it has read its share.
TEST_F(RepartitionTest, DeletesAndCaughtUpMarksReachStageTwo) {
  std::unique_ptr<RepartitionSink> quiet = OpenSink(0);
  ASSERT_TRUE(quiet->BeginStaging({}).value());
  EXPECT_FALSE(quiet->ObserveCaughtUp().value());  // not a temporal join's changelog writer

  std::unique_ptr<RepartitionSink> sink = OpenSink(1);
  ASSERT_TRUE(sink->BeginStaging({}).value());
  sink->set_announce_caught_up(true);
  RecordBatch batch = Batch({{"a", 1}, {"a", 2}, {"b", 3}}, 0, {10, 20, 30});
  batch.meta()[1].kind = RowKind::kDelete;
  sink->ObserveRead(batch.meta());
  ASSERT_TRUE(sink->Write(batch).ok());
  EXPECT_TRUE(sink->ObserveCaughtUp().value());
  EXPECT_FALSE(sink->ObserveCaughtUp().value());  // once per worker life
  ASSERT_TRUE(sink->Publish().ok());

  std::multiset<std::pair<int64_t, bool>> rows;  // value, deleted
  for (int32_t group = 0; group < kWorkers; ++group) {
    std::unique_ptr<LocalLogSource> source = OpenSource(group);
    RecordBatch read(rows_);
    ASSERT_TRUE(source->Poll(100, read).ok());
    for (size_t row = 0; row < read.num_rows(); ++row) {
      rows.emplace(read.column(1).GetInt64(row), read.meta()[row].kind == RowKind::kDelete);
    }
    // Every stage-2 worker hears writer 1, after the rows.
    ASSERT_NE(source->caught_up_writers(), nullptr);
    EXPECT_EQ(*source->caught_up_writers(), std::vector<int32_t>{1});
    RecordBatch more(rows_);
    ASSERT_TRUE(source->Poll(100, more).ok());
    EXPECT_EQ(more.num_rows(), 0u);
    EXPECT_TRUE(source->caught_up_writers()->empty());
  }
  EXPECT_EQ(rows, (std::multiset<std::pair<int64_t, bool>>{{1, false}, {2, true}, {3, false}}));
}

// A writer's marks count in the order read: a start mark after its caught-up mark (a new life,
// e.g. after RESTART QUERY) makes it a restarted writer, not a caught-up one, until its next
// caught-up mark, even within one poll.
TEST_F(RepartitionTest, AStartMarkAfterACaughtUpMarkUndoesIt) {
  const std::vector<uint8_t> unread = {0, 0, 0, 0};
  std::unique_ptr<RepartitionSink> first = OpenSink(1);
  ASSERT_TRUE(first->BeginStaging({}).value());
  first->set_announce_caught_up(true);
  first->set_announce_start(true);
  ASSERT_TRUE(first->ObserveStart(&unread).value());
  ASSERT_TRUE(first->ObserveCaughtUp().value());
  ASSERT_TRUE(first->Publish().ok());
  std::unique_ptr<RepartitionSink> second = OpenSink(1);
  ASSERT_TRUE(second->BeginStaging(first->staged_positions()).value());
  second->set_announce_caught_up(true);
  second->set_announce_start(true);
  ASSERT_TRUE(second->ObserveStart(&unread).value());
  ASSERT_TRUE(second->Publish().ok());

  std::unique_ptr<LocalLogSource> source = OpenSource(0);
  RecordBatch batch(rows_);
  ASSERT_TRUE(source->Poll(100, batch).ok());
  EXPECT_TRUE(source->caught_up_writers()->empty());
  EXPECT_EQ(*source->restarted_writers(), std::vector<int32_t>{1});
  ASSERT_TRUE(second->ObserveCaughtUp().value());
  ASSERT_TRUE(second->Publish().ok());
  RecordBatch more(rows_);
  ASSERT_TRUE(source->Poll(100, more).ok());
  EXPECT_EQ(*source->caught_up_writers(), std::vector<int32_t>{1});
  EXPECT_TRUE(source->restarted_writers()->empty());
}

// A writer's start mark comes first in each of its partitions: stage 2 reads it as holds of the
// source partitions the writer had unread records of, then the writer's start. A held partition
// read past its records without a row is released by a mark without event time.
TEST_F(RepartitionTest, StartMarksHoldUnreadPartitionsInStageTwo) {
  std::unique_ptr<RepartitionSink> quiet = OpenSink(0);
  ASSERT_TRUE(quiet->BeginStaging({}).value());
  const std::vector<uint8_t> unread_none = {0, 0, 0, 0};
  EXPECT_FALSE(quiet->ObserveStart(&unread_none).value());  // not a stage-1 writer

  std::unique_ptr<RepartitionSink> sink = OpenSink(1);
  ASSERT_TRUE(sink->BeginStaging({}).value());
  sink->set_announce_start(true);
  std::vector<uint8_t> unread = {0, 1, 0, 1};  // source partitions 1 and 3 had records
  EXPECT_TRUE(sink->ObserveStart(&unread).value());
  EXPECT_FALSE(sink->ObserveStart(&unread).value());  // once per worker life
  RecordBatch batch = Batch({{"a", 1}}, 1, {500});
  sink->ObserveRead(batch.meta());
  ASSERT_TRUE(sink->Write(batch).ok());
  unread = {0, 0, 0, 0};  // partition 3 was read to its start end without a row
  ASSERT_TRUE(sink->Flush().ok());
  ASSERT_TRUE(sink->Publish().ok());

  for (int32_t group = 0; group < kWorkers; ++group) {
    std::unique_ptr<LocalLogSource> source = OpenSource(group);
    RecordBatch read(rows_);
    ASSERT_TRUE(source->Poll(100, read).ok());
    std::vector<std::pair<int32_t, int64_t>> marks;  // (partition, event time) of non-rows
    for (const RecordMeta& meta : *source->read_meta()) {
      if (meta.timestamp != 500) marks.emplace_back(meta.partition, meta.timestamp);
    }
    const std::vector<std::pair<int32_t, int64_t>> want = {
        {1, WatermarkTracker::kHeldTime},
        {3, WatermarkTracker::kHeldTime},
        {1, WatermarkTracker::kWriterStartTime},  // partition = the writer
        {3, WatermarkTracker::kNoWatermark}};     // released
    EXPECT_EQ(marks, want) << "stage-2 worker " << group;
  }
}

// The stage-2 worker that owns group key `key`, as the sink routes it.
int32_t WorkerOf(const std::string& key) {
  std::string encoded;
  AppendValueJson(Value::Varchar(key), encoded);
  encoded.push_back('\x1f');
  return PartitionForKey(encoded, kWorkers);
}

// Over a changelog (c0: the group key, c1: the primary key), stage 1 sends a key's row to its
// group's worker and, when the group moved to another worker, a delete to the old one first; a
// delete goes where the key last went. Its routes are checkpointed state: a restarted writer
// still retracts a key from the worker it sent it to before the restart.
TEST_F(RepartitionTest, ChangelogKeysAreRetractedFromTheWorkerOfTheirPreviousGroup) {
  std::string here = "a";
  std::string there = "b";
  while (WorkerOf(there) == WorkerOf(here)) there.push_back('b');
  const auto restore = [&](StateStore& store) {
    std::unique_ptr<RepartitionSink> sink = OpenSink(0);
    sink->RouteByPrimaryKey({1}, "ch (topic 'ch')");
    EXPECT_TRUE(sink->checkpointed_state()->AttachState(store).ok());
    EXPECT_TRUE(sink->BeginStaging({}).value());
    return sink;
  };
  std::vector<std::vector<std::pair<int64_t, bool>>> sent(kWorkers);  // per worker: key, deleted
  const auto read_back = [&]() {
    for (int32_t group = 0; group < kWorkers; ++group) {
      std::unique_ptr<LocalLogSource> source = OpenSource(group);
      RecordBatch read(rows_);
      ASSERT_TRUE(source->Poll(100, read).ok());
      for (size_t row = 0; row < read.num_rows(); ++row) {
        sent[static_cast<size_t>(group)].emplace_back(read.column(1).GetInt64(row),
                                                      read.meta()[row].kind == RowKind::kDelete);
      }
    }
  };
  {
    Result<std::unique_ptr<StateStore>> store = StateStore::Open(dir_ + "/state", {});
    ASSERT_TRUE(store.ok());
    std::unique_ptr<RepartitionSink> sink = restore(**store);
    // Key 1 stays in `here`; key 2 moves from `here` to `there`; key 3 is deleted; key 4 is a
    // delete of a key never sent (nothing goes out).
    RecordBatch batch =
        Batch({{here, 1}, {here, 2}, {here, 3}, {here, 1}, {there, 2}, {"", 3}, {"", 4}}, 0,
              {1, 2, 3, 4, 5, 6, 7});
    batch.meta()[5].kind = RowKind::kDelete;
    batch.meta()[6].kind = RowKind::kDelete;
    ASSERT_TRUE(sink->Write(batch).ok());
    ASSERT_TRUE(sink->checkpointed_state()->PrepareCheckpoint().ok());
    CheckpointManifest manifest;
    manifest.checkpoint_id = 1;
    ASSERT_TRUE((*store)->Commit(manifest).ok());
    ASSERT_TRUE(sink->Publish().ok());
  }
  read_back();
  const auto h = static_cast<size_t>(WorkerOf(here));
  const auto t = static_cast<size_t>(WorkerOf(there));
  EXPECT_EQ(sent[h], (std::vector<std::pair<int64_t, bool>>{
                         {1, false}, {2, false}, {3, false}, {1, false}, {2, true}, {3, true}}));
  EXPECT_EQ(sent[t], (std::vector<std::pair<int64_t, bool>>{{2, false}}));

  // A new life of the writer: key 2 goes back to `here`, retracted from `there` (known only from
  // the restored routes); key 3, forgotten, comes back as new.
  Result<std::unique_ptr<StateStore>> store = StateStore::Open(dir_ + "/state", {});
  ASSERT_TRUE(store.ok());
  std::unique_ptr<RepartitionSink> sink = restore(**store);
  RecordBatch batch = Batch({{here, 2}, {there, 3}}, 0, {8, 9});
  ASSERT_TRUE(sink->Write(batch).ok());
  ASSERT_TRUE(sink->Publish().ok());
  for (auto& worker : sent) worker.clear();
  read_back();
  EXPECT_EQ(sent[h],
            (std::vector<std::pair<int64_t, bool>>{
                {1, false}, {2, false}, {3, false}, {1, false}, {2, true}, {3, true}, {2, false}}));
  EXPECT_EQ(sent[t], (std::vector<std::pair<int64_t, bool>>{{2, false}, {2, true}, {3, false}}));

  // Versions of one key from two source partitions: another writer may hold the key too.
  RecordBatch elsewhere = Batch({{here, 1}}, 2, {10});
  Status status = sink->Write(elsewhere);
  EXPECT_EQ(status.message(),
            "key (1) of ch (topic 'ch'): versions of one key were read from partitions 0 and 2: "
            "with 'parallelism' > 1 every version of a changelog's key must be in one partition "
            "(produce its records keyed by its key columns), or use 'parallelism'=1");
}

// 'ending.position'='latest' with parallelism: each writer's end mark is its last record, and
// stage 2 ends once it has read every writer's, also when it resumes past them.
TEST_F(RepartitionTest, StageTwoEndsAtEveryWritersEndMark) {
  std::unique_ptr<RepartitionSink> first = OpenSink(0);
  std::unique_ptr<RepartitionSink> second = OpenSink(1);
  ASSERT_TRUE(first->BeginStaging({}).value());
  ASSERT_TRUE(second->BeginStaging({}).value());
  RecordBatch rows = Batch({{"a", 1}, {"b", 2}}, 0, {10, 20});
  first->ObserveRead(rows.meta());
  ASSERT_TRUE(first->Write(rows).ok());
  EXPECT_TRUE(first->ObserveEnd().value());
  EXPECT_FALSE(first->ObserveEnd().value());  // once
  ASSERT_TRUE(first->Publish().ok());

  std::unique_ptr<LocalLogSource> source = OpenSource(0, /*bounded=*/true);
  RecordBatch read(rows_);
  ASSERT_TRUE(source->Poll(100, read).ok());
  EXPECT_FALSE(source->exhausted());  // writer 1 has not ended
  // A writer that ended has read everything it ever will: caught up as well.
  EXPECT_EQ(*source->caught_up_writers(), std::vector<int32_t>{0});

  RecordBatch more = Batch({{"a", 3}}, 1, {30});
  second->ObserveRead(more.meta());
  ASSERT_TRUE(second->Write(more).ok());
  EXPECT_TRUE(second->ObserveEnd().value());
  const SinkPositions committed = second->staged_positions();
  ASSERT_TRUE(second->Publish().ok());
  ASSERT_TRUE(source->Poll(100, read).ok());
  EXPECT_TRUE(source->exhausted());
  const std::vector<int64_t> positions = source->positions();

  // Restarted after its committed end mark, a writer appends nothing, not even a caught-up mark.
  std::unique_ptr<RepartitionSink> restarted = OpenSink(1);
  ASSERT_TRUE(restarted->BeginStaging(committed).value());
  restarted->set_announce_caught_up(true);
  EXPECT_FALSE(restarted->ObserveCaughtUp().value());
  EXPECT_FALSE(restarted->ObserveEnd().value());
  EXPECT_EQ(restarted->staged_positions(), committed);

  // Resumed past both end marks: ended at once, both writers caught up.
  std::unique_ptr<LocalLogSource> resumed = OpenSource(0, /*bounded=*/true);
  ASSERT_TRUE(resumed->Seek(positions).ok());
  EXPECT_TRUE(resumed->exhausted());
  RecordBatch none(rows_);
  ASSERT_TRUE(resumed->Poll(100, none).ok());
  EXPECT_EQ(none.num_rows(), 0u);
  EXPECT_EQ(*resumed->caught_up_writers(), (std::vector<int32_t>{0, 1}));
  // An unbounded reader of the same topic never ends.
  EXPECT_FALSE(OpenSource(0)->exhausted());
}

// Stage 2 of a GROUP BY over a join writes its watermark as marks naming the writer; the stage-3
// reader lists only those marks (a row moves no watermark there), with the writer as partition.
TEST_F(RepartitionTest, JoinWorkersMarksNameTheWriterAndRowsStayOutOfTheMarks) {
  std::unique_ptr<RepartitionSink> sink = OpenSink(1);
  ASSERT_NE(sink, nullptr);
  ASSERT_TRUE(sink->BeginStaging({}).value());
  EXPECT_TRUE(sink->ObserveWatermark(250));
  // A row far ahead of the join's watermark (a match) must not move stage 3's.
  ASSERT_TRUE(sink->Write(Batch({{"a", 1}, {"b", 2}}, 0, {5000, 300})).ok());
  EXPECT_FALSE(sink->ObserveWatermark(200));  // behind the last mark: nothing new
  ASSERT_TRUE(sink->Flush().ok());
  ASSERT_TRUE(sink->Publish().ok());
  size_t rows = 0;
  for (int32_t group = 0; group < kWorkers; ++group) {
    std::unique_ptr<LocalLogSource> source =
        OpenSource(group, /*bounded=*/false, /*marks_by_writer=*/true);
    ASSERT_NE(source, nullptr);
    RecordBatch batch(rows_);
    ASSERT_TRUE(source->Poll(100, batch).ok());
    rows += batch.num_rows();
    const std::vector<RecordMeta>* marks = source->read_meta();
    ASSERT_NE(marks, nullptr);
    ASSERT_EQ(marks->size(), 1u);
    EXPECT_EQ(marks->front().partition, 1);  // the writer
    EXPECT_EQ(marks->front().timestamp, 250);
  }
  EXPECT_EQ(rows, 2u);
}

TEST_F(RepartitionTest, SinkRefusesAMissingTopic) {
  Result<std::unique_ptr<RepartitionSink>> sink =
      RepartitionSink::Open(RepartitionTopicName(10), 0, kWorkers, rows_, {}, dir_);
  ASSERT_FALSE(sink.ok());
  EXPECT_NE(sink.status().message().find("repartition topic '_sluice_repartition_10' is missing"),
            std::string::npos);
}

// A join's plan with 'parallelism'=2: workers 0-1 read the left side, 2-3 the right side, each
// writing its side's repartition topic by its side's key; 4-5 join both topics' shares.
std::unique_ptr<PhysicalPlan> JoinPlan() {
  auto plan = std::make_unique<PhysicalPlan>();
  plan->query_id = 9;
  plan->parallelism = kWorkers;
  plan->repartition_topic = RepartitionTopicName(9);
  plan->source.topic = "clicks";
  plan->source.partitions = 4;
  plan->source.relation_schema =
      Schema({Field{"user", DataType::Varchar()}, Field{"page", DataType::Varchar()}});
  plan->source.columns = {0, 1};
  SourceSpec right;
  right.topic = "views";
  right.partitions = 2;
  right.relation_schema =
      Schema({Field{"ad", DataType::Varchar()}, Field{"user", DataType::Varchar()}});
  right.columns = {0, 1};
  plan->join_source = right;
  auto join = std::make_unique<PhysicalJoin>();
  join->left_keys.push_back(std::make_unique<ColumnRefExpression>(0, DataType::Varchar(), -1));
  join->right_keys.push_back(std::make_unique<ColumnRefExpression>(1, DataType::Varchar(), -1));
  plan->operators.push_back(std::move(join));
  return plan;
}

TEST(RepartitionPlanTest, JoinWorkersSplitIntoThreeGroups) {
  EXPECT_EQ(JoinPlan()->worker_groups(), 3);
  EXPECT_EQ(JoinPlan()->worker_count(), 3 * kWorkers);
  EXPECT_EQ(RepartitionTopics(*JoinPlan()),
            (std::vector<std::string>{"_sluice_repartition_9", "_sluice_repartition_9_right"}));

  std::unique_ptr<PhysicalPlan> left = JoinPlan();
  Result<RepartitionStage> stage = SplitRepartitionedPlan(*left, 1);
  ASSERT_TRUE(stage.ok()) << stage.status().message();
  EXPECT_EQ(stage->stage, 1);
  EXPECT_EQ(stage->index, 1);
  EXPECT_EQ(stage->topic, "_sluice_repartition_9");
  EXPECT_EQ(left->source.topic, "clicks");
  EXPECT_EQ(left->source.worker_index, 1);
  EXPECT_FALSE(left->join_source.has_value());
  EXPECT_TRUE(left->operators.empty());
  ASSERT_EQ(stage->keys.size(), 1u);
  EXPECT_EQ(stage->rows.field(1).name, "c1");

  std::unique_ptr<PhysicalPlan> right = JoinPlan();
  stage = SplitRepartitionedPlan(*right, 2);
  ASSERT_TRUE(stage.ok()) << stage.status().message();
  EXPECT_EQ(stage->stage, 1);
  EXPECT_EQ(stage->index, 0);
  EXPECT_EQ(stage->topic, "_sluice_repartition_9_right");
  EXPECT_EQ(right->source.topic, "views");
  EXPECT_EQ(right->source.worker_count, kWorkers);
  // The right side's key is its column 1.
  EXPECT_EQ(static_cast<const ColumnRefExpression&>(*stage->keys[0]).index(), 1);

  std::unique_ptr<PhysicalPlan> joiner = JoinPlan();
  stage = SplitRepartitionedPlan(*joiner, 5);
  ASSERT_TRUE(stage.ok()) << stage.status().message();
  EXPECT_EQ(stage->stage, 2);
  EXPECT_EQ(joiner->source.topic, "_sluice_repartition_9");
  EXPECT_TRUE(joiner->source.repartitioned);
  EXPECT_EQ(joiner->source.worker_index, 1);
  EXPECT_EQ(joiner->source.partitions, kWorkers * kWorkers);
  ASSERT_TRUE(joiner->join_source.has_value());
  EXPECT_EQ(joiner->join_source->topic, "_sluice_repartition_9_right");
  EXPECT_TRUE(joiner->join_source->repartitioned);
  EXPECT_EQ(joiner->join_source->batch_schema().size(), 2u);
  ASSERT_EQ(joiner->operators.size(), 1u);
  EXPECT_EQ(joiner->operators[0]->kind(), PhysicalOperatorKind::kJoin);

  std::unique_ptr<PhysicalPlan> beyond = JoinPlan();
  EXPECT_FALSE(SplitRepartitionedPlan(*beyond, 6).ok());
}

// JoinPlan() with COUNT(*) GROUP BY the page (join output column 1): workers 4-5 join and write
// the grouped topic by the group key, 6-7 aggregate it.
std::unique_ptr<PhysicalPlan> JoinGroupByPlan() {
  std::unique_ptr<PhysicalPlan> plan = JoinPlan();
  auto& join = static_cast<PhysicalJoin&>(*plan->operators[0]);
  join.schema = Schema({Field{"user", DataType::Varchar()}, Field{"page", DataType::Varchar()},
                        Field{"ad", DataType::Varchar()}});
  auto aggregate = std::make_unique<PhysicalAggregate>();
  aggregate->keys.push_back(std::make_unique<ColumnRefExpression>(1, DataType::Varchar(), -1));
  aggregate->schema = Schema({Field{"page", DataType::Varchar()}, Field{"n", DataType::Bigint()}});
  plan->operators.push_back(std::move(aggregate));
  return plan;
}

TEST(RepartitionPlanTest, GroupByOverAJoinSplitsIntoFourGroups) {
  EXPECT_EQ(JoinGroupByPlan()->worker_groups(), 4);
  EXPECT_EQ(JoinGroupByPlan()->worker_count(), 4 * kWorkers);
  EXPECT_EQ(RepartitionTopics(*JoinGroupByPlan()),
            (std::vector<std::string>{"_sluice_repartition_9", "_sluice_repartition_9_right",
                                      "_sluice_repartition_9_grouped"}));

  std::unique_ptr<PhysicalPlan> left = JoinGroupByPlan();
  Result<RepartitionStage> stage = SplitRepartitionedPlan(*left, 0);
  ASSERT_TRUE(stage.ok()) << stage.status().message();
  EXPECT_EQ(stage->stage, 1);
  EXPECT_TRUE(left->operators.empty());

  std::unique_ptr<PhysicalPlan> joiner = JoinGroupByPlan();
  stage = SplitRepartitionedPlan(*joiner, 5);
  ASSERT_TRUE(stage.ok()) << stage.status().message();
  EXPECT_EQ(stage->stage, 2);
  EXPECT_EQ(stage->index, 1);
  EXPECT_EQ(stage->topic, "_sluice_repartition_9_grouped");
  EXPECT_EQ(stage->rows.size(), 3u);
  ASSERT_EQ(stage->keys.size(), 1u);
  EXPECT_EQ(static_cast<const ColumnRefExpression&>(*stage->keys[0]).index(), 1);
  ASSERT_EQ(joiner->operators.size(), 1u);
  EXPECT_EQ(joiner->operators[0]->kind(), PhysicalOperatorKind::kJoin);
  ASSERT_TRUE(joiner->join_source.has_value());

  std::unique_ptr<PhysicalPlan> aggregator = JoinGroupByPlan();
  stage = SplitRepartitionedPlan(*aggregator, 7);
  ASSERT_TRUE(stage.ok()) << stage.status().message();
  EXPECT_EQ(stage->stage, 3);
  EXPECT_EQ(stage->index, 1);
  EXPECT_TRUE(stage->topic.empty());  // it writes the plan's sink
  EXPECT_EQ(aggregator->source.topic, "_sluice_repartition_9_grouped");
  EXPECT_TRUE(aggregator->source.repartitioned);
  EXPECT_TRUE(aggregator->source.marks_by_writer);
  EXPECT_EQ(aggregator->source.worker_index, 1);
  EXPECT_EQ(aggregator->source.batch_schema().size(), 3u);
  EXPECT_FALSE(aggregator->join_source.has_value());
  ASSERT_EQ(aggregator->operators.size(), 1u);
  EXPECT_EQ(aggregator->operators[0]->kind(), PhysicalOperatorKind::kAggregate);

  std::unique_ptr<PhysicalPlan> beyond = JoinGroupByPlan();
  EXPECT_FALSE(SplitRepartitionedPlan(*beyond, 8).ok());
}

// JoinGroupByPlan() into a materialized view keyed by page: workers 6-7 aggregate into the view
// topic by the view key, worker 8 (the view worker) reads all of it into the view store.
TEST(RepartitionPlanTest, AViewAddsOneViewWorkerAfterTheGroups) {
  auto view_plan = []() {
    std::unique_ptr<PhysicalPlan> plan = JoinGroupByPlan();
    plan->sink.kind = SinkKind::kView;
    plan->sink.schema = plan->output_schema();
    plan->sink.key_columns = {0};
    return plan;
  };
  EXPECT_TRUE(view_plan()->has_view_worker());
  EXPECT_FALSE(JoinGroupByPlan()->has_view_worker());
  EXPECT_EQ(view_plan()->worker_groups(), 4);
  EXPECT_EQ(view_plan()->worker_count(), 4 * kWorkers + 1);
  EXPECT_EQ(RepartitionTopics(*view_plan()).back(), "_sluice_repartition_9_view");

  std::unique_ptr<PhysicalPlan> aggregator = view_plan();
  Result<RepartitionStage> stage = SplitRepartitionedPlan(*aggregator, 7);
  ASSERT_TRUE(stage.ok()) << stage.status().message();
  EXPECT_EQ(stage->stage, 3);
  EXPECT_EQ(stage->index, 1);
  EXPECT_EQ(stage->topic, "_sluice_repartition_9_view");
  EXPECT_FALSE(stage->forward_event_time);
  EXPECT_EQ(stage->rows.size(), 2u);
  ASSERT_EQ(stage->keys.size(), 1u);
  EXPECT_EQ(static_cast<const ColumnRefExpression&>(*stage->keys[0]).index(), 0);
  EXPECT_EQ(aggregator->sink.kind, SinkKind::kLocalLog);
  EXPECT_EQ(aggregator->sink.partitions, kWorkers * kWorkers);
  ASSERT_EQ(aggregator->operators.size(), 1u);

  std::unique_ptr<PhysicalPlan> applier = view_plan();
  stage = SplitRepartitionedPlan(*applier, 4 * kWorkers);
  ASSERT_TRUE(stage.ok()) << stage.status().message();
  EXPECT_EQ(stage->stage, 4);
  EXPECT_TRUE(stage->topic.empty());  // it writes the view store
  EXPECT_EQ(applier->sink.kind, SinkKind::kView);
  EXPECT_EQ(applier->source.topic, "_sluice_repartition_9_view");
  EXPECT_TRUE(applier->source.repartitioned);
  EXPECT_EQ(applier->source.worker_count, 1);
  EXPECT_EQ(applier->source.partitions, kWorkers * kWorkers);
  EXPECT_EQ(applier->source.batch_schema().size(), 2u);
  EXPECT_FALSE(applier->join_source.has_value());
  EXPECT_TRUE(applier->operators.empty());

  std::unique_ptr<PhysicalPlan> beyond = view_plan();
  EXPECT_FALSE(SplitRepartitionedPlan(*beyond, 4 * kWorkers + 1).ok());
}

}  // namespace
}  // namespace sluice
