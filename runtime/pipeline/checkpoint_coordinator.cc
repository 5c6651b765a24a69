#include "runtime/pipeline/checkpoint_coordinator.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include "common/clock.h"
#include "runtime/pipeline/commit_file.h"
#include "runtime/pipeline/crash_point.h"
#include "runtime/pipeline/source_positions.h"

namespace sluice {
namespace {

// Without a staging sink, saving positions is only about how much a restart reads again.
constexpr int64_t kPositionsSaveIntervalMs = 1000;
// A join's unsaved rows past which a checkpoint is taken at once (see over_budget).
constexpr size_t kMaxUnsavedBytes = 16u << 20;
// Manifest metadata: the cumulative state counters and late records as of the checkpoint.
constexpr const char* kStateCountersKey = "state_counters";
// Manifest metadata: the record that tells whether a prepared checkpoint's transaction committed.
constexpr const char* kTransactionMarkerKey = "kafka.transaction.record";

}  // namespace

Result<std::unique_ptr<CheckpointCoordinator>> CheckpointCoordinator::Open(
    const std::string& state_dir, Source& source, Sink& sink, CheckpointedStage* stage,
    CheckpointOptions options) {
  std::error_code error;
  std::filesystem::create_directories(state_dir, error);
  if (error) return Status::Storage("cannot create " + state_dir + ": " + error.message());
  std::unique_ptr<CheckpointCoordinator> coordinator(
      new CheckpointCoordinator(source, sink, stage, options));
  RETURN_NOT_OK(coordinator->Restore(state_dir));
  return coordinator;
}

Status CheckpointCoordinator::Restore(const std::string& state_dir) {
  state_dir_ = state_dir;
  two_phase_ = sink_.transactional() && stage_ != nullptr;
  positions_path_ = SourcePositionsPath(state_dir);
  // Stateless: the last commit. Stateful: only the start positions the engine pinned at CREATE,
  // which apply until the first checkpoint. Positions of another topic (the plan changed) do not
  // apply.
  ASSIGN_OR_RETURN(std::optional<SourcePositions> saved, LoadSourcePositions(positions_path_));
  if (stage_ == nullptr) {
    // A stateless query's commits; positions.json then only holds the pinned start.
    ASSIGN_OR_RETURN(CommitFile commit_file, CommitFile::Open(state_dir));
    commit_file_.emplace(std::move(commit_file));
    ASSIGN_OR_RETURN(std::optional<SourcePositions> committed, commit_file_->Load());
    if (committed && committed->topic == source_.topic()) saved = std::move(committed);
  }
  if (saved && saved->topic == source_.topic()) {
    RETURN_NOT_OK(source_.Seek(saved->positions));
    committed_positions_ = saved->positions;
    committed_sinks_ = saved->sinks;
  }
  if (stage_ != nullptr) {
    ASSIGN_OR_RETURN(state_store_, StateStore::Open(state_dir + "/state", StateStoreOptions{}));
    RETURN_NOT_OK(ResolvePendingCheckpoint());
    RETURN_NOT_OK(stage_->AttachState(*state_store_));
    state_size_bytes_ = state_store_->ApproximateSizeBytes();
    if (const std::optional<CheckpointManifest>& last = state_store_->last_checkpoint()) {
      checkpoint_id_ = last->checkpoint_id;
      checkpoint_at_ms_ = last->created_at_ms;
      committed_sinks_ = last->sink_positions;
      stage_->RestoreMetadata(last->metadata);
      auto counters = last->metadata.find(kStateCountersKey);
      if (counters != last->metadata.end()) {
        RestoreCumulativeCounters(counters->second, &restored_counters_, &restored_late_records_);
      }
      auto positions = last->source_positions.find(source_.topic());
      if (positions != last->source_positions.end()) {
        RETURN_NOT_OK(source_.Seek(positions->second));
        committed_positions_ = positions->second;
      }
      for (const auto& [key, extra] : extra_sources_) {
        auto extra_positions = last->source_positions.find(key);
        if (extra_positions == last->source_positions.end()) continue;
        RETURN_NOT_OK(extra->Seek(extra_positions->second));
        committed_extra_positions_[key] = extra_positions->second;
      }
    }
  }
  // Outputs past the commit are cut (their inputs are read again), committed ones not yet
  // published are published: the outputs then match the positions exactly.
  ASSIGN_OR_RETURN(staging_, sink_.BeginStaging(committed_sinks_));
  if (staging_) committed_sinks_ = sink_.staged_positions();
  if (committed_positions_.empty()) committed_positions_ = source_.positions();
  for (const auto& [key, extra] : extra_sources_) {
    committed_extra_positions_.emplace(key, extra->positions());
  }
  return Status::OK();
}

Status CheckpointCoordinator::ResolvePendingCheckpoint() {
  const std::optional<CheckpointManifest>& pending = state_store_->pending_checkpoint();
  if (!pending) return Status::OK();
  // A crash between preparing checkpoint N and committing it to the store: its state goes with
  // the transaction it was prepared for. The sink's Open (init_transactions) has settled that
  // transaction: committed if the crash came after the commit reached the coordinator, aborted
  // otherwise. Its output decides: visible to read_committed consumers, the state moves on with
  // it; invisible, the input is read again from checkpoint N-1 and produces it again.
  auto marker = pending->metadata.find(kTransactionMarkerKey);
  bool committed = true;  // no marker: the transaction held no output; its input is consumed
  if (marker != pending->metadata.end()) {
    ASSIGN_OR_RETURN(committed, sink_.TransactionCommitted(marker->second));
  }
  return state_store_->ResolvePending(committed);
}

std::map<std::string, std::vector<int64_t>> CheckpointCoordinator::ExtraPositions() const {
  std::map<std::string, std::vector<int64_t>> positions;
  for (const auto& [key, extra] : extra_sources_) positions[key] = extra->positions();
  return positions;
}

bool CheckpointCoordinator::over_budget() const {
  // A join's unsaved rows wait in memory for the commit too (the stage's own count); the state
  // store's batch holds what the other operators wrote since the last commit.
  if (stage_ != nullptr &&
      (stage_->unsaved_bytes() >= kMaxUnsavedBytes || stage_->over_memory_budget())) {
    return true;
  }
  return state_store_ != nullptr &&
         state_store_->uncommitted_bytes() >= options_.max_uncommitted_bytes;
}

Status CheckpointCoordinator::MaybeCommit(bool caught_up, bool stopping) {
  // A transactional sink (Kafka exactly-once) commits its records with these positions; a
  // stateful query's state commits with them in two phases (Commit), when a checkpoint is due.
  if (!two_phase_) RETURN_NOT_OK(sink_.FlushAt(source_.topic(), source_.positions()));
  const auto now = std::chrono::steady_clock::now();
  // A staging sink's outputs wait for the commit, so a caught-up query commits at once; a
  // non-staging one (outputs already visible) only needs its positions saved now and then.
  // A stateless query's transactional sink has just committed its output: positions must follow
  // at once (no pause at all), or a restart from them would produce that output again wherever
  // the group's offsets do not win (librdkafka's mock keeps no transactional offsets); what
  // FLUSH sees reported must not be ahead of them either. A two-phase query's output is
  // invisible until its checkpoint commits the transaction, as a staging sink's.
  const bool invisible = staging_ || two_phase_;
  const bool just_committed = sink_.transactional() && !two_phase_;
  if (!stopping && !(caught_up && invisible) && !over_budget() && !just_committed) {
    // A busy stateless query with a staging sink commits at every flush: the commit is a small
    // file rename, cheap next to the latency it would add.
    const int64_t interval_ms =
        stage_ != nullptr ? options_.interval_ms : (staging_ ? 0 : kPositionsSaveIntervalMs);
    // Incremental checkpoints cost what changed since the last one, so stretching the pause
    // would not lower their share of the time, only delay outputs; twice the last duration
    // still keeps a query that cannot keep up from doing nothing but checkpoints.
    const auto pause =
        std::max<std::chrono::microseconds>(std::chrono::milliseconds(interval_ms),
                                            std::chrono::microseconds(2 * checkpoint_duration_us_));
    if (now - last_commit_ < pause) {
      pending_ = true;  // not due yet: the pipeline must come back even if it goes idle
      return Status::OK();
    }
  }
  std::vector<int64_t> positions = source_.positions();
  SinkPositions sinks = staging_ ? sink_.staged_positions() : SinkPositions();
  std::map<std::string, std::vector<int64_t>> extra_positions = ExtraPositions();
  pending_ = false;
  if (positions == committed_positions_ && sinks == committed_sinks_ &&
      extra_positions == committed_extra_positions_ && !sink_.transaction_open()) {
    return Status::OK();
  }
  // Outputs written since the last commit are staged, neither committed nor visible: a crash
  // here must cut them on restart, and the input read again must produce them again.
  if (staging_ && sinks != committed_sinks_) MaybeCrashAt(state_dir_, "staged");
  RETURN_NOT_OK(Commit(positions, sinks));
  last_commit_ = std::chrono::steady_clock::now();
  checkpoint_duration_us_ =
      std::chrono::duration_cast<std::chrono::microseconds>(last_commit_ - now).count();
  committed_positions_ = std::move(positions);
  committed_extra_positions_ = std::move(extra_positions);
  committed_sinks_ = std::move(sinks);
  // Only now may readers see the outputs: a crash before this line rolls them forward on
  // restart, a crash before the commit cuts them.
  if (staging_) MaybeCrashAt(state_dir_, "committed");
  return sink_.Publish();
}

Status CheckpointCoordinator::Commit(const std::vector<int64_t>& positions,
                                     const SinkPositions& sinks) {
  if (stage_ == nullptr) {
    // Without fsync: what a killed process wrote is in the page cache, outputs and commit alike;
    // power loss is covered by neither (docs/checkpoints.md).
    SourcePositions commit{source_.topic(), positions, sinks};
    if (staging_) return commit_file_->Save(commit);
    return SaveSourcePositions(positions_path_, commit);
  }
  // Between batches: every record before `positions` has reached the operator, so its state,
  // these positions and the sink's ends describe the same point of the input.
  RETURN_NOT_OK(stage_->PrepareCheckpoint());
  // The outputs must survive whatever the synced commit survives.
  if (staging_) RETURN_NOT_OK(sink_.Sync());
  CheckpointManifest manifest;
  manifest.checkpoint_id = checkpoint_id_ + 1;
  manifest.created_at_ms = CurrentTimeMillis();
  manifest.source_positions[source_.topic()] = positions;
  for (const auto& [key, extra] : extra_sources_) {
    manifest.source_positions[key] = extra->positions();
  }
  manifest.sink_positions = sinks;
  stage_->SaveMetadata(manifest.metadata);
  StateCounters totals = restored_counters_;
  stage_->AddStateCounters(totals);
  manifest.metadata[kStateCountersKey] =
      SaveCumulativeCounters(totals, restored_late_records_ + stage_->late_records());
  if (sink_.transactional()) {
    // Two phases: the state is saved aside first (pending, with a record of the transaction that
    // says whether it committed), then the transaction commits output and offsets, then the
    // state is applied. A crash in between is settled by ResolvePendingCheckpoint.
    ASSIGN_OR_RETURN(std::string marker, sink_.PrepareTransaction());
    if (!marker.empty()) manifest.metadata[kTransactionMarkerKey] = marker;
    RETURN_NOT_OK(state_store_->Prepare(manifest));
    MaybeCrashAt(state_dir_, "prepared");
    RETURN_NOT_OK(sink_.FlushAt(source_.topic(), positions));
    MaybeCrashAt(state_dir_, "transaction_committed");
  }
  RETURN_NOT_OK(state_store_->Commit(manifest));
  checkpoint_id_ = manifest.checkpoint_id;
  checkpoint_at_ms_ = manifest.created_at_ms;
  state_size_bytes_ = state_store_->ApproximateSizeBytes();
  return Status::OK();
}

void CheckpointCoordinator::FillProgress(QueryProgress& progress) const {
  // Only committed output is visible: report the positions it reflects (what FLUSH waits for).
  if (staging_ || two_phase_) {
    progress.positions[source_.topic()] = committed_positions_;
    for (const auto& [key, extra] : extra_sources_) {
      auto committed = committed_extra_positions_.find(key);
      if (committed == committed_extra_positions_.end()) continue;
      std::vector<int64_t>& reported = progress.positions[extra->topic()];
      if (extra->topic() != source_.topic()) {
        reported = committed->second;
        continue;
      }
      // A self-join: the topic is read up to the smaller of the two sides' positions.
      for (size_t partition = 0; partition < reported.size(); ++partition) {
        if (partition < committed->second.size()) {
          reported[partition] = std::min(reported[partition], committed->second[partition]);
        }
      }
    }
  }
  if (stage_ == nullptr) return;
  // The operators count since the worker started; the totals before it come from the checkpoint
  // it restored.
  progress.state.Add(restored_counters_);
  progress.late_records += restored_late_records_;
  progress.checkpoint_id = checkpoint_id_;
  progress.checkpoint_at_ms = checkpoint_at_ms_;
  progress.checkpoint_duration_us = checkpoint_duration_us_;
  progress.state_size_bytes = state_size_bytes_;
}

}  // namespace sluice
