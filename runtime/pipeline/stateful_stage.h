#pragma once
// The stateful step of a pipeline (today: one aggregate). It tracks the source's watermark from
// the records that reach it and, after each batch or idle poll, lets the operator close what the
// watermark passed. Operators before it see source rows; operators after it see its output.

#include <memory>
#include <vector>

#include "runtime/expression/evaluate.h"
#include "runtime/operator/stateful_operator.h"
#include "runtime/pipeline/checkpointed_stage.h"
#include "runtime/pipeline/watermark_tracker.h"
#include "runtime/plan/physical_plan.h"
#include "storage/state/state_store.h"

namespace sluice {

class StatefulStage final : public CheckpointedStage {
 public:
  // Index of the plan's stateful operator, or -1 when the plan is stateless.
  static int FindStatefulOperator(const PhysicalPlan& plan);
  // REQUIRES: plan.operators[index] is stateful; `plan` and `context` outlive the stage.
  static Result<std::unique_ptr<StatefulStage>> Create(const PhysicalPlan& plan, int index,
                                                       EvalContext& context);

  // Feeds `input` (rows before the stage) and returns in `output` what the operator emits now,
  // including windows closed by the watermark the batch advanced. `input` may be empty (an idle
  // poll: idle partitions may release the watermark).
  // `read`: the metadata of the rows as read, before the operators ahead of the stage dropped
  // any (nullptr: `input` is what was read).
  Status Process(const RecordBatch& input, RecordBatch& output,
                 const std::vector<RecordMeta>* read = nullptr);
  // Before the first Process (after RestoreMetadata): the source's partitions that still hold
  // records written before it opened, which hold the watermark back until they show one
  // (WatermarkTracker::HoldUnread). `unread` is the source's and outlives the stage: after each
  // batch, the partitions read past those records without a row stop holding it.
  void HoldUnread(const std::vector<uint8_t>& unread) {
    unread_ = &unread;
    watermarks_.HoldUnread(unread, WatermarkTracker::Clock::now());
  }
  // Downstream of a join (JoinAggregateStage): `input` holds the join's output and `watermark`
  // is the event time the join guarantees for its later rows (kNoWatermark: none yet), so the
  // stage does no per-partition tracking of its own.
  Status ProcessJoined(const RecordBatch& input, int64_t watermark, RecordBatch& output);
  // The source is exhausted (a bounded source): event time is complete, so every open window
  // closes, as Flink does at the end of bounded input.
  Status Finish(RecordBatch& output);
  // Like Finish, in pieces: closes windows in the order they end until `output` holds at least
  // `min_rows` rows (then *done is false: call again) or everything closed (*done). So the end of
  // a bounded input emits its open groups a window at a time, not all in one batch.
  Status FinishSome(size_t min_rows, RecordBatch& output, bool* done);
  // With `rows` > 0 (the pipeline sets it), windows the watermark closes at the end of Process
  // leave at most about `rows` rows per call: while closing(), the caller calls ContinueClosing
  // (before any more input) for the next slice. Windows closed within a batch (a row's watermark)
  // still leave whole.
  void set_close_slice_rows(size_t rows) { close_slice_rows_ = rows; }
  bool closing() const { return closing_to_ != INT64_MIN; }
  Status ContinueClosing(RecordBatch& output);
  // Keeps the operator's state in `store` (table "aggregate"), restoring what its last
  // checkpoint holds. REQUIRES: before the first Process.
  Status AttachState(StateStore& store) override;
  // The checkpoint barrier: writes operator state to its table (then StateStore::Commit).
  Status PrepareCheckpoint() override { return operator_->PrepareCheckpoint(); }
  // "watermark": the source's, restored so records behind it stay late after a restart;
  // "partition_event_times": each partition's largest event time, so a partition that was
  // behind still holds the watermark back after a restart (WatermarkTracker::SaveMaxima).
  void SaveMetadata(std::map<std::string, std::string>& metadata) const override;
  void RestoreMetadata(const std::map<std::string, std::string>& metadata) override;
  bool over_memory_budget() const override;
  int64_t late_records() const override { return operator_->late_records(); }
  void AddStateCounters(StateCounters& counters) const override {
    operator_->AddStateCounters(counters);
  }
  int64_t watermark() const { return watermarks_.watermark(); }
  const Schema& output_schema() const { return operator_->output_schema(); }
  StatefulOperator& op() { return *operator_; }

 private:
  StatefulStage(std::unique_ptr<StatefulOperator> op, WatermarkTracker watermarks)
      : operator_(std::move(op)), watermarks_(std::move(watermarks)) {}
  std::unique_ptr<StatefulOperator> operator_;
  class WindowAggregateOperator* window_aggregate_ = nullptr;  // operator_, for ProcessRows
  // operator_ when the input is a changelog (upserts retract), else null.
  class ChangelogAggregateOperator* changelog_aggregate_ = nullptr;
  WatermarkTracker watermarks_;
  const std::vector<uint8_t>* unread_ = nullptr;  // HoldUnread's, the source's
  std::vector<int64_t> watermark_before_row_;     // reused across batches
  // FinishSome: the window end being closed in slices (INT64_MIN: none) and the last one closed.
  int64_t closing_to_ = INT64_MIN;
  int64_t closed_to_ = INT64_MIN;
  size_t close_slice_rows_ = 0;  // 0: closes at the end of Process leave whole
};

}  // namespace sluice
