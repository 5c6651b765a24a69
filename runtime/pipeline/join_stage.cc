#include "runtime/pipeline/join_stage.h"

#include <chrono>
#include <cstdlib>
#include <limits>

#include "runtime/operator/interval_join.h"
#include "runtime/operator/temporal_join.h"

namespace sluice {

JoinStage::JoinStage(const PhysicalJoin& join, Source& left, std::unique_ptr<Source> right,
                     std::unique_ptr<JoinOperator> op, WatermarkTracker left_watermarks,
                     WatermarkTracker right_watermarks)
    : join_(join),
      left_(left),
      right_(std::move(right)),
      operator_(std::move(op)),
      trackers_{std::move(left_watermarks), std::move(right_watermarks)} {}

Result<std::unique_ptr<JoinStage>> JoinStage::Create(const PhysicalPlan& plan, Source& left,
                                                     std::unique_ptr<Source> right,
                                                     EvalContext& context) {
  if (plan.operators.empty() || plan.operators[0]->kind() != PhysicalOperatorKind::kJoin ||
      !plan.join_source) {
    return Status::Internal("a join stage needs a plan that starts with a join");
  }
  const auto& join = static_cast<const PhysicalJoin&>(*plan.operators[0]);
  std::unique_ptr<JoinOperator> op;
  if (join.strategy == JoinStrategy::kInterval) {
    op = std::make_unique<IntervalJoinOperator>(join, context);
  } else {
    op = std::make_unique<TemporalJoinOperator>(join, context);
  }
  WatermarkTracker left_watermarks(plan.source.partitions, join.allow_latency_ms[0],
                                   join.idle_timeout_ms[0]);
  WatermarkTracker right_watermarks(plan.join_source->partitions, join.allow_latency_ms[1],
                                    join.idle_timeout_ms[1]);
  // Stage 2 of 'parallelism'=N waits for each side's stage-1 writers' start marks, unless
  // restarted alone (StatefulStage::Create).
  if (plan.source.repartitioned && !plan.source.siblings_kept_running) {
    left_watermarks.ExpectWriters(plan.parallelism);
  }
  if (plan.join_source->repartitioned && !plan.join_source->siblings_kept_running) {
    right_watermarks.ExpectWriters(plan.parallelism);
  }
  auto stage = std::unique_ptr<JoinStage>(new JoinStage(join, left, std::move(right), std::move(op),
                                                        std::move(left_watermarks),
                                                        std::move(right_watermarks)));
  stage->context_ = &context;
  // Each side's decoded columns, then its row functions' columns.
  stage->side_schemas_[0] = plan.source.batch_schema();
  stage->side_schemas_[1] = plan.join_source->batch_schema();
  if (join.strategy == JoinStrategy::kTemporal) {
    stage->changelog_writers_ = plan.join_source->repartitioned ? plan.parallelism : 1;
  }
  // A stage-2 worker restarted alone keeps the caught-up writers it had seen: they kept running
  // and announce nothing again. Started with them, it waits for their new marks, so changelog
  // records written while the query was stopped come before the stream's.
  stage->changelog_repartitioned_ = plan.join_source->repartitioned;
  stage->restore_caught_up_ =
      plan.join_source->repartitioned && plan.join_source->siblings_kept_running;
  return stage;
}

int64_t JoinStage::JoinWatermark(WatermarkTracker::Clock::time_point now) const {
  const int64_t left = trackers_[0].watermark();
  if (join_.strategy == JoinStrategy::kTemporal) return left;
  const int64_t right = trackers_[1].watermark();
  // A side that went idle stops holding the join back; one that never had a record holds it.
  if (trackers_[0].Idle(now)) return right == WatermarkTracker::kNoWatermark ? left : right;
  if (trackers_[1].Idle(now)) return left;
  return std::min(left, right);
}

int64_t JoinStage::watermark() const { return JoinWatermark(WatermarkTracker::Clock::now()); }

Status JoinStage::ProcessSide(JoinSide side, RecordBatch& batch,
                              const std::vector<RecordMeta>* read, RecordBatch& output) {
  // Each row meets the join watermark of the rows before it (see StatefulStage::Process).
  const auto now = WatermarkTracker::Clock::now();
  WatermarkTracker& tracker = trackers_[static_cast<int>(side)];
  // A repartition topic's reader (a stage-2 worker of a parallel join) lists its watermark
  // marks among the rows as read: each mark counts before the rows that follow it.
  size_t next_read = 0;
  auto observe_marks_until = [&](const RecordMeta* row) {
    if (read == nullptr) return;
    for (; next_read < read->size(); ++next_read) {
      const RecordMeta& meta = (*read)[next_read];
      if (row != nullptr && meta.partition == row->partition && meta.offset == row->offset) {
        ++next_read;  // the row itself, observed by the caller
        return;
      }
      tracker.Observe(meta, now);
    }
    tracker.Update(now);
  };
  watermark_before_row_.resize(batch.num_rows());
  // The tracker is updated after each row; again before the next only when marks were observed
  // in between (the same `now` and nothing observed give the same watermark).
  tracker.Update(now);
  for (size_t row = 0; row < batch.num_rows(); ++row) {
    if (read != nullptr) {
      observe_marks_until(&batch.meta()[row]);
      tracker.Update(now);
    }
    watermark_before_row_[row] = JoinWatermark(now);
    tracker.ObserveAndUpdate(batch.meta()[row], now);
  }
  observe_marks_until(nullptr);
  if (batch.num_rows() == 0) return Status::OK();
  // After the trackers: a row the filter drops still advances its side's watermark.
  RETURN_NOT_OK(FilterSide(side, batch));
  return operator_->ProcessSide(side, batch, watermark_before_row_, output);
}

Status JoinStage::FilterSide(JoinSide side, RecordBatch& batch) {
  const Expression* filter = join_.filters[static_cast<int>(side)].get();
  if (filter == nullptr || batch.num_rows() == 0) return Status::OK();
  RETURN_NOT_OK(EvaluateSideFilter(side, *filter, batch));
  if (join_.strategy == JoinStrategy::kTemporal && side == JoinSide::kRight) {
    // A version that fails ends the key's passing one, as a delete would: dropping the row
    // instead would let an older version that passes answer lookups it no longer should.
    for (size_t row = 0; row < batch.num_rows(); ++row) {
      if (keep_[row] == 0) batch.meta()[row].kind = RowKind::kDelete;
    }
    return Status::OK();
  }
  size_t kept = 0;
  int64_t late = 0;
  for (size_t row = 0; row < batch.num_rows(); ++row) {
    if (keep_[row] != 0) {
      watermark_before_row_[kept++] = watermark_before_row_[row];
    } else if (batch.meta()[row].timestamp < watermark_before_row_[row]) {
      ++late;  // the join would have dropped it as late: it is counted as such
    }
  }
  if (kept == batch.num_rows()) return Status::OK();
  watermark_before_row_.resize(kept);
  operator_->CountLate(late);
  batch.Filter(keep_);
  return Status::OK();
}

Status JoinStage::EvaluateSideFilter(JoinSide side, const Expression& filter,
                                     const RecordBatch& batch) {
  context_->error_row = -1;
  Status status = EvaluateFilter(filter, batch, &keep_, *context_);
  if (status.ok() || context_->error_row < 0 || !on_row_error_) return status;
  // Some row failed: row by row, so that each failing row alone meets the error handling.
  keep_.assign(batch.num_rows(), 0);
  std::vector<uint8_t> one_keep;
  for (size_t row = 0; row < batch.num_rows(); ++row) {
    RecordBatch one(side_schemas_[static_cast<int>(side)]);
    for (size_t column_idx = 0; column_idx < batch.num_columns(); ++column_idx) {
      one.column(column_idx).AppendFrom(batch.column(column_idx), row);
    }
    one.meta().push_back(batch.meta()[row]);
    one.keys().emplace_back();
    Status row_status = EvaluateFilter(filter, one, &one_keep, *context_);
    if (!row_status.ok()) {
      RETURN_NOT_OK(on_row_error_(side, batch.meta()[row], row_status));
      continue;  // dropped, as a failing row is
    }
    keep_[row] = one_keep[0];
  }
  return Status::OK();
}

Status JoinStage::Advance(RecordBatch& output) {
  const auto now = WatermarkTracker::Clock::now();
  for (JoinSide side : {JoinSide::kLeft, JoinSide::kRight}) {
    // Partitions read past their records from before the start without a row stop holding.
    const std::vector<uint8_t>* unread = source(side).unread_at_start();
    if (unread != nullptr) trackers_[static_cast<int>(side)].ReleaseRead(*unread);
  }
  trackers_[0].Update(now);
  trackers_[1].Update(now);
  const int64_t watermark = JoinWatermark(now);
  if (watermark == WatermarkTracker::kNoWatermark) return Status::OK();
  return operator_->AdvanceWatermark(watermark, output);
}

Status JoinStage::Step(size_t max_rows, RecordBatch& output, bool* idle, bool* exhausted) {
  if (!started_) {
    // Before the first poll (after RestoreMetadata): each side's partitions with records
    // written before it opened hold that side's watermark back (WatermarkTracker::HoldUnread).
    started_ = true;
    for (JoinSide side : {JoinSide::kLeft, JoinSide::kRight}) {
      const std::vector<uint8_t>* unread = source(side).unread_at_start();
      if (unread != nullptr) {
        trackers_[static_cast<int>(side)].HoldUnread(*unread, WatermarkTracker::Clock::now());
      }
    }
  }
  JoinSide order[2] = {JoinSide::kLeft, JoinSide::kRight};
  if (join_.strategy == JoinStrategy::kTemporal) {
    // The changelog first, but a changelog that never catches up must not starve the stream.
    if (changelog_batches_in_a_row_ < kMaxChangelogBatchesInARow) {
      order[0] = JoinSide::kRight;
      order[1] = JoinSide::kLeft;
    }
  } else {
    const int64_t left = trackers_[0].watermark();
    const int64_t right = trackers_[1].watermark();
    if (right < left || (right == left && prefer_right_)) {
      order[0] = JoinSide::kRight;
      order[1] = JoinSide::kLeft;
    }
    prefer_right_ = !prefer_right_;
  }
  *idle = true;
  for (JoinSide side : order) {
    if (side == JoinSide::kLeft && stream_held()) continue;
    RecordBatch batch(side_schemas_[static_cast<int>(side)]);
    bool read_something = false;
    RETURN_NOT_OK(PollSide(side, max_rows, batch, &read_something));
    if (!read_something) continue;
    *idle = false;
    changelog_batches_in_a_row_ = side == JoinSide::kRight ? changelog_batches_in_a_row_ + 1 : 0;
    if (side == JoinSide::kLeft && batch.num_rows() > 0 && changelog_writers_ > 0) {
      // The changelog's poll before this one may have found nothing just before a version and
      // then this batch's rows were appended: every version written before them is applied first.
      RETURN_NOT_OK(CatchUpChangelog(max_rows, output));
    }
    RETURN_NOT_OK(ProcessSide(side, batch, source(side).read_meta(), output));
    break;
  }
  *exhausted = *idle && left_.exhausted() && right_->exhausted();
  // An idle poll may let an idle side stop holding the watermark back.
  return Advance(output);
}

Status JoinStage::PollSide(JoinSide side, size_t max_rows, RecordBatch& batch,
                           bool* read_something) {
  RETURN_NOT_OK(source(side).Poll(max_rows, batch));
  // Watermark and caught-up marks of a repartition topic are input too (their positions are
  // committed and reported), so reading only marks is not idle.
  const bool caught_up_marks = NoteCaughtUp(side);
  const std::vector<RecordMeta>* read = source(side).read_meta();
  if (batch.num_rows() > 0 || (read != nullptr && !read->empty())) {
    *read_something = true;
    return Status::OK();
  }
  // A changelog read directly is its own one writer, caught up when it has nothing more.
  if (side == JoinSide::kRight && read == nullptr && changelog_writers_ > 0 &&
      right_->caught_up()) {
    changelog_caught_up_.insert(0);
  }
  *read_something = caught_up_marks;
  return Status::OK();
}

Status JoinStage::CatchUpChangelog(size_t max_rows, RecordBatch& output) {
  // The logs are append-only: once a poll finds nothing, every version appended before the
  // stream rows just read has been read. Bounded like the changelog's turns in Step.
  for (int batches = 0; batches < kMaxChangelogBatchesInARow; ++batches) {
    RecordBatch batch(side_schemas_[static_cast<int>(JoinSide::kRight)]);
    bool read_something = false;
    RETURN_NOT_OK(PollSide(JoinSide::kRight, max_rows, batch, &read_something));
    if (!read_something) break;
    RETURN_NOT_OK(ProcessSide(JoinSide::kRight, batch, right_->read_meta(), output));
  }
  return Status::OK();
}

bool JoinStage::NoteCaughtUp(JoinSide side) {
  // A writer's start mark begins a new life that announces again once caught up: a stage-2
  // worker restored alone from a checkpoint of the query's previous run, which reads the new
  // run's start marks again, so waits for the new caught-up marks too.
  const std::vector<int32_t>* restarted = source(side).restarted_writers();
  const bool restarts = restarted != nullptr && !restarted->empty();
  if (restarts && changelog_writers_ > 0 && side == JoinSide::kRight) {
    for (int32_t writer : *restarted) changelog_caught_up_.erase(writer);
  }
  const std::vector<int32_t>* writers = source(side).caught_up_writers();
  if (writers == nullptr || writers->empty()) return restarts;
  changelog_caught_up_.insert(writers->begin(), writers->end());
  return true;
}

Status JoinStage::Finish(RecordBatch& output) {
  return operator_->AdvanceWatermark(std::numeric_limits<int64_t>::max(), output);
}

void JoinStage::WaitForData(int timeout_ms) {
  // Short turns on each side. A source returns from WaitForData early when it has data, so a
  // turn that ends well before its 2 ms means records arrived: back to polling.
  using Clock = std::chrono::steady_clock;
  const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  while (Clock::now() < deadline) {
    for (Source* source : {&left_, right_.get()}) {
      const auto start = Clock::now();
      source->WaitForData(2);
      if (Clock::now() - start < std::chrono::microseconds(1500)) return;
    }
  }
}

Status JoinStage::AttachState(StateStore& store) {
  ASSIGN_OR_RETURN(StateTable * table, store.Table("join"));
  operator_->SetSpill(store.dir(), kJoinResidentBytes);
  return operator_->AttachState(table);
}

void JoinStage::SaveMetadata(std::map<std::string, std::string>& metadata) const {
  metadata["watermark"] = std::to_string(watermark());
  metadata["watermark.left"] = std::to_string(trackers_[0].watermark());
  metadata["watermark.right"] = std::to_string(trackers_[1].watermark());
  // Each partition's largest event time too: a restart that forgot a lagging partition would
  // let the others alone move the side's watermark, and that partition's next rows come late.
  metadata["partition_event_times.left"] = trackers_[0].SaveMaxima();
  metadata["partition_event_times.right"] = trackers_[1].SaveMaxima();
  if (changelog_writers_ > 0 && changelog_repartitioned_) {
    std::string writers;
    for (int32_t writer : changelog_caught_up_) {
      if (!writers.empty()) writers += ',';
      writers += std::to_string(writer);
    }
    metadata["changelog_caught_up"] = writers;
  }
}

void JoinStage::RestoreMetadata(const std::map<std::string, std::string>& metadata) {
  const char* keys[2] = {"watermark.left", "watermark.right"};
  for (int side_idx = 0; side_idx < 2; ++side_idx) {
    auto found = metadata.find(keys[side_idx]);
    if (found == metadata.end()) continue;
    trackers_[side_idx].Restore(std::strtoll(found->second.c_str(), nullptr, 10));
  }
  const char* maxima_keys[2] = {"partition_event_times.left", "partition_event_times.right"};
  for (int side_idx = 0; side_idx < 2; ++side_idx) {
    auto found = metadata.find(maxima_keys[side_idx]);
    if (found != metadata.end()) trackers_[side_idx].RestoreMaxima(found->second);
  }
  auto caught_up = metadata.find("changelog_caught_up");
  if (caught_up != metadata.end() && restore_caught_up_) {
    const char* text = caught_up->second.c_str();
    while (*text != '\0') {
      char* end = nullptr;
      const long writer = std::strtol(text, &end, 10);
      if (end == text) break;  // not written by SaveMetadata
      changelog_caught_up_.insert(static_cast<int32_t>(writer));
      text = *end == ',' ? end + 1 : end;
    }
  }
}

std::string JoinStage::right_positions_key() const {
  if (right_->topic() == left_.topic()) return right_->topic() + "#right";
  return right_->topic();
}

}  // namespace sluice
