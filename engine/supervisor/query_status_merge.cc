// A query run by several workers ('parallelism'): its status summed up from theirs.

#include <algorithm>
#include <climits>

#include "engine/supervisor/query_supervisor.h"
#include "engine/supervisor/query_supervisor_entry.h"

namespace sluice {
namespace {

// Each partition is read by one worker; the others report it below every real offset
// (kForeignPartition), so the maximum is the reader's.
void MergeOffsets(const std::map<std::string, std::vector<int64_t>>& from,
                  std::map<std::string, std::vector<int64_t>>& into) {
  for (const auto& [topic, offsets] : from) {
    std::vector<int64_t>& merged = into[topic];
    if (merged.size() < offsets.size()) merged.resize(offsets.size(), INT64_MIN);
    for (size_t partition = 0; partition < offsets.size(); ++partition) {
      merged[partition] = std::max(merged[partition], offsets[partition]);
    }
  }
}

// `stage`: for the workers of a repartitioned query, 1 for those reading the sources, 2 for
// those writing the sink, 3 for a middle stage (a GROUP BY over a join's join workers), whose
// rows between the stages are neither the query's input nor its output; 0 otherwise.
void MergeProgress(const QueryProgress& worker, int stage, QueryProgress& total) {
  if (stage == 0 || stage == 1) total.records_in += worker.records_in;
  if (stage == 0 || stage == 2) total.records_out += worker.records_out;
  total.records_failed += worker.records_failed;
  if (!worker.last_error.empty()) total.last_error = worker.last_error;
  total.late_records += worker.late_records;
  total.state.Add(worker.state);
  // The query's event time is as far as its slowest worker got.
  if (worker.watermark != INT64_MIN) {
    total.watermark = total.watermark == INT64_MIN ? worker.watermark
                                                   : std::min(total.watermark, worker.watermark);
  }
  if (worker.checkpoint_id > total.checkpoint_id) {
    total.checkpoint_id = worker.checkpoint_id;
    total.checkpoint_at_ms = worker.checkpoint_at_ms;
    total.checkpoint_duration_us = worker.checkpoint_duration_us;
  }
  total.state_size_bytes += worker.state_size_bytes;
  MergeOffsets(worker.end_offsets, total.end_offsets);
}

// Positions merged per group of workers (max: each partition has one reader in a group), then
// across groups (min): a join's two stage-1 groups of a self-join read one topic, which is read
// only as far as the slower of them got (what FLUSH may rely on).
void MergeGroupPositions(const std::map<int, std::map<std::string, std::vector<int64_t>>>& groups,
                         std::map<std::string, std::vector<int64_t>>& into) {
  for (const auto& [group, positions] : groups) {
    for (const auto& [topic, offsets] : positions) {
      auto [merged, inserted] = into.emplace(topic, offsets);
      if (inserted) continue;
      for (size_t partition = 0; partition < offsets.size(); ++partition) {
        if (partition >= merged->second.size()) break;
        merged->second[partition] = std::min(merged->second[partition], offsets[partition]);
      }
    }
  }
}

}  // namespace

QueryStatus QuerySupervisor::AggregateLocked(const Workers& workers) {
  if (workers.size() == 1 && workers[0] != nullptr) return workers[0]->status;
  QueryStatus total;
  total.parallelism = static_cast<int>(workers.size());
  const Entry* failed = nullptr;
  const Entry* restarting = nullptr;
  int running = 0;
  int stopped = 0;
  std::map<int, std::map<std::string, std::vector<int64_t>>> group_positions;
  for (const auto& worker : workers) {
    if (worker == nullptr) continue;
    const QueryStatus& status = worker->status;
    total.workers.push_back(status);
    if (total.pid == 0) total.pid = status.pid;
    if (total.protections.empty()) total.protections = status.protections;
    total.restart_count += status.restart_count;
    total.exited_peak_rss_bytes =
        std::max(total.exited_peak_rss_bytes, status.exited_peak_rss_bytes);
    total.peak_rss_bytes = std::max(total.peak_rss_bytes, status.peak_rss_bytes);
    if (!status.last_crash.empty()) {
      total.last_crash = WorkerLabel(worker->worker_index, worker->worker_count, worker->stages) +
                         status.last_crash;
    }
    const WorkerPlace place =
        PlaceWorker(worker->worker_index, worker->worker_count, worker->stages);
    // Groups reading sources: a GROUP BY's first, a join's first two. The output's writer: the
    // last group, or a view's view worker after it.
    const int source_groups = worker->stages >= 3 ? 2 : 1;
    const int output_group = place.has_view_worker ? worker->stages : worker->stages - 1;
    const int stage = worker->stages < 2            ? 0
                      : place.group == output_group ? 2
                      : place.group < source_groups ? 1
                                                    : 3;
    MergeProgress(status.progress, stage, total.progress);
    MergeOffsets(status.progress.positions, group_positions[place.group]);
    if (status.state == "FAILED" && failed == nullptr) failed = worker.get();
    if ((status.state == "RESTARTING" || status.state == "RETRYING") && restarting == nullptr) {
      restarting = worker.get();
    }
    if (status.state == "RUNNING") ++running;
    if (status.state == "STOPPED") ++stopped;
  }
  MergeGroupPositions(group_positions, total.progress.positions);
  const Entry* reported = failed != nullptr ? failed : restarting;
  if (reported != nullptr) {
    total.state = reported->status.state;
    total.reason = WorkerLabel(reported->worker_index, reported->worker_count, reported->stages) +
                   reported->status.reason;
  } else if (total.workers.empty()) {
    total.state = "";
  } else if (stopped == static_cast<int>(workers.size())) {
    total.state = "STOPPED";
    total.reason = workers[0]->status.reason;
  } else if (running > 0 && running + stopped == static_cast<int>(workers.size())) {
    total.state = "RUNNING";
  } else {
    total.state = "STARTING";
  }
  return total;
}

}  // namespace sluice
