#pragma once
// A Pipeline runs a PhysicalPlan: it polls its source for a batch, pushes the batch through the
// operators and hands the result to the sink. The same pipeline runs in a worker process for a
// persistent query and inside the engine for an interactive SELECT.

#include <atomic>
#include <chrono>
#include <memory>
#include <string>

#include "runtime/connector/source.h"
#include "runtime/expression/evaluate.h"
#include "runtime/expression/expression_node.h"
#include "runtime/pipeline/checkpoint_coordinator.h"
#include "runtime/pipeline/join_aggregate_stage.h"
#include "runtime/pipeline/join_stage.h"
#include "runtime/pipeline/query_runner.h"
#include "runtime/pipeline/stateful_stage.h"
#include "runtime/pipeline/writer_watermark_aggregate_stage.h"
#include "runtime/plan/physical_plan.h"

namespace sluice {

class Pipeline {
 public:
  // `sink` may be null for plans with SinkKind::kLocalLog / kDiscard (the pipeline builds it);
  // a kCollect plan must pass one.
  static Result<std::unique_ptr<Pipeline>> Create(std::unique_ptr<PhysicalPlan> plan,
                                                  const std::string& data_dir,
                                                  std::unique_ptr<Sink> sink = nullptr);
  Pipeline(const Pipeline&) = delete;
  Pipeline& operator=(const Pipeline&) = delete;

  // Processes at most one batch. Sets *idle when the source had nothing. Sets *finished when the
  // plan's LIMIT was reached or a bounded source is exhausted.
  Status Step(bool* idle, bool* finished);
  // Runs until `stop` is set, the plan finishes, or an error.
  Status Run(const std::atomic<bool>& stop, ProgressListener* listener);

  // Flushes the sink; with checkpoints enabled, commits if due (`caught_up`: the pipeline is
  // idle, finished or stopping, which commits pending outputs at once) and publishes the sink's
  // outputs.
  // `stopping` commits whatever is pending regardless of the interval.
  Status Flush(bool caught_up = false, bool stopping = false);
  // Persistent queries: commits source positions, sink ends and operator state under
  // `state_dir` (CheckpointCoordinator), and restores the last commit now: operator state, the
  // sink's outputs cut or published to the committed ends, the source seeked.
  // The plan's checkpoint_interval_ms paces the commits of a busy query.
  Status EnableCheckpoints(const std::string& state_dir);
  bool stateful() const { return stateful_stage_ != nullptr || join_stage_ != nullptr; }
  QueryProgress progress() const;
  // The plan's (first) source; a join's left side.
  Source& source() { return *source_; }
  // Sleeps until a source may have data or `timeout_ms` passed.
  void WaitForData(int timeout_ms);

 private:
  Pipeline() = default;
  // Runs the operators over `batch`; on a per-row evaluation error applies the source's bad
  // record policy (drop the row and retry, or fail naming the record).
  Status RunOperators(RecordBatch& batch, size_t begin, size_t end);
  // A row of `source` whose evaluation failed with `error`: the error itself (with where the
  // record is) when the source's error handling is TERMINATE, else counted and OK (the caller
  // drops the row).
  Status HandleRowError(const Source& source, const SourceSpec& spec, const RecordMeta& meta,
                        const Status& error);
  // Runs `batch` (source rows) through every operator, the stateful stage included; on return
  // `batch` holds the rows for the sink.
  Status RunPlan(RecordBatch& batch);
  // Step() of a join plan: the join stage polls a side; the rest of the plan runs on its output.
  Status StepJoin(bool* idle, bool* finished);
  // Applies LIMIT to `batch` (the plan's output) and writes it to the sink.
  Status Emit(RecordBatch& batch, bool* idle, bool* finished);
  // Once the input is `finished` and every row is emitted: the sink's end mark (ObserveEnd).
  Status ObserveEnd(bool finished, bool* idle);

  std::unique_ptr<PhysicalPlan> plan_;
  std::unique_ptr<Source> source_;
  std::unique_ptr<Sink> sink_;
  Schema source_schema_;                           // the columns the source decodes, in batch order
  std::unique_ptr<StatefulStage> stateful_stage_;  // null for stateless plans
  size_t stateful_index_ = 0;                      // plan_->operators index of the stage
  std::unique_ptr<JoinStage> join_stage_;  // plans that start with a JOIN; owns the right source
  // A join plan that aggregates the join's output: joins stateful_stage_ to join_stage_.
  std::unique_ptr<JoinAggregateStage> join_aggregate_stage_;
  // Stage 3 of a GROUP BY over a join with parallelism: stateful_stage_ driven by its writers'
  // watermark marks (SourceSpec::marks_by_writer).
  std::unique_ptr<WriterWatermarkAggregateStage> writer_watermark_stage_;
  bool finished_stage_ = false;  // Finish() ran (a bounded source ended)
  bool started_ = false;         // the first Step ran (ObserveStart, HoldUnread)
  EvalContext eval_context_;
  int64_t rows_emitted_ = 0;
  int64_t records_failed_in_operators_ = 0;
  // Whether the operators ahead of the stateful stage can drop rows; then read_meta_ keeps the
  // rows of the batch being run as read, for the stage's watermark (reused across batches).
  bool operators_may_drop_rows_ = false;
  std::vector<RecordMeta> read_meta_;
  std::string last_operator_error_;
  std::unique_ptr<CheckpointCoordinator> checkpoints_;  // set by EnableCheckpoints
};

}  // namespace sluice
