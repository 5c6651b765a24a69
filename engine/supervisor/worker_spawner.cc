#include "engine/supervisor/worker_spawner.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>

#include "runtime/worker/worker_allocator.h"

namespace sluice {
namespace {

// What the child reports through the exec-error pipe when it cannot become a worker.
struct ChildError {
  int stage;  // index into kStageNames
  int err;
};
constexpr const char* kStageNames[] = {"set up the worker's file descriptors", "exec"};
constexpr int kStageFds = 0;
constexpr int kStageExec = 1;

constexpr int kChildErrorFd = 5;  // first fd above the protocol's 3 and 4

void CloseIfOpen(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

// Runs in the forked child of a multi-threaded process: only async-signal-safe calls until exec.
[[noreturn]] void RunChild(const char* binary, pid_t parent, int control_end, int status_end,
                           int dev_null, int error_end) {
  auto fail = [&error_end](int stage) {
    ChildError error{stage, errno};
    ssize_t written = ::write(error_end, &error, sizeof(error));
    (void)written;
    ::_exit(127);
  };
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  // Ignored signals stay ignored across exec; the worker wants the defaults.
  for (int sig : {SIGPIPE, SIGINT, SIGTERM, SIGQUIT, SIGHUP, SIGCHLD}) ::signal(sig, SIG_DFL);
  ::setsid();
  ::prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
  // The engine may have died between fork and prctl; then nobody would ever kill this process.
  if (::getppid() != parent) ::_exit(1);

  // Move everything above the target fds first, so no dup2 below overwrites a source.
  int control = ::fcntl(control_end, F_DUPFD_CLOEXEC, 10);
  int status = ::fcntl(status_end, F_DUPFD_CLOEXEC, 10);
  int null_fd = ::fcntl(dev_null, F_DUPFD_CLOEXEC, 10);
  int error = ::fcntl(error_end, F_DUPFD_CLOEXEC, 10);
  if (control < 0 || status < 0 || null_fd < 0 || error < 0) fail(kStageFds);
  error_end = error;
  // stderr stays inherited (crash messages reach the engine's log), unless the engine runs with
  // fd 2 closed and one of the fds above happened to land there.
  bool stderr_is_ours = control_end == 2 || status_end == 2 || dev_null == 2 || error_end == 2;
  if (::dup2(null_fd, 0) < 0 || ::dup2(null_fd, 1) < 0 ||
      (stderr_is_ours && ::dup2(null_fd, 2) < 0) || ::dup2(control, 3) < 0 ||
      ::dup2(status, 4) < 0 || ::dup3(error, kChildErrorFd, O_CLOEXEC) < 0) {
    fail(kStageFds);
  }
  error_end = kChildErrorFd;
  // No other fd of the engine (catalog, sockets of other sessions, other workers' pipes) leaks.
  if (::syscall(SYS_close_range, kChildErrorFd + 1, ~0U, 0) != 0) {
    for (int fd = kChildErrorFd + 1; fd < 65536; ++fd) ::close(fd);
  }
  char* const argv[] = {const_cast<char*>(binary), const_cast<char*>("worker"), nullptr};
  // Nothing of the engine's environment (credentials) reaches a worker: malloc's tunables only.
  char* const envp[] = {const_cast<char*>(kWorkerMallocTunables), nullptr};
  ::execve(binary, argv, envp);
  fail(kStageExec);
  ::_exit(127);  // not reached
}

}  // namespace

WorkerSpawner::WorkerSpawner() : thread_([this] { Loop(); }) {}

WorkerSpawner::~WorkerSpawner() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    shutting_down_ = true;
  }
  changed_.notify_all();
  thread_.join();
}

Result<SpawnedWorker> WorkerSpawner::Spawn(const std::string& binary) {
  Request request;
  request.binary = &binary;
  std::unique_lock<std::mutex> lock(mutex_);
  if (shutting_down_) return Status::Internal("the worker spawner is shutting down");
  queue_.push_back(&request);
  changed_.notify_all();
  changed_.wait(lock, [&] { return request.done; });
  return std::move(request.result);
}

void WorkerSpawner::Loop() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (true) {
    changed_.wait(lock, [&] { return shutting_down_ || !queue_.empty(); });
    if (queue_.empty()) return;  // shutting down with nothing left to serve
    Request* request = queue_.front();
    queue_.pop_front();
    lock.unlock();
    Result<SpawnedWorker> result = SpawnNow(*request->binary);
    lock.lock();
    request->result = std::move(result);
    request->done = true;
    changed_.notify_all();
  }
}

Result<SpawnedWorker> WorkerSpawner::SpawnNow(const std::string& binary) {
  // Every fd is O_CLOEXEC: a concurrent fork elsewhere in the engine must not inherit them.
  int control[2] = {-1, -1};
  int status[2] = {-1, -1};
  int error[2] = {-1, -1};
  int dev_null = -1;
  auto close_all = [&] {
    for (int* fd :
         {&control[0], &control[1], &status[0], &status[1], &error[0], &error[1], &dev_null}) {
      CloseIfOpen(*fd);
    }
  };
  // A socket, not a pipe, so the engine can write with MSG_NOSIGNAL: a worker that died before
  // reading its Start message yields EPIPE instead of a SIGPIPE that would kill the engine.
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, control) != 0 ||
      ::pipe2(status, O_CLOEXEC) != 0 || ::pipe2(error, O_CLOEXEC) != 0 ||
      (dev_null = ::open("/dev/null", O_RDWR | O_CLOEXEC)) < 0) {
    Status failed = Status::FromErrno("cannot create the worker's pipes", errno);
    close_all();
    return failed;
  }
  const pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid < 0) {
    Status failed = Status::FromErrno("cannot fork a worker", errno);
    close_all();
    return failed;
  }
  if (pid == 0) RunChild(binary.c_str(), parent, control[1], status[1], dev_null, error[1]);

  CloseIfOpen(control[1]);
  CloseIfOpen(status[1]);
  CloseIfOpen(error[1]);
  CloseIfOpen(dev_null);
  // End of file means the exec succeeded (the pipe was close-on-exec); a record means it did not.
  ChildError child_error{};
  ssize_t n;
  do {
    n = ::read(error[0], &child_error, sizeof(child_error));
  } while (n < 0 && errno == EINTR);
  CloseIfOpen(error[0]);
  if (n != 0) {
    int wait_status = 0;
    while (::waitpid(pid, &wait_status, 0) < 0 && errno == EINTR) {
    }
    close_all();
    if (n != static_cast<ssize_t>(sizeof(child_error)) || child_error.stage < kStageFds ||
        child_error.stage > kStageExec) {
      return Status::Internal("worker " + binary + " failed before exec");
    }
    return Status::FromErrno(
        std::string("cannot ") + kStageNames[child_error.stage] + " of worker " + binary,
        child_error.err);
  }
  // The monitor polls the status pipe together with every other worker's.
  int flags = ::fcntl(status[0], F_GETFL);
  if (flags >= 0) ::fcntl(status[0], F_SETFL, flags | O_NONBLOCK);

  SpawnedWorker worker;
  worker.pid = pid;
  worker.control_fd = control[0];
  worker.status_fd = status[0];
  worker.pid_fd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));  // always close-on-exec
  return worker;
}

}  // namespace sluice
