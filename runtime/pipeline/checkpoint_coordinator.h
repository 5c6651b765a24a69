#pragma once
// The checkpoint coordinator of a persistent query: decides when to commit, commits source
// positions, sink end offsets and operator state together, then publishes the sink's staged
// outputs; on start it restores the last commit (state, watermark, outputs cut or published to
// the committed ends, sources seeked). The protocol and its guarantees are in
// docs/checkpoints.md. Called between batches on the pipeline thread, which is the barrier.

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "runtime/connector/source.h"
#include "runtime/pipeline/checkpointed_stage.h"
#include "runtime/pipeline/commit_file.h"
#include "runtime/pipeline/query_runner.h"
#include "storage/state/state_store.h"

namespace sluice {

struct CheckpointOptions {
  // How often a busy query commits (its outputs become visible at each commit); a query that
  // catches up commits at once. Stretched to twice the last checkpoint's duration, so a query
  // that cannot keep up still spends at least half its time processing.
  int64_t interval_ms = 1000;
  // Stateful queries: uncommitted state (the store's write batch, in memory until the commit)
  // past which a busy query commits at once instead of waiting for the interval, so groups a
  // GROUP BY evicts between checkpoints do not pile up in memory ('state.cache.max.bytes').
  size_t max_uncommitted_bytes = 64u << 20;
};

class CheckpointCoordinator {
 public:
  // `stage` is null for stateless plans (one source), which commit to <state_dir>/commit
  // (CommitFile), or to <state_dir>/positions.json when the sink cannot stage; stateful ones use a
  // StateStore in <state_dir>/state. Restores the last commit before returning.
  static Result<std::unique_ptr<CheckpointCoordinator>> Open(const std::string& state_dir,
                                                             Source& source, Sink& sink,
                                                             CheckpointedStage* stage,
                                                             CheckpointOptions options);

  // Commits what the pipeline did since the last commit, if due: with a staging sink, a
  // `caught_up` pipeline (idle or finished) commits at once, a busy one once per interval;
  // `stopping` always commits.
  Status MaybeCommit(bool caught_up, bool stopping = false);
  // Positions, checkpoint id, age, duration and state size for DESCRIBE QUERY and FLUSH: with a
  // staging sink, positions are those of the last commit (only its outputs are visible).
  void FillProgress(QueryProgress& progress) const;
  // The last MaybeCommit left work uncommitted because the interval had not passed (outputs
  // staged but not visible yet): the pipeline must call it again, idle or not.
  bool pending() const { return pending_; }
  // Uncommitted state has outgrown its budget: the pipeline should call MaybeCommit now, busy or
  // not (it commits at once then).
  bool over_budget() const;

 private:
  CheckpointCoordinator(Source& source, Sink& sink, CheckpointedStage* stage,
                        CheckpointOptions options)
      : source_(source), sink_(sink), stage_(stage), options_(options) {
    if (stage_ != nullptr) extra_sources_ = stage_->extra_sources();
  }
  Status Restore(const std::string& state_dir);
  // Applies or drops a checkpoint prepared for a Kafka transaction before a crash.
  Status ResolvePendingCheckpoint();
  Status Commit(const std::vector<int64_t>& positions, const SinkPositions& sinks);
  // The extra sources' positions now, by manifest key.
  std::map<std::string, std::vector<int64_t>> ExtraPositions() const;

  Source& source_;
  Sink& sink_;
  CheckpointedStage* stage_;
  std::vector<std::pair<std::string, Source*>> extra_sources_;  // a join's right side
  const CheckpointOptions options_;
  std::string state_dir_;
  bool staging_ = false;        // the sink stages outputs until Publish: exactly-once
  bool two_phase_ = false;      // stateful with a transactional sink: state commits in two phases
  std::string positions_path_;  // pinned start; stateless commits without staging
  std::optional<CommitFile> commit_file_;    // stateless commits with a staging sink
  std::unique_ptr<StateStore> state_store_;  // stateful commits
  std::vector<int64_t> committed_positions_;
  std::map<std::string, std::vector<int64_t>> committed_extra_positions_;
  SinkPositions committed_sinks_;
  std::chrono::steady_clock::time_point last_commit_{};
  int64_t checkpoint_id_ = 0;
  int64_t checkpoint_at_ms_ = 0;
  int64_t checkpoint_duration_us_ = 0;
  int64_t state_size_bytes_ = 0;
  bool pending_ = false;
  // The cumulative counters and late records saved with the restored checkpoint (zero without
  // one): what the query counted before this worker started.
  StateCounters restored_counters_;
  int64_t restored_late_records_ = 0;
};

}  // namespace sluice
