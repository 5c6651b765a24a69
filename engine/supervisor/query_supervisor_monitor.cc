// The query supervisor's monitor thread: reads every worker's status pipe, notices exits, and
// delivers state changes to the engine.

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>

#include "engine/supervisor/query_supervisor.h"
#include "engine/supervisor/query_supervisor_entry.h"

namespace sluice {
namespace {

std::string SignalName(int sig) {
  const char* abbrev = ::sigabbrev_np(sig);
  return abbrev != nullptr ? "SIG" + std::string(abbrev) : "unknown signal";
}

}  // namespace

std::string DescribeWorkerExit(int wait_status, const std::string& failed_reason) {
  std::string text;
  if (WIFSIGNALED(wait_status)) {
    int sig = WTERMSIG(wait_status);
    text = "worker killed by signal " + std::to_string(sig) + " (" + SignalName(sig) + ")";
    // RLIMIT_CPU: the kernel sends SIGXCPU at the soft limit and SIGKILL at the hard one.
    if (sig == SIGXCPU) text += ": CPU time limit exceeded";
  } else if (WIFEXITED(wait_status)) {
    text = "worker exited with code " + std::to_string(WEXITSTATUS(wait_status));
  } else {
    text = "worker ended with wait status " + std::to_string(wait_status);
  }
  if (!failed_reason.empty()) text += ": " + failed_reason;
  return text;
}

std::string RetryingReason(const std::string& reason, int attempt,
                           const std::chrono::milliseconds* next_in) {
  std::string text = reason + " (attempt " + std::to_string(attempt) + ", ";
  if (next_in == nullptr) return text + "reconnecting)";
  const int64_t ms = next_in->count();
  return text + "next in " +
         (ms % 1000 == 0 ? std::to_string(ms / 1000) + " s" : std::to_string(ms) + " ms") + ")";
}

std::string WorkerLabel(int worker_index, int worker_count, int stages) {
  if (worker_count <= 1) return "";
  if (stages >= 2) {
    const WorkerPlace place = PlaceWorker(worker_index, worker_count, stages);
    // After stage 2 (a GROUP BY) or stage 3 (a GROUP BY over a join).
    if (place.view_worker) return "stage " + std::to_string(stages == 2 ? 3 : 4) + " view worker: ";
    const int per_group = place.per_group;
    const int group = place.group;
    // A join's stage 1 has a group per side; a GROUP BY over a join aggregates in stage 3.
    std::string stage;
    if (stages == 2) {
      stage = group == 0 ? "stage 1" : "stage 2";
    } else if (group < 2) {
      stage = group == 0 ? "stage 1 left" : "stage 1 right";
    } else {
      stage = "stage " + std::to_string(group);
    }
    return stage + " worker " + std::to_string(worker_index % per_group) + " of " +
           std::to_string(per_group) + ": ";
  }
  return "worker " + std::to_string(worker_index) + " of " + std::to_string(worker_count) + ": ";
}

void QuerySupervisor::MonitorLoop() {
  std::vector<struct pollfd> fds;
  std::vector<Event> events;
  std::unique_lock<std::mutex> lock(mutex_);
  while (true) {
    // Everything polled is closed only by this thread, so the fds stay valid while unlocked.
    fds.clear();
    fds.push_back({wake_fd_, POLLIN, 0});
    bool need_timer = false;
    for (const auto& entry : watched_) {
      if (entry->status_fd >= 0) fds.push_back({entry->status_fd, POLLIN, 0});
      if (entry->pid_fd >= 0) {
        fds.push_back({entry->pid_fd, POLLIN, 0});
      } else {
        need_timer = true;  // no pidfd: notice exits by polling waitpid
      }
    }
    if (shutting_down_ && watched_.empty() && events_.empty()) return;
    const int restart_due_ms = RunDueRestarts(lock);
    int timeout_ms = need_timer ? 100 : -1;
    if (restart_due_ms >= 0 && (timeout_ms < 0 || restart_due_ms < timeout_ms)) {
      timeout_ms = restart_due_ms;
    }
    lock.unlock();
    int ready = ::poll(fds.data(), fds.size(), timeout_ms);
    if (ready > 0 && fds[0].revents != 0) {
      uint64_t count = 0;
      ssize_t n = ::read(wake_fd_, &count, sizeof(count));
      (void)n;
    }
    lock.lock();

    for (auto it = watched_.begin(); it != watched_.end();) {
      Entry& entry = **it;
      // Reap first, then drain: a worker writes Failed before it exits, so once it is reaped its
      // last words are all in the pipe.
      ReapLocked(entry);
      DrainStatusLocked(entry);
      if (entry.exited) {
        DrainStatusLocked(entry);
        FinalizeExitLocked(entry);
        CloseFdsLocked(entry);
        it = watched_.erase(it);
      } else {
        ++it;
      }
    }
    StopSiblings(lock);
    events.assign(events_.begin(), events_.end());
    events_.clear();
    if (events.empty()) continue;
    if (!options_.on_state_change) {
      events_delivered_ += events.size();
      changed_.notify_all();
      continue;
    }
    // The engine takes its catalog lock in the callback; holding mutex_ here could deadlock
    // with a session that holds the catalog lock and calls Snapshot() or Start().
    lock.unlock();
    for (const Event& event : events) {
      options_.on_state_change(event.query_id, event.state, event.reason);
    }
    lock.lock();
    events_delivered_ += events.size();
    changed_.notify_all();
  }
}

void QuerySupervisor::DrainStatusLocked(Entry& entry) {
  char buffer[64 * 1024];
  while (entry.status_fd >= 0) {
    ssize_t n = ::read(entry.status_fd, buffer, sizeof(buffer));
    if (n > 0) {
      entry.decoder.Append(buffer, static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    // End of file (or a broken pipe): the worker is exiting; its pidfd or waitpid says when. A
    // torn last frame is left undecoded: a worker killed mid-write produces one, and its exit
    // status explains that better than a protocol error would.
    ::close(entry.status_fd);
    entry.status_fd = -1;
  }
  while (entry.protocol_error.empty()) {
    Result<std::optional<WorkerMessage>> next = entry.decoder.Next();
    if (!next.ok()) {
      entry.protocol_error = next.status().message();
      break;
    }
    if (!next->has_value()) break;
    ApplyMessageLocked(entry, WorkerMessageHolder{std::move(**next)});
  }
  // A worker that speaks garbage cannot be trusted to stop when asked.
  if (!entry.protocol_error.empty() && !entry.exited && !entry.killed) {
    ::kill(entry.pid, SIGKILL);
    entry.killed = true;
  }
}

void QuerySupervisor::ApplyMessageLocked(Entry& entry, const WorkerMessageHolder& holder) {
  const WorkerMessage& message = holder.message;
  if (const auto* started = std::get_if<WorkerStartedMessage>(&message)) {
    entry.status.protections = started->protections;
    if (entry.status.state == "STARTING") {
      entry.status.state = "RUNNING";
      entry.status.reason.clear();
      QueueEventLocked(entry.query_id, "RUNNING", "");
    }
  } else if (const auto* progress = std::get_if<WorkerProgressMessage>(&message)) {
    entry.status.progress = progress->progress;
    entry.NoteReportedPeak(progress->peak_rss_bytes);
    // A retried worker reports progress only once its sources and sinks opened: the broker is
    // back, and the query runs again by itself.
    if (entry.retrying && entry.status.state == "RETRYING") {
      entry.retrying = false;
      entry.retry_reason.clear();
      entry.policy.OnRecovered();
      entry.status.state = "RUNNING";
      entry.status.reason.clear();
      QueueEventLocked(entry.query_id, "RUNNING", "");
    }
  } else if (const auto* failed = std::get_if<WorkerFailedMessage>(&message)) {
    entry.failed_reason = failed->reason;
    entry.failed_retriable = failed->retriable;
    entry.NoteReportedPeak(failed->peak_rss_bytes);
  } else if (const auto* stopped = std::get_if<WorkerStoppedMessage>(&message)) {
    entry.saw_stopped = true;
    entry.NoteReportedPeak(stopped->peak_rss_bytes);
  } else {
    entry.protocol_error = "the worker sent a \"" + std::string(WorkerMessageName(message)) +
                           "\" message, which only the engine sends";
  }
  changed_.notify_all();
}

void QuerySupervisor::OnExitedLocked(Entry& entry, int wait_status) {
  std::string reason;
  std::string state = "FAILED";
  if (!entry.protocol_error.empty()) {
    reason = "worker sent a malformed message (" + entry.protocol_error + ") and was killed";
  } else if (!entry.wait_status_known) {
    reason = "worker exited, but its exit status was collected elsewhere";
    if (!entry.failed_reason.empty()) reason += ": " + entry.failed_reason;
  } else if (entry.saw_stopped && WIFEXITED(wait_status) && WEXITSTATUS(wait_status) == 0) {
    // The pipeline returned without being asked (its sources ended): finished, not failed.
    state = "STOPPED";
    reason = "the query finished: its pipeline ended on its own";
  } else if (entry.failed_retriable && !entry.failed_reason.empty()) {
    OnTransientFailureLocked(entry, entry.failed_reason);
    return;
  } else if (entry.failed_reason.empty() &&
             (WIFSIGNALED(wait_status) ||
              (WIFEXITED(wait_status) && WEXITSTATUS(wait_status) != 0))) {
    // Killed, or gone without saying why: a crash, not a query error. Restart it.
    OnCrashLocked(entry, DescribeWorkerExit(wait_status, entry.failed_reason));
    return;
  } else {
    reason = DescribeWorkerExit(wait_status, entry.failed_reason);
  }
  entry.status.state = state;
  entry.status.reason = reason;
  QueueWorkerEventLocked(entry, state, reason);
}

}  // namespace sluice

namespace sluice {

void QuerySupervisor::OnCrashLocked(Entry& entry, const std::string& reason) {
  entry.status.last_crash = reason;
  const auto now = std::chrono::steady_clock::now();
  std::optional<std::chrono::milliseconds> delay = entry.policy.OnCrash(now);
  std::shared_ptr<Entry>* slot = SlotLocked(entry.query_id, entry.worker_index);
  if (!delay || shutting_down_ || slot == nullptr || slot->get() != &entry) {
    entry.status.state = "FAILED";
    entry.status.reason =
        delay ? reason : entry.policy.DescribeLimit() + "; the last time: " + reason;
    QueueWorkerEventLocked(entry, entry.status.state, entry.status.reason);
    return;
  }
  entry.status.state = "RESTARTING";
  entry.status.reason =
      reason + "; restarting from the last checkpoint in " + std::to_string(delay->count()) + " ms";
  entry.restart_pending = true;
  pending_.emplace_back(*slot, now + *delay);
  QueueWorkerEventLocked(entry, entry.status.state, entry.status.reason);
}

void QuerySupervisor::OnTransientFailureLocked(Entry& entry, const std::string& reason) {
  const auto now = std::chrono::steady_clock::now();
  const std::chrono::milliseconds delay = entry.policy.OnTransientFailure();
  std::shared_ptr<Entry>* slot = SlotLocked(entry.query_id, entry.worker_index);
  if (shutting_down_ || slot == nullptr || slot->get() != &entry) {
    entry.status.state = "FAILED";
    entry.status.reason = reason;
    QueueWorkerEventLocked(entry, entry.status.state, entry.status.reason);
    return;
  }
  entry.status.state = "RETRYING";
  entry.retry_reason = reason;
  entry.status.reason = RetryingReason(reason, entry.policy.retry_attempts(), &delay);
  entry.restart_pending = true;
  pending_.emplace_back(*slot, now + delay);
  QueueWorkerEventLocked(entry, entry.status.state, entry.status.reason);
}

int QuerySupervisor::RunDueRestarts(std::unique_lock<std::mutex>& lock) {
  int next_ms = -1;
  std::vector<std::shared_ptr<Entry>> due;
  const auto now = std::chrono::steady_clock::now();
  for (auto it = pending_.begin(); it != pending_.end();) {
    if (!it->first->restart_pending || shutting_down_) {
      it = pending_.erase(it);  // stopped or started by hand meanwhile
    } else if (it->second <= now) {
      it->first->restart_pending = false;
      due.push_back(it->first);
      it = pending_.erase(it);
    } else {
      const auto wait =
          std::chrono::duration_cast<std::chrono::milliseconds>(it->second - now).count() + 1;
      if (next_ms < 0 || wait < next_ms) next_ms = static_cast<int>(wait);
      ++it;
    }
  }
  if (due.empty()) return next_ms;
  lock.unlock();
  for (const auto& entry : due) {
    Status started = StartWorker(entry->query_id, entry->worker_index, entry->worker_count,
                                 entry->stages, entry->plan_json, entry->secrets, entry);
    if (started.ok()) continue;
    std::lock_guard<std::mutex> relock(mutex_);
    std::shared_ptr<Entry>* slot = SlotLocked(entry->query_id, entry->worker_index);
    if (slot == nullptr || *slot == nullptr) continue;
    QueryStatus& status = (*slot)->status;
    status.state = "FAILED";
    status.reason = "cannot restart the crashed worker: " + started.message();
    QueueWorkerEventLocked(**slot, status.state, status.reason);
  }
  lock.lock();
  // New workers joined watched_; the caller rebuilds its poll set on the next round.
  Wake();
  return 0;
}

}  // namespace sluice

namespace sluice {

void QuerySupervisor::StopSiblings(std::unique_lock<std::mutex>& lock) {
  if (sibling_stops_.empty()) return;
  std::vector<std::shared_ptr<Entry>> entries;
  for (int64_t query_id : sibling_stops_) {
    auto found = queries_.find(query_id);
    if (found == queries_.end()) continue;
    for (const auto& worker : found->second) {
      if (worker == nullptr) continue;
      // A sibling waiting for its automatic restart stays down: the query has failed.
      if (worker->restart_pending) {
        worker->restart_pending = false;
        worker->restart_cancelled = true;
        worker->status.state = "STOPPED";
        worker->status.reason = "stopped: another worker of the query failed";
      }
      if (worker->exited || worker->stopping) continue;
      worker->stopping = true;
      entries.push_back(worker);
    }
  }
  sibling_stops_.clear();
  if (entries.empty()) return;
  // FinishStops reaps the siblings itself (the monitor is busy here); the next round closes
  // their fds.
  lock.unlock();
  FinishStops(entries);
  lock.lock();
}

}  // namespace sluice
