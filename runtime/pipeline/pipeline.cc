#include "runtime/pipeline/pipeline.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>

#include "common/clock.h"
#include "runtime/connector/connector_factory.h"
#include "runtime/operator/stateless_operators.h"

namespace sluice {

namespace {

constexpr size_t kBatchRows = 1024;
// Rows closed windows leave per step (a window's close, or a bounded input's end): few enough
// that the slice, its encoding and the sink's frames stay small and their buffers are reused from
// step to step; 64K rows made each slice fault in ~25 MiB of fresh pages, dear on a VM.
constexpr size_t kClosingRows = 8 * 1024;

std::string DescribeRecord(const Source& source, const RecordMeta& meta) {
  return "topic " + source.topic() + " partition " + std::to_string(meta.partition) + " offset " +
         std::to_string(meta.offset);
}

// A join's right source in the progress report. Reading the left's topic too (a self-join), the
// topic's positions are the smaller of the two sides' (what FLUSH may rely on).
void AddRightProgress(const Source& right, QueryProgress& progress) {
  progress.records_in += right.stats().records_in;
  progress.records_failed += right.stats().records_failed;
  std::vector<int64_t> positions = right.positions();
  auto [existing, inserted] = progress.positions.emplace(right.topic(), positions);
  if (!inserted) {
    for (size_t partition = 0; partition < positions.size(); ++partition) {
      if (partition < existing->second.size()) {
        existing->second[partition] = std::min(existing->second[partition], positions[partition]);
      }
    }
  }
  progress.end_offsets.emplace(right.topic(), right.end_offsets());
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
  Pipeline* raw = pipeline.get();
  pipeline->sink_->set_source_positions([raw]() { return raw->progress().positions; });
  pipeline->source_schema_ = plan->source.batch_schema();
  pipeline->plan_ = std::move(plan);
  if (pipeline->plan_->join_source) {
    ASSIGN_OR_RETURN(std::unique_ptr<Source> right,
                     CreateSource(*pipeline->plan_->join_source, data_dir));
    ASSIGN_OR_RETURN(pipeline->join_stage_,
                     JoinStage::Create(*pipeline->plan_, *pipeline->source_, std::move(right),
                                       pipeline->eval_context_));
    pipeline->join_stage_->set_row_error_handler([raw](JoinSide side, const RecordMeta& meta,
                                                       const Status& error) {
      const bool left = side == JoinSide::kLeft;
      return raw->HandleRowError(left ? *raw->source_ : raw->join_stage_->right(),
                                 left ? raw->plan_->source : *raw->plan_->join_source, meta, error);
    });
  }
  int stateful_index = StatefulStage::FindStatefulOperator(*pipeline->plan_);
  if (stateful_index >= 0) {
    ASSIGN_OR_RETURN(
        pipeline->stateful_stage_,
        StatefulStage::Create(*pipeline->plan_, stateful_index, pipeline->eval_context_));
    pipeline->stateful_index_ = static_cast<size_t>(stateful_index);
    // Step drains a big window's close a slice at a time (the join-aggregate path does not).
    if (pipeline->join_stage_ == nullptr)
      pipeline->stateful_stage_->set_close_slice_rows(kClosingRows);
    // A filter drops rows, and so does any operator whose failing rows are ignored.
    const auto& operators = pipeline->plan_->operators;
    pipeline->operators_may_drop_rows_ =
        pipeline->plan_->source.error_handling != ErrorHandling::kTerminate ||
        std::any_of(operators.begin(), operators.begin() + stateful_index,
                    [](const auto& op) { return op->kind() == PhysicalOperatorKind::kFilter; });
    if (pipeline->plan_->source.marks_by_writer) {
      pipeline->writer_watermark_stage_ = std::make_unique<WriterWatermarkAggregateStage>(
          *pipeline->stateful_stage_, pipeline->plan_->parallelism);
    }
    if (pipeline->join_stage_ != nullptr) {
      pipeline->join_aggregate_stage_ = std::make_unique<JoinAggregateStage>(
          static_cast<const PhysicalJoin&>(*pipeline->plan_->operators[0]), *pipeline->join_stage_,
          *pipeline->stateful_stage_);
    }
  }
  return pipeline;
}

Status Pipeline::RunPlan(RecordBatch& batch) {
  // Stage 1 of a repartitioned GROUP BY forwards the event time of every record read.
  if (!batch.meta().empty()) sink_->ObserveRead(batch.meta());
  if (stateful_stage_ == nullptr) return RunOperators(batch, 0, plan_->operators.size());
  if (writer_watermark_stage_ != nullptr) {
    RETURN_NOT_OK(RunOperators(batch, 0, stateful_index_));
    RecordBatch output(plan_->operators[stateful_index_]->output_schema());
    RETURN_NOT_OK(writer_watermark_stage_->Process(batch, source_->read_meta(), output));
    batch = std::move(output);
    return RunOperators(batch, stateful_index_ + 1, plan_->operators.size());
  }
  // A repartition topic's reader lists its watermark marks among the rows; otherwise the rows
  // as read are kept only when operators may drop some.
  const std::vector<RecordMeta>* read = source_->read_meta();
  if (read == nullptr && operators_may_drop_rows_) {
    read_meta_ = batch.meta();
    read = &read_meta_;
  }
  RETURN_NOT_OK(RunOperators(batch, 0, stateful_index_));
  RecordBatch output(plan_->operators[stateful_index_]->output_schema());
  RETURN_NOT_OK(stateful_stage_->Process(batch, output, read));
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
      RETURN_NOT_OK(
          HandleRowError(*source_, plan_->source, batch.meta()[static_cast<size_t>(row)], status));
      // IGNORE / IGNORE_AND_LOG: drop the failing row and evaluate the rest again.
      std::vector<uint8_t> keep(batch.num_rows(), 1);
      keep[static_cast<size_t>(row)] = 0;
      batch.Filter(keep);
    }
  }
  return Status::OK();
}

Status Pipeline::HandleRowError(const Source& source, const SourceSpec& spec,
                                const RecordMeta& meta, const Status& error) {
  std::string where = DescribeRecord(source, meta);
  if (spec.error_handling == ErrorHandling::kTerminate) {
    return error.WithContext("record at " + where);
  }
  ++records_failed_in_operators_;
  last_operator_error_ = "record at " + where + ": " + error.message();
  return Status::OK();
}

Status Pipeline::Step(bool* idle, bool* finished) {
  *idle = false;
  *finished = false;
  if (plan_->limit >= 0 && rows_emitted_ >= plan_->limit) {
    *finished = true;
    return Status::OK();
  }
  bool started_now = false;
  if (!started_) {
    // Before the first poll: which partitions still hold records written before the source
    // opened (or resumed). They hold the watermark back (docs/windows.md), here or, through the
    // repartition sink's start mark, in stage 2.
    started_ = true;
    const std::vector<uint8_t>* unread = source_->unread_at_start();
    ASSIGN_OR_RETURN(started_now, sink_->ObserveStart(unread));
    if (stateful_stage_ != nullptr && join_stage_ == nullptr && unread != nullptr) {
      stateful_stage_->HoldUnread(*unread);  // a join's stages hold their own (JoinStage::Step)
    }
  }
  if (join_stage_ != nullptr) return StepJoin(idle, finished);
  if (stateful_stage_ != nullptr && stateful_stage_->closing()) {
    // Windows the watermark closed leave a slice per step, before any more input is read.
    RecordBatch closing(plan_->operators[stateful_index_]->output_schema());
    RETURN_NOT_OK(stateful_stage_->ContinueClosing(closing));
    RETURN_NOT_OK(RunOperators(closing, stateful_index_ + 1, plan_->operators.size()));
    return Emit(closing, idle, finished);
  }
  RecordBatch batch(source_schema_);
  RETURN_NOT_OK(source_->Poll(kBatchRows, batch));
  if (batch.num_rows() == 0) {
    // Watermark marks of a repartition topic are input too: their positions must be committed
    // and reported (FLUSH waits for them), so reading only marks is not idle.
    // So are end marks (caught_up_writers: an ended writer counts as caught up).
    const std::vector<RecordMeta>* read = source_->read_meta();
    const std::vector<int32_t>* ended = source_->caught_up_writers();
    *idle = (read == nullptr || read->empty()) && (ended == nullptr || ended->empty());
    *finished = source_->exhausted();
    if (started_now) *idle = false;  // the start mark is output to flush
    if (*idle && source_->caught_up()) {
      // Stage 1 of a temporal join's changelog tells stage 2 it has read its share once.
      ASSIGN_OR_RETURN(bool wrote, sink_->ObserveCaughtUp());
      if (wrote) *idle = false;
    }
    // An idle poll may let an idle partition stop holding the watermark back.
    if (stateful_stage_ == nullptr) return ObserveEnd(*finished, idle);
  }
  RETURN_NOT_OK(RunPlan(batch));
  if (*finished && stateful_stage_ != nullptr && !finished_stage_) {
    // End of a bounded input: close what is still open, a few windows per step so the output
    // (and the sink's encoding of it) is not every open group at once.
    RecordBatch closing(plan_->operators[stateful_index_]->output_schema());
    RETURN_NOT_OK(stateful_stage_->FinishSome(kClosingRows, closing, &finished_stage_));
    if (!finished_stage_) {
      *finished = false;
      *idle = false;
    }
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
  RETURN_NOT_OK(Emit(batch, idle, finished));
  return ObserveEnd(*finished, idle);
}

Status Pipeline::ObserveEnd(bool finished, bool* idle) {
  if (!finished) return Status::OK();
  // A stage of a bounded query with parallelism that writes a repartition topic tells the next
  // stage it has read its share to the end (after the caught-up mark and, when it aggregates,
  // after the rows closing its groups emitted: a writer's end mark is its last record).
  ASSIGN_OR_RETURN(bool wrote, sink_->ObserveEnd());
  if (wrote) *idle = false;
  return Status::OK();
}

Status Pipeline::StepJoin(bool* idle, bool* finished) {
  RecordBatch batch(plan_->operators[0]->output_schema());
  bool exhausted = false;
  RETURN_NOT_OK(join_stage_->Step(kBatchRows, batch, idle, &exhausted));
  if (exhausted && !finished_stage_) {
    // Both bounded inputs ended: close every interval (outer rows come out now).
    finished_stage_ = true;
    RETURN_NOT_OK(join_stage_->Finish(batch));
  }
  *finished = exhausted;
  if (join_aggregate_stage_ == nullptr) {
    RETURN_NOT_OK(RunOperators(batch, 1, plan_->operators.size()));
    RETURN_NOT_OK(Emit(batch, idle, finished));
    // Stage 2 of a GROUP BY over a join: after this step's rows, its watermark goes to stage 3
    // (a pending mark is output to flush, like a window the clock closed).
    const int64_t watermark = AggregateWatermarkOfJoin(
        static_cast<const PhysicalJoin&>(*plan_->operators[0]), join_stage_->watermark());
    if (watermark != WatermarkTracker::kNoWatermark && sink_->ObserveWatermark(watermark)) {
      *idle = false;
    }
    // A bounded one's end mark after its last rows: stage 3 ends (closing its windows) once it
    // has read every join worker's.
    return ObserveEnd(*finished, idle);
  }
  // GROUP BY over the join: the aggregate runs on the join's output, including what an idle
  // step emits, so that windows close as the join's watermark moves.
  RETURN_NOT_OK(RunOperators(batch, 1, stateful_index_));
  RecordBatch aggregated(stateful_stage_->output_schema());
  RETURN_NOT_OK(join_aggregate_stage_->Process(batch, aggregated));
  if (exhausted) RETURN_NOT_OK(join_aggregate_stage_->Finish(aggregated));
  RETURN_NOT_OK(RunOperators(aggregated, stateful_index_ + 1, plan_->operators.size()));
  return Emit(aggregated, idle, finished);
}

Status Pipeline::Emit(RecordBatch& batch, bool* idle, bool* finished) {
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

Status Pipeline::EnableCheckpoints(const std::string& state_dir) {
  CheckpointOptions options;
  options.interval_ms = plan_->checkpoint_interval_ms;
  options.max_uncommitted_bytes = static_cast<size_t>(plan_->state_cache_max_bytes);
  CheckpointedStage* stage =
      writer_watermark_stage_ != nullptr
          ? static_cast<CheckpointedStage*>(writer_watermark_stage_.get())
      : join_aggregate_stage_ != nullptr
          ? static_cast<CheckpointedStage*>(join_aggregate_stage_.get())
      : join_stage_ != nullptr     ? static_cast<CheckpointedStage*>(join_stage_.get())
      : stateful_stage_ != nullptr ? static_cast<CheckpointedStage*>(stateful_stage_.get())
                                   : sink_->checkpointed_state();
  ASSIGN_OR_RETURN(checkpoints_,
                   CheckpointCoordinator::Open(state_dir, *source_, *sink_, stage, options));
  return Status::OK();
}

void Pipeline::WaitForData(int timeout_ms) {
  if (join_stage_ != nullptr) {
    join_stage_->WaitForData(timeout_ms);
  } else {
    source_->WaitForData(timeout_ms);
  }
}

Status Pipeline::Flush(bool caught_up, bool stopping) {
  if (checkpoints_ == nullptr) return sink_->Flush();
  return checkpoints_->MaybeCommit(caught_up, stopping);
}

QueryProgress Pipeline::progress() const {
  QueryProgress progress;
  const SourceStats& stats = source_->stats();
  progress.records_in = stats.records_in;
  progress.records_out = sink_->records_out();
  progress.records_failed = stats.records_failed + records_failed_in_operators_;
  progress.last_error = last_operator_error_.empty() ? stats.last_error : last_operator_error_;
  if (join_aggregate_stage_ != nullptr) {
    progress.late_records = join_aggregate_stage_->late_records();
    join_aggregate_stage_->AddStateCounters(progress.state);
    progress.watermark = join_stage_->watermark();
  } else if (stateful_stage_ != nullptr) {
    progress.late_records = stateful_stage_->late_records();
    stateful_stage_->AddStateCounters(progress.state);
    progress.watermark = writer_watermark_stage_ != nullptr ? writer_watermark_stage_->watermark()
                                                            : stateful_stage_->watermark();
  } else if (join_stage_ != nullptr) {
    progress.late_records = join_stage_->late_records();
    join_stage_->AddStateCounters(progress.state);
    progress.watermark = join_stage_->watermark();
  }
  progress.positions[source_->topic()] = source_->positions();
  progress.end_offsets[source_->topic()] = source_->end_offsets();
  if (join_stage_ != nullptr) AddRightProgress(join_stage_->right(), progress);
  if (checkpoints_ != nullptr) checkpoints_->FillProgress(progress);
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
    // Uncommitted state past its budget (evicted groups) commits without waiting.
    const bool over_budget = checkpoints_ != nullptr && checkpoints_->over_budget();
    if (dirty &&
        (idle || finished || over_budget || now - last_report > std::chrono::milliseconds(200))) {
      RETURN_NOT_OK(Flush(/*caught_up=*/idle || finished));
      // A bounded input read to its end whose last windows are still being closed (a slice per
      // step) has positions at the end and output not all written yet: FLUSH, which waits for
      // the positions, must not see them before the closing is done.
      const bool closing =
          stateful_stage_ != nullptr &&
          ((!finished_stage_ && source_->exhausted()) || stateful_stage_->closing());
      if (listener != nullptr && !closing) listener->OnProgress(progress());
      last_report = now;
      // A commit not yet due keeps the pipeline coming back: outputs emitted by an idle step (a
      // window or interval closed by the clock) must not wait for the next record to show.
      dirty = checkpoints_ != nullptr && checkpoints_->pending();
    }
    if (finished) break;
    if (idle) WaitForData(20);
  }
  RETURN_NOT_OK(Flush(/*caught_up=*/true, /*stopping=*/true));
  if (listener != nullptr) listener->OnProgress(progress());
  return Status::OK();
}

}  // namespace sluice
