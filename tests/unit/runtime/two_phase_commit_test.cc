// The checkpoint coordinator's two-phase commit of a stateful query with a transactional sink
// (docs/checkpoints.md, "Two-phase commit with Kafka transactions"), with a real StateStore and
// a sink that records what it was asked: the state is prepared before the transaction commits
// and applied after; a checkpoint left pending by a failed commit is applied on restart when the
// sink says its transaction committed, and dropped (state and positions back to the previous
// checkpoint) when it says it was aborted. The mock Kafka cluster cannot abort visibly, so the
// aborted branch is checked here (the Kafka side is in kafka_exactly_once_test.cc).

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "runtime/pipeline/checkpoint_coordinator.h"
#include "storage/state/pending_checkpoint.h"
#include "tests/unit/storage/log_test_util.h"

namespace sluice {
namespace {

class PositionSource final : public Source {
 public:
  Status Poll(size_t, RecordBatch&) override { return Status::OK(); }
  void WaitForData(int) override {}
  std::vector<int64_t> positions() const override { return positions_; }
  std::vector<int64_t> end_offsets() const override { return positions_; }
  Status Seek(const std::vector<int64_t>& positions) override {
    positions_ = positions;
    return Status::OK();
  }
  const std::string& topic() const override { return topic_; }
  const SourceStats& stats() const override { return stats_; }

  std::vector<int64_t> positions_{0};

 private:
  std::string topic_ = "in";
  SourceStats stats_;
};

// A counter kept in table "t" under "count".
class CounterStage final : public CheckpointedStage {
 public:
  Status AttachState(StateStore& store) override {
    ASSIGN_OR_RETURN(table_, store.Table("t"));
    std::string value;
    ASSIGN_OR_RETURN(bool found, table_->Get("count", &value));
    count = found ? std::stoll(value) : 0;
    return Status::OK();
  }
  Status PrepareCheckpoint() override { return table_->Put("count", std::to_string(count)); }
  void SaveMetadata(std::map<std::string, std::string>&) const override {}
  void RestoreMetadata(const std::map<std::string, std::string>&) override {}

  int64_t count = 0;

 private:
  StateTable* table_ = nullptr;
};

class TransactionSink final : public Sink {
 public:
  Status Write(const RecordBatch&) override { return Status::OK(); }
  Status Flush() override { return Status::OK(); }
  int64_t records_out() const override { return 0; }
  bool transactional() const override { return true; }
  bool transaction_open() const override { return open_records > 0; }
  Result<std::string> PrepareTransaction() override {
    prepared_with_pending_file = std::filesystem::exists(pending_path);
    if (open_records == 0) return std::string();
    return "out:0:" + std::to_string(open_records);
  }
  Status FlushAt(const std::string&, const std::vector<int64_t>& positions) override {
    // The state must be saved aside before the transaction commits.
    committed_with_pending_file = std::filesystem::exists(pending_path);
    if (fail_commit) return Status::Connector("commit failed").AsRetriable();
    committed_positions = positions;
    open_records = 0;
    return Status::OK();
  }
  Result<bool> TransactionCommitted(const std::string& marker) override {
    asked.push_back(marker);
    return committed;
  }

  std::string pending_path;
  int64_t open_records = 0;
  bool fail_commit = false;
  bool committed = true;  // TransactionCommitted's answer
  bool prepared_with_pending_file = true;
  bool committed_with_pending_file = false;
  std::vector<int64_t> committed_positions;
  std::vector<std::string> asked;
};

class TwoPhaseCommitTest : public ::testing::Test {
 protected:
  std::unique_ptr<CheckpointCoordinator> Open() {
    sink_.pending_path = PendingCheckpointPath(dir_.path() + "/state");
    auto coordinator = CheckpointCoordinator::Open(dir_.path(), source_, sink_, &stage_, {});
    EXPECT_TRUE(coordinator.ok()) << coordinator.status().ToString();
    return coordinator.ok() ? std::move(coordinator).value() : nullptr;
  }

  // Checkpoint 1 at position 5 with count 5, then position 8 with count 8 and 3 output records
  // whose commit fails: checkpoint 2 stays pending.
  void LeaveCheckpointTwoPending() {
    auto coordinator = Open();
    ASSERT_NE(coordinator, nullptr);
    source_.positions_ = {5};
    stage_.count = 5;
    sink_.open_records = 2;
    ASSERT_TRUE(coordinator->MaybeCommit(/*caught_up=*/true).ok());
    EXPECT_FALSE(sink_.prepared_with_pending_file);
    EXPECT_TRUE(sink_.committed_with_pending_file);
    EXPECT_EQ(sink_.committed_positions, std::vector<int64_t>{5});
    EXPECT_FALSE(std::filesystem::exists(sink_.pending_path));
    source_.positions_ = {8};
    stage_.count = 8;
    sink_.open_records = 3;
    sink_.fail_commit = true;
    EXPECT_FALSE(coordinator->MaybeCommit(/*caught_up=*/true).ok());
    EXPECT_TRUE(std::filesystem::exists(sink_.pending_path));
    sink_.fail_commit = false;
    source_.positions_ = {0};
    stage_.count = -1;
  }

  testing::ScratchDir dir_;
  PositionSource source_;
  CounterStage stage_;
  TransactionSink sink_;
};

TEST_F(TwoPhaseCommitTest, APendingCheckpointWhoseTransactionCommittedIsApplied) {
  LeaveCheckpointTwoPending();
  sink_.committed = true;
  auto coordinator = Open();
  ASSERT_NE(coordinator, nullptr);
  EXPECT_EQ(sink_.asked, std::vector<std::string>{"out:0:3"});
  EXPECT_EQ(stage_.count, 8);
  EXPECT_EQ(source_.positions_, std::vector<int64_t>{8});
  EXPECT_FALSE(std::filesystem::exists(sink_.pending_path));
  QueryProgress progress;
  coordinator->FillProgress(progress);
  EXPECT_EQ(progress.checkpoint_id, 2);
  EXPECT_EQ(progress.positions.at("in"), std::vector<int64_t>{8});
}

TEST_F(TwoPhaseCommitTest, APendingCheckpointWhoseTransactionAbortedIsDropped) {
  LeaveCheckpointTwoPending();
  sink_.committed = false;
  auto coordinator = Open();
  ASSERT_NE(coordinator, nullptr);
  EXPECT_EQ(sink_.asked, std::vector<std::string>{"out:0:3"});
  // Back to checkpoint 1: the input since then is read again and produces its output again.
  EXPECT_EQ(stage_.count, 5);
  EXPECT_EQ(source_.positions_, std::vector<int64_t>{5});
  EXPECT_FALSE(std::filesystem::exists(sink_.pending_path));
  QueryProgress progress;
  coordinator->FillProgress(progress);
  EXPECT_EQ(progress.checkpoint_id, 1);
  // The next checkpoint is 2 again, and commits.
  source_.positions_ = {8};
  stage_.count = 8;
  sink_.open_records = 3;
  ASSERT_TRUE(coordinator->MaybeCommit(/*caught_up=*/true).ok());
  coordinator->FillProgress(progress);
  EXPECT_EQ(progress.checkpoint_id, 2);
}

TEST_F(TwoPhaseCommitTest, ABusyQueryWaitsForTheIntervalAndReportsOnlyCommittedPositions) {
  auto coordinator = Open();
  ASSERT_NE(coordinator, nullptr);
  source_.positions_ = {4};
  stage_.count = 4;
  sink_.open_records = 1;
  ASSERT_TRUE(coordinator->MaybeCommit(/*caught_up=*/true).ok());
  source_.positions_ = {9};
  sink_.open_records = 1;
  ASSERT_TRUE(coordinator->MaybeCommit(/*caught_up=*/false).ok());
  EXPECT_TRUE(coordinator->pending());
  EXPECT_EQ(sink_.committed_positions, std::vector<int64_t>{4});
  QueryProgress progress;
  coordinator->FillProgress(progress);
  EXPECT_EQ(progress.positions.at("in"), std::vector<int64_t>{4});  // what FLUSH may see
}

}  // namespace
}  // namespace sluice
