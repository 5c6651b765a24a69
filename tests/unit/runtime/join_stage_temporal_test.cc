// JoinStage over real local-log topics for a temporal join: a stream row meets every version
// appended to the changelog before the row was, even when the version came between the step's
// changelog poll (which found nothing) and its stream poll. Over a repartitioned changelog (stage
// 2 of 'parallelism'=N, written by real stage-1 RepartitionSinks), a stage-2 worker restarted
// alone keeps its writers' caught-up marks, unless a writer started again after its checkpoint
// (RESTART QUERY): then it waits for that writer's new mark.

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <functional>

#include "runtime/connector/local_log_source.h"
#include "runtime/connector/repartition_sink.h"
#include "runtime/expression/expression_factory.h"
#include "runtime/pipeline/join_stage.h"

namespace sluice {
namespace {

// The real stream source; runs `before_poll` (once) right before delegating its first Poll that
// follows the arming, so records can be appended at that precise moment.
class AppendBeforePoll final : public Source {
 public:
  explicit AppendBeforePoll(std::unique_ptr<Source> inner) : inner_(std::move(inner)) {}
  void Arm(std::function<void()> before_poll) { before_poll_ = std::move(before_poll); }

  Status Poll(size_t max_rows, RecordBatch& batch) override {
    if (before_poll_) {
      auto run = std::move(before_poll_);
      before_poll_ = nullptr;
      run();
    }
    return inner_->Poll(max_rows, batch);
  }
  void WaitForData(int timeout_ms) override { inner_->WaitForData(timeout_ms); }
  std::vector<int64_t> positions() const override { return inner_->positions(); }
  std::vector<int64_t> end_offsets() const override { return inner_->end_offsets(); }
  Status Seek(const std::vector<int64_t>& positions) override { return inner_->Seek(positions); }
  bool exhausted() const override { return inner_->exhausted(); }
  bool caught_up() const override { return inner_->caught_up(); }
  const std::string& topic() const override { return inner_->topic(); }
  const SourceStats& stats() const override { return inner_->stats(); }
  const std::vector<RecordMeta>* read_meta() const override { return inner_->read_meta(); }
  const std::vector<uint8_t>* unread_at_start() const override { return inner_->unread_at_start(); }

 private:
  std::unique_ptr<Source> inner_;
  std::function<void()> before_poll_;
};

class JoinStageTemporalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/sluice_join_stage_XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    dir_ = pattern;
    Result<std::unique_ptr<LocalLogStore>> store = LocalLogStore::Open(dir_);
    ASSERT_TRUE(store.ok()) << store.status().message();
    store_ = std::move(*store);
    ASSERT_TRUE(store_->CreateTopic("orders", 1).ok());
    ASSERT_TRUE(store_->CreateTopic("rates", 1).ok());
    plan_.source = Spec("db.s.orders", "orders", "v");
    plan_.join_source = Spec("db.s.rates", "rates", "r");
    auto join = std::make_unique<PhysicalJoin>();
    join->strategy = JoinStrategy::kTemporal;
    join->type = JoinType::kLeft;
    join->left_keys.push_back(MakeColumnRef(0, DataType::Varchar()));
    join->right_keys.push_back(MakeColumnRef(0, DataType::Varchar()));
    join->left_width = 2;
    const Schema sides[2] = {plan_.source.batch_schema(), plan_.join_source->batch_schema()};
    for (const Schema& side : sides) {
      for (const Field& field : side.fields()) join->schema.Add(field);
    }
    plan_.operators.push_back(std::move(join));
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // The changelog side becomes the repartition topic one stage-1 writer fills (parallelism 1
  // keeps the topic at one partition; the caught-up logic is the same for N).
  void RepartitionTheChangelog() {
    ASSERT_TRUE(store_->CreateTopic(kRepartitioned, 1).ok());
    plan_.join_source->topic = kRepartitioned;
    plan_.join_source->repartitioned = true;
  }
  // A stage-1 writer's new life: it announces its start (published, as a commit does).
  std::unique_ptr<RepartitionSink> StartWriter(const SinkPositions& committed) {
    std::vector<std::unique_ptr<Expression>> keys;
    keys.push_back(MakeColumnRef(0, DataType::Varchar()));
    const Schema rows = plan_.join_source->batch_schema();
    Result<std::unique_ptr<RepartitionSink>> sink =
        RepartitionSink::Open(kRepartitioned, 0, 1, rows, std::move(keys), dir_);
    EXPECT_TRUE(sink.ok()) << sink.status().message();
    if (!sink.ok()) return nullptr;
    EXPECT_TRUE((*sink)->BeginStaging(committed).ok());
    (*sink)->set_announce_start(true);
    (*sink)->set_announce_caught_up(true);
    const std::vector<uint8_t> unread = {0};
    EXPECT_TRUE((*sink)->ObserveStart(&unread).ok());
    EXPECT_TRUE((*sink)->Publish().ok());
    return std::move(*sink);
  }
  // The writer forwards version (key, r) at `time`, then announces it has caught up.
  void ForwardAndCatchUp(RepartitionSink& sink, const std::string& key, int64_t r, int64_t time) {
    RecordBatch batch(plan_.join_source->batch_schema());
    batch.column(0).AppendString(key);
    batch.column(1).AppendInt64(r);
    batch.meta().push_back(RecordMeta{time, 0, 0});
    batch.keys().emplace_back();
    sink.ObserveRead(batch.meta());
    ASSERT_TRUE(sink.Write(batch).ok());
    ASSERT_TRUE(sink.ObserveCaughtUp().ok());
    ASSERT_TRUE(sink.Publish().ok());
  }
  // A stage (a stage-2 worker's, repartitioned) over new sources, the stream's wrapped in
  // left_; restored from `metadata` and `positions` (the right side's) when given.
  std::unique_ptr<JoinStage> OpenStage(const std::map<std::string, std::string>* metadata,
                                       const std::vector<int64_t>* positions) {
    Result<std::unique_ptr<LocalLogSource>> left = LocalLogSource::Open(plan_.source, dir_);
    EXPECT_TRUE(left.ok()) << left.status().message();
    Result<std::unique_ptr<LocalLogSource>> right = LocalLogSource::Open(*plan_.join_source, dir_);
    EXPECT_TRUE(right.ok()) << right.status().message();
    if (!left.ok() || !right.ok()) return nullptr;
    left_ = std::make_unique<AppendBeforePoll>(std::move(*left));
    Result<std::unique_ptr<JoinStage>> stage =
        JoinStage::Create(plan_, *left_, std::move(*right), context_);
    EXPECT_TRUE(stage.ok()) << stage.status().message();
    if (!stage.ok()) return nullptr;
    if (metadata != nullptr) (*stage)->RestoreMetadata(*metadata);
    if (positions != nullptr) {
      EXPECT_TRUE((*stage)->right().Seek(*positions).ok());
    }
    return std::move(*stage);
  }
  // Runs `steps` steps; the rows joined meanwhile.
  RecordBatch Steps(JoinStage& stage, int steps) {
    RecordBatch output(plan_.operators[0]->output_schema());
    bool idle = false;
    bool exhausted = false;
    for (int step = 0; step < steps; ++step) {
      EXPECT_TRUE(stage.Step(100, output, &idle, &exhausted).ok());
    }
    return output;
  }
  // Run 1 of the query: the writer forwards version 7 of "a" and catches up; stage 2 reads it
  // and checkpoints. Returns the writer; `metadata` and `positions`: stage 2's checkpoint.
  std::unique_ptr<RepartitionSink> FirstRun(std::map<std::string, std::string>& metadata,
                                            std::vector<int64_t>& positions) {
    std::unique_ptr<RepartitionSink> writer = StartWriter({});
    if (writer == nullptr) return nullptr;
    ForwardAndCatchUp(*writer, "a", 7, 1000);
    std::unique_ptr<JoinStage> stage = OpenStage(nullptr, nullptr);
    if (stage == nullptr) return nullptr;
    EXPECT_EQ(Steps(*stage, 4).num_rows(), 0u);
    stage->SaveMetadata(metadata);
    EXPECT_EQ(metadata["changelog_caught_up"], "0");
    positions = stage->right().positions();
    return writer;
  }

  static constexpr const char* kRepartitioned = "rates_repartitioned";
  EvalContext context_;
  std::unique_ptr<AppendBeforePoll> left_;  // the stream's source, which appends when armed

  static SourceSpec Spec(const std::string& relation, const std::string& topic,
                         const std::string& value_column) {
    SourceSpec spec;
    spec.relation = relation;
    spec.topic = topic;
    spec.relation_schema =
        Schema({Field{"k", DataType::Varchar()}, Field{value_column, DataType::Bigint()}});
    spec.columns = {0, 1};
    return spec;
  }

  // Appends {"k": key, <column>: value} at event time `time` to `topic`.
  void Append(const std::string& topic, const std::string& column, const std::string& key,
              int64_t value, int64_t time) {
    Result<std::unique_ptr<PartitionWriter>> writer = store_->OpenPartitionWriter(topic, 0);
    ASSERT_TRUE(writer.ok()) << writer.status().message();
    const std::string text =
        "{\"k\":\"" + key + "\",\"" + column + "\":" + std::to_string(value) + "}";
    const std::vector<LogRecord> records{LogRecord{std::nullopt, text, time, {}}};
    ASSERT_TRUE((*writer)->Append(records).ok());
  }

  std::string dir_;
  std::unique_ptr<LocalLogStore> store_;
  PhysicalPlan plan_;
};

TEST_F(JoinStageTemporalTest, AStreamRowMeetsAVersionAppendedBetweenTheTwoPollsOfAStep) {
  std::unique_ptr<JoinStage> stage = OpenStage(nullptr, nullptr);
  ASSERT_NE(stage, nullptr);
  // The step's changelog poll finds nothing; then the version is appended, then the stream row,
  // then the stream is polled.
  left_->Arm([&] {
    Append("rates", "r", "a", 7, 1000);
    Append("orders", "v", "a", 1, 2000);
  });
  RecordBatch output = Steps(*stage, 1);
  ASSERT_EQ(output.num_rows(), 1u);
  EXPECT_EQ(output.column(1).GetInt64(0), 1);
  ASSERT_FALSE(output.column(3).IsNull(0)) << "the stream row was joined without the version";
  EXPECT_EQ(output.column(3).GetInt64(0), 7);
}

TEST_F(JoinStageTemporalTest, AStreamRowMeetsNoVersionAppendedAfterIt) {
  std::unique_ptr<JoinStage> stage = OpenStage(nullptr, nullptr);
  ASSERT_NE(stage, nullptr);
  // Read in order: the row comes first, so even a version with an older event time misses it.
  left_->Arm([&] { Append("orders", "v", "a", 1, 2000); });
  RecordBatch output = Steps(*stage, 1);
  Append("rates", "r", "a", 7, 1000);
  EXPECT_EQ(Steps(*stage, 3).num_rows(), 0u);
  ASSERT_EQ(output.num_rows(), 1u);
  EXPECT_TRUE(output.column(3).IsNull(0));
}

TEST_F(JoinStageTemporalTest, AStageTwoWorkerRestartedAloneKeepsItsWritersCaughtUpMarks) {
  RepartitionTheChangelog();
  std::map<std::string, std::string> metadata;
  std::vector<int64_t> positions;
  ASSERT_NE(FirstRun(metadata, positions), nullptr);
  // The worker crashes and is restarted alone; its writer kept running and announces nothing
  // again, so without the restored mark no stream row would ever be read.
  plan_.join_source->siblings_kept_running = true;
  std::unique_ptr<JoinStage> stage = OpenStage(&metadata, &positions);
  ASSERT_NE(stage, nullptr);
  Append("orders", "v", "a", 1, 2000);
  // Read and joined (the versions themselves come back with the state store, not attached here).
  EXPECT_EQ(Steps(*stage, 4).num_rows(), 1u);
}

TEST_F(JoinStageTemporalTest, AfterARestartOfTheQueryAStageTwoWorkerRestoredAloneWaitsForNewMarks) {
  RepartitionTheChangelog();
  std::map<std::string, std::string> metadata;
  std::vector<int64_t> positions;
  std::unique_ptr<RepartitionSink> first = FirstRun(metadata, positions);
  ASSERT_NE(first, nullptr);
  // RESTART QUERY: the writer starts again and is still reading version 8, written while the
  // query was stopped; an order comes after it. The stage-2 worker crashes before its first
  // checkpoint of the new run and is restarted alone from run 1's checkpoint.
  std::unique_ptr<RepartitionSink> second = StartWriter(first->staged_positions());
  ASSERT_NE(second, nullptr);
  Append("orders", "v", "a", 1, 2000);
  plan_.join_source->siblings_kept_running = true;
  std::unique_ptr<JoinStage> stage = OpenStage(&metadata, &positions);
  ASSERT_NE(stage, nullptr);
  RecordBatch early = Steps(*stage, 4);
  EXPECT_EQ(early.num_rows(), 0u) << "the order was joined before the restarted writer caught up";
  ForwardAndCatchUp(*second, "a", 8, 1500);
  RecordBatch output = Steps(*stage, 4);
  ASSERT_EQ(output.num_rows(), 1u);
  EXPECT_EQ(output.column(3).GetInt64(0), 8);
}

}  // namespace
}  // namespace sluice
