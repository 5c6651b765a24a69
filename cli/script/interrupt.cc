#include "cli/script/interrupt.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>

namespace sluice {

namespace {

// Only lock-free atomics and write(2) are touched from the signal handler.
std::atomic<Session*> g_running_session{nullptr};
std::atomic<bool> g_interrupted{false};
int g_pipe[2] = {-1, -1};

void OnSigint(int) {
  const int saved_errno = errno;
  g_interrupted.store(true, std::memory_order_relaxed);
  if (Session* session = g_running_session.load(std::memory_order_relaxed)) session->Cancel();
  if (g_pipe[1] >= 0) {
    // Non-blocking: a full pipe already says "interrupted".
    [[maybe_unused]] ssize_t ignored = write(g_pipe[1], "!", 1);
  }
  errno = saved_errno;
}

}  // namespace

void InstallInterruptHandler() {
  if (g_pipe[0] < 0 && pipe2(g_pipe, O_CLOEXEC | O_NONBLOCK) != 0) {
    g_pipe[0] = g_pipe[1] = -1;  // Ctrl-C still cancels statements, only the prompt loses it
  }
  struct sigaction action = {};
  action.sa_handler = OnSigint;
  sigemptyset(&action.sa_mask);
  // SA_RESTART keeps output writes going; the line editor's poll() still returns EINTR.
  action.sa_flags = SA_RESTART;
  sigaction(SIGINT, &action, nullptr);
}

bool InterruptPending() { return g_interrupted.load(std::memory_order_relaxed); }

void ClearInterrupt() {
  g_interrupted.store(false, std::memory_order_relaxed);
  if (g_pipe[0] < 0) return;
  char buffer[64];
  while (read(g_pipe[0], buffer, sizeof(buffer)) > 0) {
  }
}

int InterruptFd() { return g_pipe[0]; }

RunningStatement::RunningStatement(Session& session) {
  g_running_session.store(&session, std::memory_order_relaxed);
}

RunningStatement::~RunningStatement() {
  g_running_session.store(nullptr, std::memory_order_relaxed);
}

}  // namespace sluice
