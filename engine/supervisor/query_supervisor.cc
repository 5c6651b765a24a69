#include "engine/supervisor/query_supervisor.h"

#include <errno.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "engine/supervisor/query_supervisor_entry.h"
#include "engine/supervisor/worker_spawner.h"

namespace sluice {
namespace {

// Sends a whole frame. MSG_NOSIGNAL: a dead worker yields EPIPE, never a SIGPIPE for the engine.
Status SendFrame(int fd, const std::string& frame, int flags) {
  size_t done = 0;
  while (done < frame.size()) {
    ssize_t n = ::send(fd, frame.data() + done, frame.size() - done, flags | MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::FromErrno("cannot write to the worker", errno);
    }
    done += static_cast<size_t>(n);
  }
  return Status::OK();
}

// Missing partitions count as offset 0: a partition nobody wrote to needs no progress.
bool PositionsReached(const QueryProgress& progress,
                      const std::map<std::string, std::vector<int64_t>>& targets) {
  for (const auto& [topic, target_offsets] : targets) {
    auto found = progress.positions.find(topic);
    for (size_t partition_idx = 0; partition_idx < target_offsets.size(); ++partition_idx) {
      int64_t position = 0;
      if (found != progress.positions.end() && partition_idx < found->second.size()) {
        position = found->second[partition_idx];
      }
      if (position < target_offsets[partition_idx]) return false;
    }
  }
  return true;
}

}  // namespace

QuerySupervisor::QuerySupervisor(QuerySupervisorOptions options)
    : options_(std::move(options)),
      wake_fd_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)),
      spawner_(std::make_unique<WorkerSpawner>()),
      monitor_([this] { MonitorLoop(); }) {}

QuerySupervisor::~QuerySupervisor() {
  StopAll();
  {
    std::lock_guard<std::mutex> lock(mutex_);
    shutting_down_ = true;
  }
  Wake();
  monitor_.join();
  spawner_.reset();
  if (wake_fd_ >= 0) ::close(wake_fd_);
}

Status QuerySupervisor::Start(int64_t query_id, const std::string& plan_json,
                              const StoreSecrets& secrets, int parallelism, int stages) {
  if (parallelism < 1) parallelism = 1;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    Workers& workers = queries_[query_id];
    for (const auto& worker : workers) {
      if (worker != nullptr && !worker->exited) {
        return Status::Execution("cannot start query " + std::to_string(query_id) +
                                 ": its worker (pid " + std::to_string(worker->pid) +
                                 ") is still running; stop it first");
      }
    }
    // Workers beyond a smaller parallelism are dropped (their pending restarts with them).
    for (size_t worker_idx = static_cast<size_t>(parallelism); worker_idx < workers.size();
         ++worker_idx) {
      if (workers[worker_idx] != nullptr) workers[worker_idx]->restart_cancelled = true;
    }
    workers.resize(static_cast<size_t>(parallelism));
  }
  for (int worker_idx = 0; worker_idx < parallelism; ++worker_idx) {
    Status started =
        StartWorker(query_id, worker_idx, parallelism, stages, plan_json, secrets, nullptr);
    if (!started.ok()) {
      if (worker_idx > 0) Stop(query_id);
      return started;
    }
  }
  return Status::OK();
}

std::shared_ptr<QuerySupervisor::Entry>* QuerySupervisor::SlotLocked(int64_t query_id,
                                                                     int worker_index) {
  auto found = queries_.find(query_id);
  if (found == queries_.end() || worker_index < 0 ||
      static_cast<size_t>(worker_index) >= found->second.size()) {
    return nullptr;
  }
  return &found->second[static_cast<size_t>(worker_index)];
}

Status QuerySupervisor::StartWorker(int64_t query_id, int worker_index, int worker_count,
                                    int stages, const std::string& plan_json,
                                    const StoreSecrets& secrets,
                                    const std::shared_ptr<Entry>& replacing) {
  const std::string what = "cannot start a worker for query " + std::to_string(query_id);
  int restart_count = 0;
  RestartPolicy policy(options_.restart);
  std::string last_crash;
  std::string retry_reason;  // non-empty: this start retries a transient failure
  // An automatic restart goes ahead only while the crashed entry is still the query's and
  // nobody stopped it (checked again before the new worker is published).
  auto superseded = [&] {
    std::shared_ptr<Entry>* slot = SlotLocked(query_id, worker_index);
    return slot == nullptr || *slot != replacing || replacing->restart_cancelled;
  };
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (shutting_down_) return Status::Internal(what + ": the engine is shutting down");
    // A worker without a data dir would look for its log at "/log" and fail in the sandbox.
    if (options_.data_dir.empty()) return Status::Internal(what + ": no data dir configured");
    if (replacing != nullptr && superseded()) return Status::OK();
    std::shared_ptr<Entry>* slot = SlotLocked(query_id, worker_index);
    if (slot != nullptr && *slot != nullptr) {
      Entry& previous = **slot;
      if (!previous.exited) {
        return Status::Execution(what + ": its worker (pid " + std::to_string(previous.pid) +
                                 ") is still running; stop it first");
      }
      restart_count = previous.status.restart_count + 1;
      last_crash = previous.status.last_crash;
      policy = previous.policy;
      retry_reason = replacing != nullptr ? previous.retry_reason : "";
      if (replacing == nullptr) {
        policy.Reset();  // by hand: a fresh start, and any pending restart is moot
        previous.restart_cancelled = true;
      }
    }
  }
  Result<SpawnedWorker> spawned = spawner_->Spawn(options_.worker_binary);
  if (!spawned.ok()) return spawned.status().WithContext(what);

  auto entry = std::make_shared<Entry>();
  entry->plan_json = plan_json;
  entry->secrets = secrets;
  entry->policy = policy;
  entry->policy.OnStarted(std::chrono::steady_clock::now());
  entry->status.last_crash = last_crash;
  entry->query_id = query_id;
  entry->worker_index = worker_index;
  entry->worker_count = worker_count;
  entry->stages = stages;
  entry->status.worker_index = worker_index;
  entry->pid = spawned->pid;
  entry->control_fd = spawned->control_fd;
  entry->status_fd = spawned->status_fd;
  entry->pid_fd = spawned->pid_fd;
  entry->status.state = "STARTING";
  if (!retry_reason.empty()) {
    // Stays RETRYING until the worker gets through (ApplyMessageLocked, first progress).
    entry->retrying = true;
    entry->retry_reason = retry_reason;
    entry->status.state = "RETRYING";
    entry->status.reason = RetryingReason(retry_reason, policy.retry_attempts(), nullptr);
  }
  entry->status.pid = spawned->pid;
  entry->status.restart_count = restart_count;

  WorkerStartMessage start;
  start.query_id = query_id;
  start.data_dir = options_.data_dir;
  start.plan_json = plan_json;
  start.limits = options_.limits;
  start.store_secrets = secrets;
  start.worker_index = worker_index;
  start.worker_count = worker_count;
  start.restarted_alone = replacing != nullptr;
  // Blocking: the worker reads its Start message before anything else, so this cannot stall for
  // long, and a worker that dies first turns it into EPIPE.
  Status sent = SendFrame(entry->control_fd, FrameWorkerMessage(start), 0);
  std::lock_guard<std::mutex> lock(mutex_);
  if (replacing != nullptr && superseded()) {
    ::kill(entry->pid, SIGKILL);
    while (::waitpid(entry->pid, nullptr, 0) < 0 && errno == EINTR) {
    }
    CloseFdsLocked(*entry);
    return Status::OK();
  }
  if (!sent.ok()) {
    // Not published yet, so this thread owns the process: kill and reap it here.
    ::kill(entry->pid, SIGKILL);
    while (::waitpid(entry->pid, nullptr, 0) < 0 && errno == EINTR) {
    }
    CloseFdsLocked(*entry);
    entry->exited = entry->finalized = true;
    entry->status.state = "FAILED";
    entry->status.reason = sent.message();
    entry->status.pid = 0;
    Workers& workers = queries_[query_id];
    if (workers.size() <= static_cast<size_t>(worker_index)) workers.resize(worker_index + 1);
    workers[static_cast<size_t>(worker_index)] = entry;
    changed_.notify_all();
    return sent.WithContext(what);
  }
  Workers& workers = queries_[query_id];
  if (workers.size() <= static_cast<size_t>(worker_index)) workers.resize(worker_index + 1);
  workers[static_cast<size_t>(worker_index)] = entry;
  watched_.push_back(entry);
  changed_.notify_all();
  Wake();
  return Status::OK();
}

void QuerySupervisor::Stop(int64_t query_id) {
  std::vector<std::shared_ptr<Entry>> entries;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto found = queries_.find(query_id);
    if (found == queries_.end()) return;
    for (const auto& worker : found->second) {
      if (worker == nullptr) continue;
      Entry& current = *worker;
      if (current.exited) {
        // A crashed worker waiting for (or in the middle of) its automatic restart: the restart
        // is abandoned (StartWorker checks restart_cancelled before publishing a new worker).
        current.restart_cancelled = true;
        if (current.status.state == "RESTARTING" || current.status.state == "RETRYING") {
          current.restart_pending = false;
          current.status.state = "STOPPED";
          current.status.reason = "stopped";
          QueueEventLocked(query_id, current.status.state, current.status.reason);
          changed_.notify_all();
          Wake();
        }
        continue;
      }
      current.stopping = true;
      entries.push_back(worker);
    }
  }
  if (!entries.empty()) FinishStops(entries);
}

void QuerySupervisor::StopAll() {
  std::vector<std::shared_ptr<Entry>> entries;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (auto& [query_id, workers] : queries_) {
      for (const auto& entry : workers) {
        if (entry == nullptr) continue;
        // The engine is going away: a pending restart is left to the next start (the catalog
        // still says RUNNING, so the engine resumes the query).
        if (entry->restart_pending) entry->restart_cancelled = true;
        if (entry->exited) continue;
        entry->stopping = true;
        entries.push_back(entry);
      }
    }
  }
  if (!entries.empty()) FinishStops(entries);
}

void QuerySupervisor::FinishStops(const std::vector<std::shared_ptr<Entry>>& entries) {
  using Clock = std::chrono::steady_clock;
  const auto deadline = Clock::now() + options_.stop_grace;
  const std::string stop_frame = FrameWorkerMessage(WorkerStopMessage{});
  std::unique_lock<std::mutex> lock(mutex_);
  for (const auto& entry : entries) {
    // Non-blocking: a worker that stopped reading gets SIGKILL after the grace period anyway.
    // Failure (the worker already exited) is fine for the same reason.
    if (!entry->exited && entry->control_fd >= 0) {
      Status sent = SendFrame(entry->control_fd, stop_frame, MSG_DONTWAIT);
      (void)sent;
    }
  }
  // Reaps here rather than waiting for the monitor: the caller may hold a lock that the monitor's
  // on_state_change callback is waiting for.
  while (true) {
    bool all_exited = true;
    for (const auto& entry : entries) {
      if (!entry->exited) ReapLocked(*entry);
      if (entry->exited) {
        FinalizeExitLocked(*entry);
      } else {
        all_exited = false;
      }
    }
    if (all_exited) break;
    if (Clock::now() >= deadline) {
      for (const auto& entry : entries) {
        if (!entry->exited && !entry->killed) {
          ::kill(entry->pid, SIGKILL);  // still unreaped, so the pid is still our worker
          entry->killed = true;
        }
      }
    }
    changed_.wait_for(lock, std::chrono::milliseconds(5));
  }
  changed_.notify_all();
  lock.unlock();
  Wake();  // the monitor closes the fds and delivers the STOPPED events
}

QueryStatus QuerySupervisor::Snapshot(int64_t query_id) const {
  std::lock_guard<std::mutex> lock(mutex_);
  auto found = queries_.find(query_id);
  if (found == queries_.end()) return QueryStatus();
  return AggregateLocked(found->second);
}

Status QuerySupervisor::WaitForPositions(int64_t query_id,
                                         const std::map<std::string, std::vector<int64_t>>& targets,
                                         std::chrono::milliseconds timeout,
                                         const std::atomic<bool>* cancel) {
  using Clock = std::chrono::steady_clock;
  const auto deadline = Clock::now() + timeout;
  const std::string name = "query " + std::to_string(query_id);
  std::unique_lock<std::mutex> lock(mutex_);
  while (true) {
    auto found = queries_.find(query_id);
    if (found == queries_.end() || found->second.empty()) {
      return Status::Execution(name + " has no worker");
    }
    const QueryStatus status = AggregateLocked(found->second);
    if (PositionsReached(status.progress, targets)) return Status::OK();
    // A final state counts once its event reached the catalog (on_state_change has run).
    const bool delivered = events_delivered_ == events_queued_;
    if (status.state == "FAILED" && delivered) {
      return Status::Execution(name + " failed: " + status.reason);
    }
    if (status.state == "STOPPED" && delivered) return Status::Execution(name + " is stopped");
    if (cancel != nullptr && cancel->load()) return Status::Cancelled();
    auto now = Clock::now();
    if (now >= deadline) {
      return Status::Execution("timed out after " + std::to_string(timeout.count()) +
                               " ms waiting for " + name + " to process its input (it read " +
                               std::to_string(status.progress.records_in) + " records so far)");
    }
    // Wakes on every progress report; the slice bounds how late a cancel is noticed.
    changed_.wait_for(lock,
                      std::min<Clock::duration>(deadline - now, std::chrono::milliseconds(50)));
  }
}

void QuerySupervisor::QueueEventLocked(int64_t query_id, const std::string& state,
                                       const std::string& reason) {
  events_.push_back(Event{query_id, state, reason});
  ++events_queued_;
}

void QuerySupervisor::QueueWorkerEventLocked(const Entry& entry, const std::string& state,
                                             const std::string& reason) {
  QueueEventLocked(entry.query_id, state,
                   WorkerLabel(entry.worker_index, entry.worker_count, entry.stages) + reason);
  if (state == "FAILED" && entry.worker_count > 1) sibling_stops_.push_back(entry.query_id);
}

void QuerySupervisor::Wake() {
  uint64_t one = 1;
  // EAGAIN only when the counter is about to overflow: the monitor is woken already.
  ssize_t written = ::write(wake_fd_, &one, sizeof(one));
  (void)written;
}

bool QuerySupervisor::ReapLocked(Entry& entry) {
  if (entry.exited) return false;
  int wait_status = 0;
  struct rusage usage {};
  pid_t reaped = ::wait4(entry.pid, &wait_status, WNOHANG, &usage);
  if (reaped == 0 || (reaped < 0 && errno == EINTR)) return false;
  entry.exited = true;
  entry.status.pid = 0;
  if (reaped < 0) {
    entry.wait_status_known = false;  // ECHILD: someone else in this process reaped it
  } else {
    entry.wait_status = wait_status;
    entry.rusage_peak_rss_bytes = static_cast<int64_t>(usage.ru_maxrss) * 1024;  // KiB
  }
  entry.UpdatePeakRss();
  return true;
}

void QuerySupervisor::FinalizeExitLocked(Entry& entry) {
  if (entry.finalized) return;
  entry.finalized = true;
  if (entry.stopping) {
    entry.status.state = "STOPPED";
    entry.status.reason = "stopped";
    QueueWorkerEventLocked(entry, entry.status.state, entry.status.reason);
  } else {
    OnExitedLocked(entry, entry.wait_status);
  }
  changed_.notify_all();
}

void QuerySupervisor::CloseFdsLocked(Entry& entry) {
  for (int* fd : {&entry.control_fd, &entry.status_fd, &entry.pid_fd}) {
    if (*fd >= 0) ::close(*fd);
    *fd = -1;
  }
}

}  // namespace sluice
