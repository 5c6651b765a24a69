#include "runtime/pipeline/stateful_stage.h"

#include <algorithm>
#include <cstdlib>
#include <limits>

#include "runtime/operator/changelog_aggregate.h"
#include "runtime/operator/window_aggregate.h"
#include "runtime/plan/physical_aggregate.h"

namespace sluice {

int StatefulStage::FindStatefulOperator(const PhysicalPlan& plan) {
  for (size_t op_idx = 0; op_idx < plan.operators.size(); ++op_idx) {
    if (plan.operators[op_idx]->kind() == PhysicalOperatorKind::kAggregate) {
      return static_cast<int>(op_idx);
    }
  }
  return -1;
}

Result<std::unique_ptr<StatefulStage>> StatefulStage::Create(const PhysicalPlan& plan, int index,
                                                             EvalContext& context) {
  const PhysicalOperator& op = *plan.operators[static_cast<size_t>(index)];
  if (op.kind() != PhysicalOperatorKind::kAggregate) {
    return Status::Internal("operator " + std::to_string(index) + " is not stateful");
  }
  const auto& aggregate = static_cast<const PhysicalAggregate&>(op);
  WatermarkTracker watermarks(plan.source.partitions, aggregate.allow_latency_ms,
                              aggregate.idle_timeout_ms);
  // Stage 2 of 'parallelism'=N: its stage-1 writers start with it and say which partitions
  // they hold (repartition_sink.h). Restarted alone, it read their start marks before.
  if (plan.source.repartitioned && !plan.source.marks_by_writer &&
      !plan.source.siblings_kept_running) {
    watermarks.ExpectWriters(plan.parallelism);
  }
  if (!aggregate.changelog_key.empty()) {
    auto changelog_aggregate = std::make_unique<ChangelogAggregateOperator>(aggregate, context);
    changelog_aggregate->set_cache_budget(static_cast<size_t>(plan.state_cache_max_bytes));
    ChangelogAggregateOperator* raw = changelog_aggregate.get();
    auto stage = std::unique_ptr<StatefulStage>(
        new StatefulStage(std::move(changelog_aggregate), std::move(watermarks)));
    stage->changelog_aggregate_ = raw;
    return stage;
  }
  auto window_aggregate = std::make_unique<WindowAggregateOperator>(aggregate, context);
  window_aggregate->set_cache_budget(static_cast<size_t>(plan.state_cache_max_bytes));
  window_aggregate->set_state_ttl(plan.state_ttl_ms);
  WindowAggregateOperator* raw = window_aggregate.get();
  auto stage = std::unique_ptr<StatefulStage>(
      new StatefulStage(std::move(window_aggregate), std::move(watermarks)));
  stage->window_aggregate_ = raw;
  return stage;
}

Status StatefulStage::Process(const RecordBatch& input, RecordBatch& output,
                              const std::vector<RecordMeta>* read) {
  // Each row meets the watermark of the rows before it, exactly as if rows came one at a time:
  // how the source happened to batch them never changes which records are late. The rows read
  // include those the operators before the stage dropped (a WHERE): they move event time too, or
  // which rows a filter keeps would decide when windows close.
  if (closing()) {
    // Input before the slices of a close are out (a caller not draining them): finish it first,
    // rows arriving later must not reach the windows being closed.
    RETURN_NOT_OK(window_aggregate_->AdvanceWatermark(closing_to_, output));
    closed_to_ = closing_to_;
    closing_to_ = INT64_MIN;
  }
  const auto now = WatermarkTracker::Clock::now();
  watermark_before_row_.resize(input.num_rows());
  size_t next_read = 0;
  auto observe_read_until = [&](size_t end) {
    for (; next_read < end; ++next_read) {
      watermarks_.Observe((*read)[next_read], now);
      watermarks_.Update(now);
    }
  };
  for (size_t row = 0; row < input.num_rows(); ++row) {
    const RecordMeta& meta = input.meta()[row];
    if (read != nullptr) {
      // Operators keep rows in order, so the row is the next read one from its record.
      size_t match = next_read;
      while (match < read->size() &&
             ((*read)[match].partition != meta.partition || (*read)[match].offset != meta.offset)) {
        ++match;
      }
      if (match < read->size()) {
        observe_read_until(match);
        ++next_read;  // the row itself, observed below
      } else {
        read = nullptr;  // not from this batch's records: observe the rows alone, as before
      }
    }
    watermark_before_row_[row] = watermarks_.watermark();
    watermarks_.Observe(meta, now);
    watermarks_.Update(now);
  }
  if (read != nullptr) observe_read_until(read->size());
  if (unread_ != nullptr) watermarks_.ReleaseRead(*unread_);
  if (window_aggregate_ != nullptr) {
    RETURN_NOT_OK(window_aggregate_->ProcessRows(input, watermark_before_row_, output));
  } else {
    RETURN_NOT_OK(operator_->Process(input, output));
  }
  int64_t watermark = watermarks_.Update(now);
  if (watermark == WatermarkTracker::kNoWatermark) return Status::OK();
  if (window_aggregate_ != nullptr && close_slice_rows_ > 0) {
    bool done = false;
    RETURN_NOT_OK(
        window_aggregate_->AdvanceWatermarkSome(watermark, close_slice_rows_, output, &done));
    if (!done) closing_to_ = watermark;
    return Status::OK();
  }
  return operator_->AdvanceWatermark(watermark, output);
}

Status StatefulStage::ContinueClosing(RecordBatch& output) {
  if (!closing()) return Status::OK();
  bool done = false;
  RETURN_NOT_OK(window_aggregate_->AdvanceWatermarkSome(
      closing_to_, std::max<size_t>(close_slice_rows_, 1), output, &done));
  if (done) {
    closed_to_ = closing_to_;
    closing_to_ = INT64_MIN;
  }
  return Status::OK();
}

Status StatefulStage::AttachState(StateStore& store) {
  ASSIGN_OR_RETURN(StateTable * table, store.Table("aggregate"));
  if (changelog_aggregate_ != nullptr) return changelog_aggregate_->AttachState(table);
  return window_aggregate_->AttachState(table);
}

Status StatefulStage::ProcessJoined(const RecordBatch& input, int64_t watermark,
                                    RecordBatch& output) {
  // The join's rows come no earlier than the watermark the stage last advanced to, so they are
  // processed first and the watermark moves after them (see JoinAggregateStage).
  if (window_aggregate_ != nullptr) {
    RETURN_NOT_OK(window_aggregate_->ProcessRows(input, {}, output));
  } else {
    RETURN_NOT_OK(operator_->Process(input, output));
  }
  if (watermark == WatermarkTracker::kNoWatermark) return Status::OK();
  return operator_->AdvanceWatermark(watermark, output);
}

Status StatefulStage::Finish(RecordBatch& output) {
  return operator_->AdvanceWatermark(std::numeric_limits<int64_t>::max(), output);
}

Status StatefulStage::FinishSome(size_t min_rows, RecordBatch& output, bool* done) {
  *done = false;
  if (window_aggregate_ != nullptr) {
    // A window bigger than `min_rows` leaves in slices (closing_to_: the close in progress).
    while (output.num_rows() < min_rows) {
      if (closing_to_ == std::numeric_limits<int64_t>::min()) {
        closing_to_ = window_aggregate_->NextWindowEnd();
        if (closing_to_ == std::numeric_limits<int64_t>::max() || closing_to_ <= closed_to_) {
          closing_to_ = std::numeric_limits<int64_t>::min();
          break;
        }
      }
      bool window_done = false;
      RETURN_NOT_OK(window_aggregate_->AdvanceWatermarkSome(
          closing_to_, min_rows - output.num_rows(), output, &window_done));
      if (window_done) {
        closed_to_ = closing_to_;
        closing_to_ = std::numeric_limits<int64_t>::min();
      }
    }
    if (output.num_rows() >= min_rows) return Status::OK();
  }
  *done = true;
  return Finish(output);
}

bool StatefulStage::over_memory_budget() const {
  return changelog_aggregate_ != nullptr && changelog_aggregate_->over_budget();
}

void StatefulStage::SaveMetadata(std::map<std::string, std::string>& metadata) const {
  metadata["watermark"] = std::to_string(watermarks_.watermark());
  metadata["partition_event_times"] = watermarks_.SaveMaxima();
}

void StatefulStage::RestoreMetadata(const std::map<std::string, std::string>& metadata) {
  auto watermark = metadata.find("watermark");
  if (watermark != metadata.end()) {
    watermarks_.Restore(std::strtoll(watermark->second.c_str(), nullptr, 10));
  }
  auto maxima = metadata.find("partition_event_times");
  if (maxima != metadata.end()) watermarks_.RestoreMaxima(maxima->second);
}

}  // namespace sluice
