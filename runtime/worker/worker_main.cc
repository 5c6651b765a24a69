#include "runtime/worker/worker_main.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <variant>

#include "runtime/pipeline/query_runner.h"
#include "runtime/worker/sandbox.h"
#include "runtime/worker/worker_allocator.h"
#include "runtime/worker/worker_protocol.h"

namespace sluice {
namespace {

// Writes messages to the status fd. Once the engine is gone (EPIPE) further writes are dropped:
// nobody is left to read them, and the worker still has to shut its pipeline down cleanly.
class StatusWriter {
 public:
  void Write(const WorkerMessage& message) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (broken_) return;
    if (!WriteWorkerMessage(kWorkerStatusFd, message).ok()) broken_ = true;
  }

 private:
  std::mutex mutex_;
  bool broken_ = false;
};

class StatusProgressListener final : public ProgressListener {
 public:
  explicit StatusProgressListener(StatusWriter* writer) : writer_(writer) {}
  void OnProgress(const QueryProgress& progress) override {
    // A few reads of /proc/self/status per second at most (progress is rate-limited).
    writer_->Write(WorkerProgressMessage{progress, WorkerPeakRssBytes()});
  }

 private:
  StatusWriter* writer_;
};

int Fail(StatusWriter& writer, const std::string& reason, bool retriable = false) {
  writer.Write(WorkerFailedMessage{reason, retriable, WorkerPeakRssBytes()});
  return 1;
}

// Blocks until fd 3 says stop (a Stop message, end of file or a broken pipe) or `wake_fd` is
// signalled by the pipeline thread finishing on its own. Returns true when asked to stop.
bool WaitForStopOrPipelineEnd(int wake_fd) {
  while (true) {
    struct pollfd fds[2] = {{kWorkerControlFd, POLLIN, 0}, {wake_fd, POLLIN, 0}};
    int ready = ::poll(fds, 2, -1);
    if (ready < 0) {
      if (errno == EINTR) continue;
      return true;  // cannot watch the engine any more: stopping is the safe choice
    }
    if (fds[1].revents != 0) return false;
    if (fds[0].revents == 0) continue;
    // The engine writes whole frames, so a blocking read of one frame does not stall here.
    Result<std::optional<WorkerMessage>> message = ReadWorkerMessage(kWorkerControlFd);
    if (!message.ok() || !message->has_value()) return true;  // engine died or garbled: stop
    if (std::holds_alternative<WorkerStopMessage>(**message)) return true;
    // Anything else (a second Start) is ignored: one worker runs exactly one query.
  }
}

// True when we were re-parented, i.e. the engine died before PDEATHSIG was armed. Compares the
// parent with the creator of the control socket (SO_PEERCRED) rather than with pid 1, because the
// engine itself may be pid 1 in a container. Without a socket on fd 3 it cannot tell: false.
bool EngineIsGone() {
  struct ucred peer;
  socklen_t size = sizeof(peer);
  if (::getsockopt(kWorkerControlFd, SOL_SOCKET, SO_PEERCRED, &peer, &size) != 0) return false;
  return peer.pid != ::getppid();
}

}  // namespace

int WorkerMain() {
  // Before any thread: a refusal only costs speed (glibc's defaults stay).
  TuneWorkerAllocator();
  // The supervisor set PDEATHSIG before exec already; setting it again costs nothing and covers
  // a worker started by hand. If the engine died before that, nobody would ever stop us.
  ::prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
  if (EngineIsGone()) return 1;
  // Writes to a dead engine's status pipe must fail with EPIPE, not kill the worker mid-shutdown.
  ::signal(SIGPIPE, SIG_IGN);

  StatusWriter writer;
  Result<std::optional<WorkerMessage>> first = ReadWorkerMessage(kWorkerControlFd);
  if (!first.ok()) {
    return Fail(writer, "cannot read the start message: " + first.status().message());
  }
  if (!first->has_value()) return 1;  // the engine went away before sending anything
  if (!std::holds_alternative<WorkerStartMessage>(**first)) {
    return Fail(writer, "expected a start message, got \"" +
                            std::string(WorkerMessageName(**first)) + "\"");
  }
  const WorkerStartMessage start = std::get<WorkerStartMessage>(std::move(**first));

  // Created before the sandbox so the sandbox cannot be what makes it fail.
  int wake_fd = ::eventfd(0, EFD_CLOEXEC);
  if (wake_fd < 0) return Fail(writer, "eventfd: " + std::string(std::strerror(errno)));

  SandboxOptions sandbox;
  sandbox.data_dir = start.data_dir;
  sandbox.query_id = start.query_id;
  sandbox.limits = start.limits;
  Result<std::string> protections = ApplyWorkerSandbox(sandbox);
  if (!protections.ok()) {
    return Fail(writer, "cannot sandbox the worker: " + protections.status().message());
  }
  writer.Write(WorkerStartedMessage{static_cast<int>(::getpid()), *protections});

  std::atomic<bool> stop{false};
  StatusProgressListener listener(&writer);
  Status result;
  std::thread pipeline([&]() {
    QueryRunContext context;
    context.data_dir = start.data_dir;
    context.state_dir = WorkerInstanceStateDir(start.data_dir, start.query_id, start.worker_index,
                                               start.worker_count);
    context.worker_index = static_cast<int32_t>(start.worker_index);
    context.worker_count = static_cast<int32_t>(start.worker_count);
    context.restarted_alone = start.restarted_alone;
    context.stop = &stop;
    context.listener = &listener;
    context.store_secrets = start.store_secrets;
    result = RunPersistentQuery(start.plan_json, context);
    uint64_t one = 1;
    // Cannot fail short of a bug; the main thread would then wait for Stop instead.
    ssize_t written = ::write(wake_fd, &one, sizeof(one));
    (void)written;
  });

  // Whether asked or not (the pipeline may return OK when its sources end), the outcome is
  // reported the same way; the supervisor knows whether it asked.
  WaitForStopOrPipelineEnd(wake_fd);
  stop.store(true);
  pipeline.join();
  ::close(wake_fd);

  if (!result.ok()) return Fail(writer, result.message(), result.retriable());
  // The last word carries the peak over the whole run, shutdown included.
  writer.Write(WorkerStoppedMessage{WorkerPeakRssBytes()});
  return 0;
}

}  // namespace sluice
