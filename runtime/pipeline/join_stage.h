#pragma once
// The two-source step of a pipeline whose plan starts with a JOIN. It owns the right source (the
// pipeline keeps the left one), polls one side per step, tracks each side's watermark, and feeds
// the JoinOperator, whose output continues through the plan's remaining operators.
//
// Which side it polls: for a temporal join, the changelog until it is caught up (or for 64
// batches in a row, so a busy changelog cannot starve the stream), and after a stream batch the
// changelog again to its end before joining the batch (a version appended between the two polls,
// before the stream rows, comes first), so a stream row meets every version written before it
// was read; for an interval join, the side whose watermark is behind (the other one when it has
// nothing), which keeps both sides' event times close and so the buffered state small. The interval
// join's watermark is the minimum of both sides' (a side silent for 'source.idle.timeout.millis'
// stops holding it back); the temporal join's is the stream's. A temporal join reads no stream row
// before the changelog was read to its end once since the worker started (the 64-batch turns start
// after that): a query started (or restarted) over a long changelog joins its first stream rows
// with every version already written. Repartitioned (stage 2 of 'parallelism'=N), that end is every
// changelog writer's caught-up mark, so a stream side repartitioned faster cannot overtake the
// changelog.

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "runtime/connector/source.h"
#include "runtime/expression/evaluate.h"
#include "runtime/operator/join_operator.h"
#include "runtime/pipeline/checkpointed_stage.h"
#include "runtime/pipeline/watermark_tracker.h"
#include "runtime/plan/physical_join.h"
#include "runtime/plan/physical_plan.h"
#include "storage/state/state_store.h"

namespace sluice {

class JoinStage final : public CheckpointedStage {
 public:
  // REQUIRES: plan.operators[0] is a PhysicalJoin and plan.join_source is set; `plan`, `left`
  // and `context` outlive the stage.
  static Result<std::unique_ptr<JoinStage>> Create(const PhysicalPlan& plan, Source& left,
                                                   std::unique_ptr<Source> right,
                                                   EvalContext& context);

  // Polls a side and joins its batch; appends the join's output (plan.operators[0]'s schema) to
  // `output`. Sets *idle when neither side had records, *exhausted when both bounded sources
  // are done.
  Status Step(size_t max_rows, RecordBatch& output, bool* idle, bool* exhausted);
  // Both inputs ended: event time is complete, every interval closes.
  Status Finish(RecordBatch& output);
  // Waits up to `timeout_ms` for records on either side.
  void WaitForData(int timeout_ms);

  // State in table "join" of `store`; REQUIRES: before the first Step.
  Status AttachState(StateStore& store) override;
  Status PrepareCheckpoint() override { return operator_->PrepareCheckpoint(); }
  size_t unsaved_bytes() const override { return operator_->unsaved_bytes(); }
  // Per-side watermarks, for the checkpoint manifest's metadata and their restore.
  void SaveMetadata(std::map<std::string, std::string>& metadata) const override;
  void RestoreMetadata(const std::map<std::string, std::string>& metadata) override;
  // The right source, under right_positions_key().
  std::vector<std::pair<std::string, Source*>> extra_sources() override {
    return {{right_positions_key(), right_.get()}};
  }

  // Decides what becomes of a row whose pushed-down filter (PhysicalJoin::filters) failed to
  // evaluate: an error ends the query, OK drops the row (a changelog row: a delete), as the
  // source's error handling says. Without one, the error ends the query.
  using RowErrorHandler =
      std::function<Status(JoinSide side, const RecordMeta& meta, const Status& error)>;
  void set_row_error_handler(RowErrorHandler handler) { on_row_error_ = std::move(handler); }

  int64_t watermark() const;
  int64_t late_records() const override { return operator_->late_records(); }
  void AddStateCounters(StateCounters& counters) const override {
    operator_->AddStateCounters(counters);
  }
  Source& right() { return *right_; }
  // The manifest key of the right source's positions: its topic, or "<topic>#right" when both
  // sides read one topic (a self-join).
  std::string right_positions_key() const;
  JoinOperator& op() { return *operator_; }

 private:
  JoinStage(const PhysicalJoin& join, Source& left, std::unique_ptr<Source> right,
            std::unique_ptr<JoinOperator> op, WatermarkTracker left_watermarks,
            WatermarkTracker right_watermarks);
  // Runs one side's batch through the trackers, the side's filter and the operator. `read`:
  // the source's rows and watermark marks as read when it is a repartition topic, else null.
  Status ProcessSide(JoinSide side, RecordBatch& batch, const std::vector<RecordMeta>* read,
                     RecordBatch& output);
  // Applies join_.filters[side] to `batch` (and watermark_before_row_): drops a stream row that
  // fails, turns a changelog row that fails into a delete.
  Status FilterSide(JoinSide side, RecordBatch& batch);
  // keep_[row] = 1 where `filter` holds; rows whose evaluation fails go to on_row_error_.
  Status EvaluateSideFilter(JoinSide side, const Expression& filter, const RecordBatch& batch);
  Status Advance(RecordBatch& output);
  int64_t JoinWatermark(WatermarkTracker::Clock::time_point now) const;
  Source& source(JoinSide side) { return side == JoinSide::kLeft ? left_ : *right_; }
  // Polls `side` into `batch` and notes its caught-up marks; *read_something unless the poll
  // read no row, no mark and no caught-up mark.
  Status PollSide(JoinSide side, size_t max_rows, RecordBatch& batch, bool* read_something);
  // Temporal join, after a stream batch was polled and before it is joined: polls the changelog
  // until it has nothing (at most kMaxChangelogBatchesInARow batches) and applies what it read.
  Status CatchUpChangelog(size_t max_rows, RecordBatch& output);
  // Notes the caught-up marks the last poll of `side` read; true when there were some.
  bool NoteCaughtUp(JoinSide side);
  bool stream_held() const {
    return changelog_caught_up_.size() < static_cast<size_t>(changelog_writers_);
  }

  const PhysicalJoin& join_;
  EvalContext* context_ = nullptr;
  RowErrorHandler on_row_error_;
  std::vector<uint8_t> keep_;
  Source& left_;
  std::unique_ptr<Source> right_;
  std::unique_ptr<JoinOperator> operator_;
  WatermarkTracker trackers_[2];
  Schema side_schemas_[2];  // each source's batch schema
  std::vector<int64_t> watermark_before_row_;
  bool prefer_right_ = false;  // interval join: alternates sides when their watermarks tie
  bool started_ = false;       // the first Step ran (HoldUnread)
  // Temporal join: right-side batches read since the last stream batch. After this many the
  // stream gets a turn even if the changelog has more.
  static constexpr int kMaxChangelogBatchesInARow = 64;
  int changelog_batches_in_a_row_ = 0;
  // Temporal join: the changelog's writers (a repartitioned one's stage-1 workers, else 1; 0 for
  // an interval join), and those caught up since the worker started. A changelog read directly
  // is read to its end again at every start, and so are a repartitioned one's sources when all
  // workers start together (the writers announce again); a stage-2 worker restarted alone reads
  // no mark again (its writers kept running), so stage 2 checkpoints the set and restores it then.
  // A writer's start mark (its new life, which announces again) takes it out of the set: a
  // worker restored from a checkpoint of the query's previous run (it crashed after RESTART,
  // before checkpointing) reads the new start marks after it, so waits for the new marks.
  int32_t changelog_writers_ = 0;
  std::set<int32_t> changelog_caught_up_;
  bool changelog_repartitioned_ = false;
  bool restore_caught_up_ = false;
  // Rows an interval join side holds in memory before its oldest ones spill to the state
  // directory: a window's worth of rows (everything, when windows are long next to the input's
  // event-time span) must not decide the worker's memory.
  static constexpr size_t kJoinResidentBytes = 24u << 20;
};

}  // namespace sluice
