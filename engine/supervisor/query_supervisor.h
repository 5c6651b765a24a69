#pragma once
// The query supervisor: the control plane's side of the process model. It runs each persistent
// query in its own `sluice worker` process, watches all of them from one monitor thread, and
// remembers each query's latest state and progress.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/status.h"
#include "engine/supervisor/restart_policy.h"
#include "runtime/pipeline/query_runner.h"
#include "runtime/worker/sandbox.h"

namespace sluice {

struct QuerySupervisorOptions {
  std::string worker_binary;  // exec'd as `<worker_binary> worker`
  std::string data_dir;       // the engine's data dir, sent to every worker in its Start message
  WorkerLimits limits;        // applied to every worker (0 = inherit)
  // Called on the monitor thread WITHOUT holding any supervisor lock (the engine takes its own
  // catalog lock inside and may call Stop() from other threads meanwhile): state is "RUNNING",
  // "RESTARTING" (a crashed worker is restarted after a back-off), "RETRYING" (a worker failed
  // with a transient error such as an unreachable broker, and is started again after a longer
  // back-off; RUNNING once it gets through), "FAILED" or "STOPPED"; reason
  // says why (e.g. "worker killed by signal 9 (SIGKILL)").
  // A worker that crashes (killed by a signal, or a non-zero exit without a Failed message: not
  // a query error such as a bad record under TERMINATE) is restarted from its last checkpoint;
  // a crash loop (restart.max_crashes within restart.window) makes the query FAILED.
  std::function<void(int64_t query_id, const std::string& state, const std::string& reason)>
      on_state_change;
  // How long Stop() waits for a worker to exit after the Stop message before SIGKILL.
  std::chrono::milliseconds stop_grace{2000};
  RestartPolicyOptions restart;
};

// What SHOW/DESCRIBE QUERY show.
struct QueryStatus {
  // "STARTING", "RUNNING", "RESTARTING", "RETRYING", "FAILED", "STOPPED", or "" if unknown
  std::string state;
  std::string reason;
  int pid = 0;             // 0 once the worker is gone
  QueryProgress progress;  // latest reported
  // Sandbox report, e.g. "no_new_privs, non-dumpable, rlimits (core=0), landlock (ABI 3), seccomp".
  std::string protections;
  // Worker processes started after the first: crashes, transient-failure retries and RESTART
  // QUERY. With 'parallelism' N, the query's is the sum over its workers (each in `workers`).
  int restart_count = 0;
  std::string last_crash;  // why the last crashed worker ended; empty: none crashed
  // 'parallelism' N > 1: the query's state sums up its workers' (FAILED if one failed,
  // RESTARTING or RETRYING if one is being restarted or retried, RUNNING when all run), its
  // progress merges theirs (counts summed, each partition's position from the worker that reads
  // it), and `workers` holds each worker's own status, by index. Empty for a single worker.
  int parallelism = 1;
  std::vector<QueryStatus> workers;
  int worker_index = 0;  // of a worker's own status (an element of `workers`)
  // Peak resident memory of the worker in bytes, as the worker itself measures it (its VmHWM,
  // sent with each progress report and with its final Stopped or Failed message); for a worker
  // that exited without reporting one (e.g. killed), its rusage ru_maxrss instead, which Linux
  // inflates to at least the engine's own RSS at fork. 0: not known yet. The largest over a
  // query's workers.
  int64_t peak_rss_bytes = 0;
  // peak_rss_bytes once the worker has exited and been reaped; 0 while it runs. Lets a caller
  // learn the final peak of a worker that ended by itself (a bounded source). It used to be the
  // rusage ru_maxrss alone, now only the fallback when the worker reported nothing.
  int64_t exited_peak_rss_bytes = 0;
};

class WorkerProcess;

// Owns the worker processes of all persistent queries. Thread-safe. Workers are forked by one
// long-lived spawner thread, never by the caller, because PR_SET_PDEATHSIG fires when the *thread*
// that forked exits: a worker forked by a short-lived session thread would be killed with it.
class QuerySupervisor {
 public:
  explicit QuerySupervisor(QuerySupervisorOptions options);
  ~QuerySupervisor();  // StopAll, then joins its threads

  QuerySupervisor(const QuerySupervisor&) = delete;
  QuerySupervisor& operator=(const QuerySupervisor&) = delete;

  // Spawns `parallelism` workers for the query (worker k told it is k of N, so it reads its own
  // share of the source partitions and keeps its own checkpoints) and sends each its Start
  // message; state becomes STARTING, then RUNNING when the workers report Started. Each worker
  // is supervised on its own: a crashed one is restarted alone, from its own checkpoint; one
  // that fails (or crash-loops) fails the query and its siblings are stopped. Replaces dead
  // workers (restart_count + 1, crash history forgotten, pending automatic restarts cancelled);
  // an error if a worker of the query is still alive or if an exec, a pipe or a Start message
  // fails (the workers already started are then stopped). `secrets` are the opened credentials
  // of the stores the plan uses; they go only into the Start messages on the workers' pipes.
  // `stages`: groups of equally many workers (PhysicalPlan::worker_groups): 2 for a
  // repartitioned GROUP BY (stage 1, stage 2), 3 for a repartitioned join (stage 1 left, stage 1
  // right, stage 2), 4 for a repartitioned GROUP BY over a join (the join's three, stage 3); it
  // only changes how workers are named and counted.
  Status Start(int64_t query_id, const std::string& plan_json, const StoreSecrets& secrets = {},
               int parallelism = 1, int stages = 1);

  // Sends Stop to each worker of the query, waits up to options.stop_grace for them to exit,
  // then SIGKILLs the rest; state becomes STOPPED. Cancels a pending automatic restart. A no-op if
  // the query is unknown or its worker is already dead.
  void Stop(int64_t query_id);
  // Stop() for every query, with one shared grace period.
  void StopAll();

  QueryStatus Snapshot(int64_t query_id) const;

  // Blocks until the query's reported positions reach `targets` (topic -> per-partition offsets),
  // or it fails (returns its failure as a Status::Execution with the reason), or `timeout` passes
  // (Status::Execution "timed out ..."), or *cancel becomes true (Status::Cancelled()).
  Status WaitForPositions(int64_t query_id,
                          const std::map<std::string, std::vector<int64_t>>& targets,
                          std::chrono::milliseconds timeout, const std::atomic<bool>* cancel);

 private:
  struct Entry;
  struct Event {
    int64_t query_id;
    std::string state;
    std::string reason;
  };

  using Workers = std::vector<std::shared_ptr<Entry>>;  // by worker index; null: never started

  void MonitorLoop();
  // Starts worker `worker_index` of `worker_count`; `replacing` is the crashed entry of an
  // automatic restart (null: by hand), abandoned if the query was stopped or started by hand
  // meanwhile.
  Status StartWorker(int64_t query_id, int worker_index, int worker_count, int stages,
                     const std::string& plan_json, const StoreSecrets& secrets,
                     const std::shared_ptr<Entry>& replacing);
  // REQUIRES: mutex_ held. The slot of worker `worker_index` of the query, or null.
  std::shared_ptr<Entry>* SlotLocked(int64_t query_id, int worker_index);
  // REQUIRES: mutex_ held. The query's status from its workers' (see QueryStatus::workers).
  static QueryStatus AggregateLocked(const Workers& workers);
  // REQUIRES: mutex_ held; monitor thread. Stops the live siblings of
  // the queries in sibling_stops_ (a worker of theirs failed); releases `lock` meanwhile.
  void StopSiblings(std::unique_lock<std::mutex>& lock);
  // REQUIRES: `lock` holds mutex_ (released while starting). Starts the workers whose back-off
  // ended; returns the milliseconds until the next one is due (-1: none pending).
  int RunDueRestarts(std::unique_lock<std::mutex>& lock);
  // REQUIRES: mutex_ held. A crashed worker: schedules its restart or fails the query.
  void OnCrashLocked(Entry& entry, const std::string& reason);
  // REQUIRES: mutex_ held. A worker that failed with a transient error: RETRYING, and started
  // again after the retry back-off.
  void OnTransientFailureLocked(Entry& entry, const std::string& reason);
  // REQUIRES: mutex_ held. Reads what the worker wrote and applies its messages.
  void DrainStatusLocked(Entry& entry);
  void ApplyMessageLocked(Entry& entry, const struct WorkerMessageHolder& holder);
  // REQUIRES: mutex_ held. Records the exit of a worker nobody asked to stop.
  void OnExitedLocked(Entry& entry, int wait_status);
  // REQUIRES: mutex_ held. waitpid(WNOHANG); true if this call reaped the worker. All reaping
  // happens under mutex_, so a pid is never signalled after it was reaped (and maybe reused).
  bool ReapLocked(Entry& entry);
  // REQUIRES: mutex_ held, entry exited. Sets the final state once and queues its event.
  void FinalizeExitLocked(Entry& entry);
  // REQUIRES: mutex_ held. Closes the fds of an exited worker (monitor thread only).
  void CloseFdsLocked(Entry& entry);
  // REQUIRES: mutex_ not held. Sends Stop to each entry (already marked stopping), waits for
  // them until the grace period ends, SIGKILLs the rest and reaps all.
  void FinishStops(const std::vector<std::shared_ptr<Entry>>& entries);
  void Wake();
  // REQUIRES: mutex_ held. Queues a state change for on_state_change.
  void QueueEventLocked(int64_t query_id, const std::string& state, const std::string& reason);
  // REQUIRES: mutex_ held. A state change of one worker: its reason names the worker when the
  // query has several, and a FAILED one queues the stop of its siblings.
  void QueueWorkerEventLocked(const Entry& entry, const std::string& state,
                              const std::string& reason);

  const QuerySupervisorOptions options_;

  mutable std::mutex mutex_;
  std::condition_variable changed_;     // progress or state changed; WaitForPositions waits on it
  std::map<int64_t, Workers> queries_;  // query id -> its current workers
  std::vector<int64_t> sibling_stops_;  // queries one of whose workers failed (monitor stops)
  std::vector<std::shared_ptr<Entry>> watched_;  // workers the monitor has not cleaned up
  std::deque<Event> events_;                     // for on_state_change, sent by the monitor
  // Events ever queued and ever handed to on_state_change: a waiter that saw a final state waits
  // for delivery so the catalog says FAILED by the time the waiter's caller reads it.
  uint64_t events_queued_ = 0;
  uint64_t events_delivered_ = 0;
  bool shutting_down_ = false;
  // Crashed entries waiting for their back-off to end, with when it ends.
  std::vector<std::pair<std::shared_ptr<Entry>, std::chrono::steady_clock::time_point>> pending_;

  int wake_fd_ = -1;  // eventfd: makes the monitor's poll() look at watched_ again
  std::unique_ptr<class WorkerSpawner> spawner_;
  std::thread monitor_;
};

}  // namespace sluice
