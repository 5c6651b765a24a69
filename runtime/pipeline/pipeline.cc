#include "runtime/pipeline/pipeline.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>

#include "common/clock.h"
#include "runtime/connector/connector_factory.h"
#include "runtime/operator/stateless_operators.h"
#include "runtime/pipeline/source_positions.h"

namespace sluice {

namespace {

constexpr size_t kBatchRows = 1024;

std::string DescribeRecord(const Source& source, const RecordMeta& meta) {
  return "topic " + source.topic() + " partition " + std::to_string(meta.partition) + " offset " +
         std::to_string(meta.offset);
}

}  // namespace

Result<std::unique_ptr<Pipeline>> Pipeline::Create(std::unique_ptr<PhysicalPlan> plan,
                                                   const std::string& data_dir,
                                                   std::unique_ptr<Sink> sink) {
  std::unique_ptr<Pipeline> pipeline(new Pipeline());
  ASSIGN_OR_RETURN(pipeline->source_, CreateSource(plan->source, data_dir));
  if (sink == nullptr) {
    ASSIGN_OR_RETURN(sink, CreateSink(plan->sink, data_dir));
  }
  pipeline->sink_ = std::move(sink);
  pipeline->source_schema_ = plan->source.batch_schema();
  pipeline->plan_ = std::move(plan);
  int stateful_index = StatefulStage::FindStatefulOperator(*pipeline->plan_);
  if (stateful_index >= 0) {
    ASSIGN_OR_RETURN(
        pipeline->stateful_stage_,
        StatefulStage::Create(*pipeline->plan_, stateful_index, pipeline->eval_context_));
    pipeline->stateful_index_ = static_cast<size_t>(stateful_index);
  }
  return pipeline;
}

Status Pipeline::RunPlan(RecordBatch& batch) {
  if (stateful_stage_ == nullptr) return RunOperators(batch, 0, plan_->operators.size());
  RETURN_NOT_OK(RunOperators(batch, 0, stateful_index_));
  RecordBatch output(plan_->operators[stateful_index_]->output_schema());
  RETURN_NOT_OK(stateful_stage_->Process(batch, output));
  batch = std::move(output);
  return RunOperators(batch, stateful_index_ + 1, plan_->operators.size());
}

Status Pipeline::RunOperators(RecordBatch& batch, size_t begin, size_t end) {
  for (size_t op_idx = begin; op_idx < end; ++op_idx) {
    const auto& op = plan_->operators[op_idx];
    if (batch.num_rows() == 0) break;
    while (true) {
      eval_context_.error_row = -1;
      Status status = ExecuteOperator(*op, batch, eval_context_);
      if (status.ok()) break;
      int64_t row = eval_context_.error_row;
      if (row < 0 || static_cast<size_t>(row) >= batch.num_rows()) return status;
      std::string where = DescribeRecord(*source_, batch.meta()[static_cast<size_t>(row)]);
      if (plan_->source.error_handling == ErrorHandling::kTerminate) {
        return status.WithContext("record at " + where);
      }
      // IGNORE / IGNORE_AND_LOG: drop the failing row and evaluate the rest again.
      ++records_failed_in_operators_;
      last_operator_error_ = "record at " + where + ": " + status.message();
      std::vector<uint8_t> keep(batch.num_rows(), 1);
      keep[static_cast<size_t>(row)] = 0;
      batch.Filter(keep);
    }
  }
  return Status::OK();
}

Status Pipeline::Step(bool* idle, bool* finished) {
  *idle = false;
  *finished = false;
  if (plan_->limit >= 0 && rows_emitted_ >= plan_->limit) {
    *finished = true;
    return Status::OK();
  }
  RecordBatch batch(source_schema_);
  RETURN_NOT_OK(source_->Poll(kBatchRows, batch));
  if (batch.num_rows() == 0) {
    *idle = true;
    *finished = source_->exhausted();
    // An idle poll may let an idle partition stop holding the watermark back.
    if (stateful_stage_ == nullptr) return Status::OK();
  }
  RETURN_NOT_OK(RunPlan(batch));
  if (*finished && stateful_stage_ != nullptr && !finished_stage_) {
    // End of a bounded input: close what is still open.
    finished_stage_ = true;
    RecordBatch closing(plan_->operators[stateful_index_]->output_schema());
    RETURN_NOT_OK(stateful_stage_->Finish(closing));
    RETURN_NOT_OK(RunOperators(closing, stateful_index_ + 1, plan_->operators.size()));
    if (batch.num_rows() == 0) {
      batch = std::move(closing);
    } else {
      for (size_t column_idx = 0; column_idx < batch.num_columns(); ++column_idx) {
        for (size_t row = 0; row < closing.num_rows(); ++row) {
          batch.column(column_idx).AppendFrom(closing.column(column_idx), row);
        }
      }
      for (size_t row = 0; row < closing.num_rows(); ++row) {
        batch.meta().push_back(closing.meta()[row]);
        batch.keys().emplace_back();
      }
    }
  }
  if (plan_->limit >= 0) {
    int64_t room = plan_->limit - rows_emitted_;
    if (static_cast<int64_t>(batch.num_rows()) > room) {
      std::vector<uint8_t> keep(batch.num_rows(), 0);
      for (int64_t row = 0; row < room; ++row) keep[static_cast<size_t>(row)] = 1;
      batch.Filter(keep);
    }
  }
  if (batch.num_rows() > 0) {
    RETURN_NOT_OK(sink_->Write(batch));
    rows_emitted_ += static_cast<int64_t>(batch.num_rows());
    *idle = false;  // a watermark moved by the clock closed windows: there is output to flush
  }
  *finished = *finished || (plan_->limit >= 0 && rows_emitted_ >= plan_->limit);
  return Status::OK();
}

Status Pipeline::EnableCheckpoints(const std::string& dir) {
  if (stateful_stage_ == nullptr) return Status::OK();
  ASSIGN_OR_RETURN(state_store_, StateStore::Open(dir, StateStoreOptions{}));
  RETURN_NOT_OK(stateful_stage_->AttachState(*state_store_));
  const std::optional<CheckpointManifest>& last = state_store_->last_checkpoint();
  if (!last) return Status::OK();
  checkpoint_id_ = last->checkpoint_id;
  auto watermark = last->metadata.find("watermark");
  if (watermark != last->metadata.end()) {
    stateful_stage_->RestoreWatermark(std::strtoll(watermark->second.c_str(), nullptr, 10));
  }
  checkpoint_at_ms_ = last->created_at_ms;
  state_size_bytes_ = state_store_->ApproximateSizeBytes();
  auto positions = last->source_positions.find(source_->topic());
  if (positions == last->source_positions.end()) return Status::OK();
  RETURN_NOT_OK(source_->Seek(positions->second));
  saved_positions_ = positions->second;
  return Status::OK();
}

Status Pipeline::Flush(bool save_now) {
  RETURN_NOT_OK(sink_->FlushAt(source_->topic(), source_->positions()));
  if (state_store_ == nullptr && positions_path_.empty()) return Status::OK();
  // A checkpoint rewrites every open group (not yet incremental), so with large state it takes
  // long: the pause after one is at least ten times its duration, which keeps the time spent
  // checkpointing under a tenth of the query's.
  const auto now = std::chrono::steady_clock::now();
  const auto pause = std::max<std::chrono::microseconds>(
      std::chrono::seconds(1), std::chrono::microseconds(10 * checkpoint_duration_us_));
  if (!save_now && !sink_->transactional() && now - last_save_ < pause) return Status::OK();
  std::vector<int64_t> positions = source_->positions();
  if (positions == saved_positions_) return Status::OK();
  if (state_store_ != nullptr) {
    RETURN_NOT_OK(Checkpoint(positions));
  } else {
    RETURN_NOT_OK(
        SaveSourcePositions(positions_path_, SourcePositions{source_->topic(), positions}));
  }
  last_save_ = std::chrono::steady_clock::now();
  if (state_store_ != nullptr) {
    checkpoint_duration_us_ =
        std::chrono::duration_cast<std::chrono::microseconds>(last_save_ - now).count();
  }
  saved_positions_ = std::move(positions);
  return Status::OK();
}

Status Pipeline::Checkpoint(const std::vector<int64_t>& positions) {
  // Between batches: every record before `positions` has reached the operator, so its state and
  // these positions describe the same point of the input.
  RETURN_NOT_OK(stateful_stage_->PrepareCheckpoint());
  CheckpointManifest manifest;
  manifest.checkpoint_id = checkpoint_id_ + 1;
  manifest.created_at_ms = CurrentTimeMillis();
  manifest.source_positions[source_->topic()] = positions;
  manifest.metadata["watermark"] = std::to_string(stateful_stage_->watermark());
  RETURN_NOT_OK(state_store_->Commit(manifest));
  checkpoint_id_ = manifest.checkpoint_id;
  checkpoint_at_ms_ = manifest.created_at_ms;
  state_size_bytes_ = state_store_->ApproximateSizeBytes();
  return Status::OK();
}

QueryProgress Pipeline::progress() const {
  QueryProgress progress;
  const SourceStats& stats = source_->stats();
  progress.records_in = stats.records_in;
  progress.records_out = sink_->records_out();
  progress.records_failed = stats.records_failed + records_failed_in_operators_;
  progress.last_error = last_operator_error_.empty() ? stats.last_error : last_operator_error_;
  if (stateful_stage_ != nullptr) {
    progress.late_records = stateful_stage_->late_records();
    progress.watermark = stateful_stage_->watermark();
    progress.checkpoint_id = checkpoint_id_;
    progress.checkpoint_at_ms = checkpoint_at_ms_;
    progress.checkpoint_duration_us = checkpoint_duration_us_;
    progress.state_size_bytes = state_size_bytes_;
  }
  progress.positions[source_->topic()] = source_->positions();
  progress.end_offsets[source_->topic()] = source_->end_offsets();
  return progress;
}

Status Pipeline::Run(const std::atomic<bool>& stop, ProgressListener* listener) {
  using Clock = std::chrono::steady_clock;
  auto last_report = Clock::now();
  bool dirty = true;  // something happened since the last report
  while (!stop.load(std::memory_order_relaxed)) {
    bool idle = false;
    bool finished = false;
    RETURN_NOT_OK(Step(&idle, &finished));
    if (!idle) dirty = true;
    auto now = Clock::now();
    // Report when caught up (what FLUSH waits for) and a few times a second while busy. Outputs
    // are flushed first so reported positions never run ahead of visible output.
    if (dirty && (idle || finished || now - last_report > std::chrono::milliseconds(200))) {
      RETURN_NOT_OK(Flush());
      if (listener != nullptr) listener->OnProgress(progress());
      last_report = now;
      dirty = false;
    }
    if (finished) break;
    if (idle) source_->WaitForData(20);
  }
  RETURN_NOT_OK(Flush(/*save_now=*/true));
  if (listener != nullptr) listener->OnProgress(progress());
  return Status::OK();
}

}  // namespace sluice
