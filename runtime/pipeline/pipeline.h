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
#include "runtime/pipeline/join_stage.h"
#include "runtime/pipeline/query_runner.h"
#include "runtime/pipeline/stateful_stage.h"
#include "runtime/plan/physical_plan.h"
#include "storage/state/state_store.h"

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

  // Flushes the sink (positions then cover everything written). With a positions file, also
  // saves the positions there, at most once a second unless `save_now` (an fsync'd file write
  // per idle moment would cost more than the records it protects).
  Status Flush(bool save_now = false);
  // Where Flush() saves the source's positions (persistent queries); empty: nowhere.
  void set_positions_path(std::string path) { positions_path_ = std::move(path); }
  // Stateful plans: keeps operator state in a StateStore in `dir`, restores the last checkpoint
  // (operator state, then the source seeks to the positions committed with it), and makes
  // Flush() commit state and positions together instead of writing the positions file, so a
  // restarted query never resumes with positions ahead of its state. No-op for stateless plans.
  Status EnableCheckpoints(const std::string& dir);
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
  // Runs `batch` (source rows) through every operator, the stateful stage included; on return
  // `batch` holds the rows for the sink.
  Status RunPlan(RecordBatch& batch);
  // Commits operator state with `positions` (and the watermark) as the next checkpoint.
  Status Checkpoint(const std::vector<int64_t>& positions);
  // Step() of a join plan: the join stage polls a side; the rest of the plan runs on its output.
  Status StepJoin(bool* idle, bool* finished);
  // Applies LIMIT to `batch` (the plan's output) and writes it to the sink.
  Status Emit(RecordBatch& batch, bool* idle, bool* finished);
  // Every source's positions, the join's right side after the left (what Flush compares).
  std::vector<int64_t> AllPositions() const;

  std::unique_ptr<PhysicalPlan> plan_;
  std::unique_ptr<Source> source_;
  std::unique_ptr<Sink> sink_;
  Schema source_schema_;                           // the columns the source decodes, in batch order
  std::unique_ptr<StatefulStage> stateful_stage_;  // null for stateless plans
  size_t stateful_index_ = 0;                      // plan_->operators index of the stage
  std::unique_ptr<JoinStage> join_stage_;  // plans that start with a JOIN; owns the right source
  bool finished_stage_ = false;            // Finish() ran (a bounded source ended)
  EvalContext eval_context_;
  int64_t rows_emitted_ = 0;
  int64_t records_failed_in_operators_ = 0;
  std::string last_operator_error_;
  std::string positions_path_;
  std::vector<int64_t> saved_positions_;  // what positions_path_ holds, to skip needless writes
  std::chrono::steady_clock::time_point last_save_{};
  std::unique_ptr<StateStore> state_store_;  // set by EnableCheckpoints
  int64_t checkpoint_id_ = 0;                // of the last committed checkpoint
  int64_t checkpoint_at_ms_ = 0;
  int64_t checkpoint_duration_us_ = 0;
  int64_t state_size_bytes_ = 0;
};

}  // namespace sluice
