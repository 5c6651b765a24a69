#pragma once
// Forks and execs `sluice worker` processes from one long-lived thread. The kernel delivers
// PR_SET_PDEATHSIG when the *thread* that forked a child exits, not the process, so forking from
// whichever session thread called Start() would kill the worker when that session ends.

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "common/status.h"

namespace sluice {

// The engine's ends of a freshly exec'd worker. The caller owns the fds (all O_CLOEXEC).
struct SpawnedWorker {
  int pid = 0;
  int control_fd = -1;  // a stream socket; write with MSG_NOSIGNAL (the worker reads it as fd 3)
  int status_fd = -1;   // non-blocking read end of the worker's fd 4
  int pid_fd = -1;      // pidfd, readable when the worker exits; -1 if the kernel has none
};

class WorkerSpawner {
 public:
  WorkerSpawner();
  ~WorkerSpawner();  // joins the spawner thread; workers it forked keep running until stopped

  WorkerSpawner(const WorkerSpawner&) = delete;
  WorkerSpawner& operator=(const WorkerSpawner&) = delete;

  // Runs `<binary> worker` with fds 3 and 4 connected to the returned ends, stdin and stdout on
  // /dev/null, stderr inherited, no other fds, an environment of malloc tunables only
  // (worker_allocator.h), its own session (a Ctrl-C in the shell must not reach it) and SIGKILL as
  // its parent-death signal. Returns once the exec succeeded, or the reason it failed (e.g. the
  // binary does not exist).
  Result<SpawnedWorker> Spawn(const std::string& binary);

 private:
  struct Request {
    const std::string* binary;
    Result<SpawnedWorker> result{Status::Internal("spawn request was not served")};
    bool done = false;
  };

  void Loop();
  // REQUIRES: called on the spawner thread.
  Result<SpawnedWorker> SpawnNow(const std::string& binary);

  std::mutex mutex_;
  std::condition_variable changed_;  // a request was queued, served, or shutdown began
  std::deque<Request*> queue_;
  bool shutting_down_ = false;
  std::thread thread_;
};

}  // namespace sluice
