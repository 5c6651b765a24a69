// The worker sandbox, applied in a forked child (it cannot be undone, so never in the test
// process itself). Each child runs checks and writes its findings to a pipe; the parent asserts.

#include <errno.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <functional>
#include <string>
#include <thread>

#include "runtime/worker/sandbox.h"

namespace sluice {
namespace {

struct ChildOutcome {
  std::string report;    // ApplyWorkerSandbox's report, or "ERROR: ..." if it failed
  std::string problems;  // one line per failed check; empty when all passed
};

std::string ErrnoName(int err) { return strerrorname_np(err) ? strerrorname_np(err) : "?"; }

// Forks, applies the sandbox with `options`, runs `checks` (which append to their argument one
// line per failure) and ships the outcome back.
ChildOutcome RunSandboxed(const SandboxOptions& options,
                          const std::function<void(std::string*)>& checks) {
  int fds[2];
  if (::pipe(fds) != 0) return {"", "pipe failed"};
  pid_t pid = ::fork();
  if (pid == 0) {
    ::close(fds[0]);
    std::string out;
    Result<std::string> report = ApplyWorkerSandbox(options);
    if (!report.ok()) {
      out = "ERROR: " + report.status().ToString() + "\n";
    } else {
      std::string problems;
      checks(&problems);
      out = *report + "\n" + problems;
    }
    ssize_t written = ::write(fds[1], out.data(), out.size());
    ::_exit(written == static_cast<ssize_t>(out.size()) ? 0 : 1);
  }
  ::close(fds[1]);
  std::string text;
  char buffer[4096];
  ssize_t n;
  while ((n = ::read(fds[0], buffer, sizeof(buffer))) > 0) text.append(buffer, n);
  ::close(fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ChildOutcome outcome;
  size_t newline = text.find('\n');
  outcome.report = text.substr(0, newline);
  outcome.problems = newline == std::string::npos ? "no output" : text.substr(newline + 1);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    outcome.problems += "child ended with wait status " + std::to_string(status) + "\n";
  }
  return outcome;
}

// Expects `result` == -1 with errno `expected`.
void ExpectFails(std::string* problems, const char* what, long result, int expected) {
  if (result == -1 && errno == expected) return;
  *problems += std::string(what) + ": got " + std::to_string(result) + " errno " +
               ErrnoName(errno) + ", expected " + ErrnoName(expected) + "\n";
}

void ExpectOk(std::string* problems, const char* what, bool ok) {
  if (!ok) *problems += std::string(what) + " failed: " + std::strerror(errno) + "\n";
}

class WorkerSandboxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir_template[] = "/tmp/sluice_sandbox_XXXXXX";
    ASSERT_NE(::mkdtemp(dir_template), nullptr);
    data_dir_ = dir_template;
    options_.data_dir = data_dir_;
    options_.query_id = 7;
  }
  void TearDown() override { std::filesystem::remove_all(data_dir_); }

  std::string data_dir_;
  SandboxOptions options_;
};

TEST_F(WorkerSandboxTest, ReportNamesEveryProtection) {
  ChildOutcome outcome = RunSandboxed(options_, [](std::string*) {});
  EXPECT_EQ(outcome.problems, "");
  const std::string& report = outcome.report;
  EXPECT_EQ(report.rfind("no_new_privs, non-dumpable, rlimits (core=0)", 0), 0u) << report;
  EXPECT_NE(report.find(", seccomp"), std::string::npos) << report;
  std::string why;
  int abi = LandlockAbiVersion(&why);
  if (abi > 0) {
    EXPECT_NE(report.find("landlock (ABI " + std::to_string(abi) + ")"), std::string::npos)
        << report;
  } else {
    EXPECT_NE(report.find("landlock: unavailable (" + why + ")"), std::string::npos) << report;
  }
  // The directories the worker may write to exist after the sandbox made them.
  EXPECT_TRUE(std::filesystem::is_directory(WorkerLogDir(data_dir_)));
  EXPECT_TRUE(std::filesystem::is_directory(WorkerStateDir(data_dir_, 7)));
  EXPECT_EQ(WorkerStateDir(data_dir_, 7), data_dir_ + "/state/7");
}

TEST_F(WorkerSandboxTest, ExecIsRefusedWithEperm) {
  ChildOutcome outcome = RunSandboxed(options_, [](std::string* problems) {
    char* const argv[] = {const_cast<char*>("/bin/true"), nullptr};
    char* const envp[] = {nullptr};
    ExpectFails(problems, "execve", ::execve("/bin/true", argv, envp), EPERM);
    ExpectFails(problems, "execveat", ::syscall(SYS_execveat, AT_FDCWD, "/bin/true", argv, envp, 0),
                EPERM);
  });
  EXPECT_EQ(outcome.problems, "") << outcome.report;
}

TEST_F(WorkerSandboxTest, ProcessAndKernelEscapesAreRefused) {
  ChildOutcome outcome = RunSandboxed(options_, [](std::string* problems) {
    ExpectFails(problems, "ptrace", ::ptrace(PTRACE_TRACEME, 0, nullptr, nullptr), EPERM);
    ExpectFails(problems, "unshare", ::unshare(CLONE_NEWUSER), EPERM);
    ExpectFails(problems, "clone(CLONE_NEWUSER)",
                ::syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, nullptr, nullptr, nullptr, 0), EPERM);
    ExpectFails(problems, "setuid", ::syscall(SYS_setuid, ::getuid()), EPERM);
    ExpectFails(problems, "mount", ::syscall(SYS_mount, "none", "/tmp", "tmpfs", 0, nullptr),
                EPERM);
    ExpectFails(problems, "bpf", ::syscall(SYS_bpf, 0, nullptr, 0), EPERM);
    ExpectFails(problems, "process_vm_readv",
                ::syscall(SYS_process_vm_readv, ::getppid(), nullptr, 0, nullptr, 0, 0), EPERM);
    int value = -1;
    ExpectOk(problems, "PR_GET_NO_NEW_PRIVS", ::prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1);
    value = ::prctl(PR_GET_DUMPABLE, 0, 0, 0, 0);
    ExpectOk(problems, "PR_GET_DUMPABLE == 0", value == 0);
  });
  EXPECT_EQ(outcome.problems, "") << outcome.report;
}

TEST_F(WorkerSandboxTest, ThreadsAndForkStillWork) {
  // clone3 answers ENOSYS, so glibc must fall back to clone() for threads and fork.
  ChildOutcome outcome = RunSandboxed(options_, [](std::string* problems) {
    bool ran = false;
    std::thread thread([&] { ran = true; });
    thread.join();
    ExpectOk(problems, "std::thread", ran);
    pid_t child = ::fork();
    if (child == 0) ::_exit(3);
    int status = 0;
    ExpectOk(problems, "fork",
             child > 0 && ::waitpid(child, &status, 0) == child && WEXITSTATUS(status) == 3);
  });
  EXPECT_EQ(outcome.problems, "") << outcome.report;
}

TEST_F(WorkerSandboxTest, LimitsAreApplied) {
  options_.limits.open_files = 64;
  options_.limits.cpu_seconds = 30;
  ChildOutcome outcome = RunSandboxed(options_, [](std::string* problems) {
    struct rlimit limit;
    ::getrlimit(RLIMIT_CORE, &limit);
    ExpectOk(problems, "RLIMIT_CORE == 0", limit.rlim_cur == 0 && limit.rlim_max == 0);
    ::getrlimit(RLIMIT_NOFILE, &limit);
    ExpectOk(problems, "RLIMIT_NOFILE == 64", limit.rlim_cur == 64);
    ::getrlimit(RLIMIT_CPU, &limit);
    ExpectOk(problems, "RLIMIT_CPU soft 30 < hard", limit.rlim_cur == 30 && limit.rlim_max > 30);
  });
  EXPECT_EQ(outcome.problems, "");
  EXPECT_NE(outcome.report.find("rlimits (core=0, nofile=64, cpu=30s)"), std::string::npos)
      << outcome.report;
}

TEST_F(WorkerSandboxTest, LandlockConfinesWritesToLogAndStateDirs) {
  std::string why;
  if (LandlockAbiVersion(&why) <= 0) GTEST_SKIP() << "Landlock unavailable: " << why;
  std::string log_file = WorkerLogDir(data_dir_) + "/segment";
  std::string state_file = WorkerStateDir(data_dir_, 7) + "/checkpoint";
  std::string outside = data_dir_ + "/catalog.db";
  ChildOutcome outcome = RunSandboxed(options_, [&](std::string* problems) {
    int fd = ::open(log_file.c_str(), O_CREAT | O_WRONLY, 0600);
    ExpectOk(problems, "create in log dir", fd >= 0);
    if (fd >= 0) ::close(fd);
    fd = ::open(state_file.c_str(), O_CREAT | O_WRONLY, 0600);
    ExpectOk(problems, "create in state dir", fd >= 0);
    if (fd >= 0) ::close(fd);
    ExpectFails(problems, "create beside the log (catalog)",
                ::open(outside.c_str(), O_CREAT | O_WRONLY, 0600), EACCES);
    ExpectFails(problems, "create in /tmp", ::open("/tmp/sluice_escape", O_CREAT | O_WRONLY, 0600),
                EACCES);
    fd = ::open("/etc/passwd", O_RDONLY);
    ExpectOk(problems, "read /etc/passwd", fd >= 0);
    if (fd >= 0) ::close(fd);
    ExpectFails(problems, "write /etc/passwd", ::open("/etc/passwd", O_WRONLY), EACCES);
    fd = ::open("/dev/urandom", O_RDONLY);
    ExpectOk(problems, "read /dev/urandom", fd >= 0);
    if (fd >= 0) ::close(fd);
  });
  EXPECT_EQ(outcome.problems, "") << outcome.report;
  EXPECT_TRUE(std::filesystem::exists(log_file));
  EXPECT_FALSE(std::filesystem::exists(outside));
}

}  // namespace
}  // namespace sluice
