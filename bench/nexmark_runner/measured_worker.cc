#include "bench/nexmark_runner/measured_worker.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <optional>
#include <variant>

#include "runtime/worker/worker_allocator.h"
#include "runtime/worker/worker_protocol.h"

namespace sluice::bench {
namespace {

using Clock = std::chrono::steady_clock;

// Owns one fd.
class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd() { Reset(); }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  void Reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_;
};

// Runs in the forked child: async-signal-safe calls only until exec.
[[noreturn]] void ExecWorker(const char* binary, int control_end, int status_end, int dev_null) {
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  ::setsid();
  ::prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
  int control = ::fcntl(control_end, F_DUPFD, 10);
  int status = ::fcntl(status_end, F_DUPFD, 10);
  int null_fd = ::fcntl(dev_null, F_DUPFD, 10);
  if (control < 0 || status < 0 || null_fd < 0 || ::dup2(null_fd, 0) < 0 ||
      ::dup2(null_fd, 1) < 0 || ::dup2(control, kWorkerControlFd) < 0 ||
      ::dup2(status, kWorkerStatusFd) < 0) {
    ::_exit(126);
  }
  ::syscall(SYS_close_range, kWorkerStatusFd + 1, ~0U, 0);
  char* const argv[] = {const_cast<char*>(binary), const_cast<char*>("worker"), nullptr};
  // As the supervisor starts a worker (worker_spawner.cc).
  char* const envp[] = {const_cast<char*>(kWorkerMallocTunables), nullptr};
  ::execve(binary, argv, envp);
  ::_exit(127);
}

bool ReachedPositions(const QueryProgress& progress,
                      const std::map<std::string, std::vector<int64_t>>& targets) {
  for (const auto& [topic, target] : targets) {
    auto found = progress.positions.find(topic);
    // No target offsets: the end the worker reports (a bounded datagen source's).
    auto reported_end = progress.end_offsets.find(topic);
    if (target.empty() && reported_end == progress.end_offsets.end()) return false;
    const std::vector<int64_t>& ends = target.empty() ? reported_end->second : target;
    if (found == progress.positions.end() || found->second.size() < ends.size()) return false;
    for (size_t partition_idx = 0; partition_idx < ends.size(); ++partition_idx) {
      if (found->second[partition_idx] < ends[partition_idx]) return false;
    }
  }
  return true;
}

double Seconds(const struct timeval& tv) {
  return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6;
}

std::string DescribeExit(int wait_status) {
  if (WIFEXITED(wait_status)) return "exited with code " + std::to_string(WEXITSTATUS(wait_status));
  if (WIFSIGNALED(wait_status)) {
    return "killed by signal " + std::to_string(WTERMSIG(wait_status)) + " (" +
           ::strsignal(WTERMSIG(wait_status)) + ")";
  }
  return "ended with status " + std::to_string(wait_status);
}

}  // namespace

Result<WorkerRunResult> RunMeasuredWorker(const WorkerRunOptions& options) {
  int control[2];
  int status[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, control) != 0) {
    return Status::FromErrno("socketpair", errno);
  }
  Fd control_ours(control[0]), control_theirs(control[1]);
  if (::pipe2(status, O_CLOEXEC) != 0) return Status::FromErrno("pipe2", errno);
  Fd status_ours(status[0]), status_theirs(status[1]);
  Fd dev_null(::open("/dev/null", O_RDWR | O_CLOEXEC));
  if (dev_null.get() < 0) return Status::FromErrno("open /dev/null", errno);

  const auto started = Clock::now();
  pid_t pid = ::fork();
  if (pid < 0) return Status::FromErrno("fork", errno);
  if (pid == 0) {
    ExecWorker(options.worker_binary.c_str(), control_theirs.get(), status_theirs.get(),
               dev_null.get());
  }
  control_theirs.Reset();
  status_theirs.Reset();
  dev_null.Reset();

  WorkerRunResult result;
  std::string failure;
  bool stop_sent = false;
  int64_t reported_peak = 0;  // the worker's own VmHWM, from its messages
  auto send = [&](const WorkerMessage& message) {
    std::string frame = FrameWorkerMessage(message);
    // MSG_NOSIGNAL: a worker that already died yields EPIPE, not a SIGPIPE for the runner.
    size_t sent = 0;
    while (sent < frame.size()) {
      ssize_t n =
          ::send(control_ours.get(), frame.data() + sent, frame.size() - sent, MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      sent += static_cast<size_t>(n);
    }
    return true;
  };

  WorkerStartMessage start;
  start.query_id = options.query_id;
  start.data_dir = options.data_dir;
  start.plan_json = options.plan_json;
  if (!send(start)) failure = "cannot send the start message: " + std::string(strerror(errno));

  // Reads status frames until the worker closes fd 4 (it exits right after).
  const auto deadline = started + options.timeout;
  bool timed_out = false;
  while (failure.empty()) {
    auto remaining =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (remaining <= 0) {
      timed_out = true;
      break;
    }
    struct pollfd fds = {status_ours.get(), POLLIN, 0};
    int ready = ::poll(&fds, 1, static_cast<int>(std::min<int64_t>(remaining, 1000)));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) continue;
    Result<std::optional<WorkerMessage>> message = ReadWorkerMessage(status_ours.get());
    if (!message.ok()) {
      failure = "bad status frame: " + message.status().message();
      break;
    }
    if (!message->has_value()) break;  // end of file: the worker is exiting
    const WorkerMessage& body = **message;
    if (const auto* started_message = std::get_if<WorkerStartedMessage>(&body)) {
      result.protections = started_message->protections;
    } else if (const auto* progress = std::get_if<WorkerProgressMessage>(&body)) {
      result.progress = progress->progress;
      reported_peak = std::max(reported_peak, progress->peak_rss_bytes);
      if (!stop_sent && !options.stop_at_positions.empty() &&
          ReachedPositions(result.progress, options.stop_at_positions)) {
        stop_sent = true;
        send(WorkerStopMessage{});
      }
    } else if (const auto* failed = std::get_if<WorkerFailedMessage>(&body)) {
      failure = "the query failed: " + failed->reason;
    } else if (const auto* stopped = std::get_if<WorkerStoppedMessage>(&body)) {
      reported_peak = std::max(reported_peak, stopped->peak_rss_bytes);
    }
  }
  if (timed_out || !failure.empty()) ::kill(pid, SIGKILL);

  int wait_status = 0;
  struct rusage usage;
  std::memset(&usage, 0, sizeof(usage));
  while (::wait4(pid, &wait_status, 0, &usage) < 0) {
    if (errno != EINTR) return Status::FromErrno("wait4", errno);
  }
  result.wall_seconds = std::chrono::duration<double>(Clock::now() - started).count();
  result.user_seconds = Seconds(usage.ru_utime);
  result.sys_seconds = Seconds(usage.ru_stime);
  // ru_maxrss only when the worker reported nothing: Linux raises it to the runner's own RSS at
  // the fork (it keeps the pre-exec high-water mark), so it is at least the runner's size.
  result.peak_rss_bytes =
      reported_peak > 0 ? reported_peak : static_cast<int64_t>(usage.ru_maxrss) * 1024;

  if (timed_out) {
    return Status::Execution("worker did not finish within " +
                             std::to_string(options.timeout.count()) + " s (killed)");
  }
  if (!failure.empty()) return Status::Execution(failure);
  if (!WIFEXITED(wait_status) || WEXITSTATUS(wait_status) != 0) {
    return Status::Execution("worker " + DescribeExit(wait_status));
  }
  return result;
}

}  // namespace sluice::bench
