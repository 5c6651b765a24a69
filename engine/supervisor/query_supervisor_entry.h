#pragma once
// Private to the query supervisor's .cc files: what it knows about one worker process.

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <string>

#include "engine/supervisor/query_supervisor.h"
#include "runtime/worker/worker_protocol.h"

namespace sluice {

// Lets the header name a decoded message without including the protocol.
struct WorkerMessageHolder {
  WorkerMessage message;
};

// One worker process of one query. Guarded by QuerySupervisor::mutex_. Only the monitor thread
// closes its fds (it may be polling them), and only while holding the mutex.
struct QuerySupervisor::Entry {
  int64_t query_id = 0;
  int worker_index = 0;  // 'parallelism': this is worker worker_index of worker_count
  int worker_count = 1;
  int stages = 1;  // groups of workers: 2 a repartitioned GROUP BY, 3 a join, 4 a GROUP BY over one
  int pid = 0;     // stays set after the exit (status.pid becomes 0); never signalled then
  int control_fd = -1;  // socket to the worker's fd 3
  int status_fd = -1;   // non-blocking read end of the worker's fd 4; -1 after end of file
  int pid_fd = -1;      // readable once the worker exits; -1 if the kernel has no pidfd
  WorkerFrameDecoder decoder;
  QueryStatus status;

  std::string failed_reason;      // from the worker's Failed message, used in the exit reason
  bool failed_retriable = false;  // that failure was transient: retry after a back-off
  std::string protocol_error;     // set when the worker wrote garbage; it is then killed
  bool saw_stopped = false;       // the worker said Stopped before exiting
  bool stopping = false;          // Stop() asked: the exit is STOPPED, not a failure
  bool exited = false;            // reaped; pid may belong to another process now
  bool finalized = false;         // the exit was turned into a final state (and an event)
  int wait_status = 0;
  bool wait_status_known = true;  // false when someone else reaped the worker (ECHILD)
  bool killed = false;            // SIGKILL already sent

  // Peak resident memory: what the worker reported (its VmHWM; 0: none yet), and ru_maxrss at
  // the reap, inflated to at least the engine's RSS by the fork (only a fallback).
  int64_t reported_peak_rss_bytes = 0;
  int64_t rusage_peak_rss_bytes = 0;

  // Sets status.peak_rss_bytes and status.exited_peak_rss_bytes from what the worker reported,
  // falling back to rusage once it exited without reporting anything.
  void UpdatePeakRss() {
    const int64_t fallback = exited ? rusage_peak_rss_bytes : 0;
    status.peak_rss_bytes = reported_peak_rss_bytes > 0 ? reported_peak_rss_bytes : fallback;
    status.exited_peak_rss_bytes = exited ? status.peak_rss_bytes : 0;
  }
  // A worker's VmHWM only grows; a missing report (0) never lowers the figure.
  void NoteReportedPeak(int64_t peak_rss_bytes) {
    reported_peak_rss_bytes = std::max(reported_peak_rss_bytes, peak_rss_bytes);
    UpdatePeakRss();
  }

  // What a restart needs, and when it may happen.
  std::string plan_json;
  StoreSecrets secrets;
  RestartPolicy policy;
  bool restart_pending = false;    // crashed; in QuerySupervisor::pending_
  bool restart_cancelled = false;  // stopped (or started by hand) while the restart was pending
  // A retry after a transient failure: the worker shows RETRYING (with `retry_reason`, what the
  // last attempt failed with) until its first progress report says its pipeline opened.
  bool retrying = false;
  std::string retry_reason;
};

// "worker killed by signal 9 (SIGKILL)", "worker exited with code 1: <reason>", ...
// `failed_reason` is what the worker's Failed message said, if anything.
std::string DescribeWorkerExit(int wait_status, const std::string& failed_reason);

// "broker unreachable for store k (...) (attempt 3, next in 8 s)"; without `next_in`, the
// attempt is under way: "(attempt 3, reconnecting)".
std::string RetryingReason(const std::string& reason, int attempt,
                           const std::chrono::milliseconds* next_in);

// "worker 2 of 3: " for a query with several workers ("stage 2 worker 1 of 3: " for a
// repartitioned one, "stage 1 left worker 0 of 3: " for a join's, "stage 3 worker 0 of 3: " for
// a GROUP BY over a join's aggregating workers, "stage 3 view worker: " for a materialized
// view's), else "".
std::string WorkerLabel(int worker_index, int worker_count, int stages = 1);

// Where a worker of a repartitioned query (stages >= 2) stands among its groups. A materialized
// view's query has one worker more than its `stages` groups of N (PhysicalPlan::worker_count):
// its view worker, last, which applies the rows to the view store; then the group before it
// writes rows between stages, not the query's output.
struct WorkerPlace {
  int per_group;     // N
  int group;         // 0 .. stages - 1; `stages` for the view worker
  bool view_worker;  // the view worker
  bool has_view_worker;
};
inline WorkerPlace PlaceWorker(int worker_index, int worker_count, int stages) {
  WorkerPlace place;
  // With a view worker, worker_count is N * stages + 1 and stages >= 2: the quotient is still N.
  place.per_group = std::max(worker_count / std::max(stages, 1), 1);
  place.group = worker_index / place.per_group;
  place.has_view_worker = place.per_group * std::max(stages, 1) < worker_count;
  place.view_worker = place.has_view_worker && worker_index == worker_count - 1;
  return place;
}

}  // namespace sluice
