// `sluice worker` (WorkerMain) driven by hand over fds 3 and 4, the way the supervisor drives it:
// what it reports and how it exits on Stop, on the engine's disappearance and on bad input.

#include "runtime/worker/worker_main.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "runtime/plan/physical_plan.h"
#include "runtime/worker/worker_protocol.h"
#include "storage/log/local_log_store.h"

namespace sluice {
namespace {

std::string WorkerBinary() {
  if (const char* path = ::getenv("SLUICE_TEST_WORKER")) return path;
#ifdef SLUICE_TEST_WORKER_BINARY
  return SLUICE_TEST_WORKER_BINARY;
#else
  return "";
#endif
}

// A running plan: reads the (empty) local topic "in" and writes to "out" until stopped.
std::string IdlePlanJson() {
  PhysicalPlan plan;
  plan.source.store_type = "local";
  plan.source.relation = "db.public.in";
  plan.source.topic = "in";
  plan.source.relation_schema = Schema({Field{"x", DataType::Bigint()}});
  plan.source.columns = {0};
  plan.sink.kind = SinkKind::kLocalLog;
  plan.sink.relation = "db.public.out";
  plan.sink.topic = "out";
  plan.sink.schema = Schema({Field{"x", DataType::Bigint()}});
  return PhysicalPlanToJson(plan);
}

class WorkerMainTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (WorkerBinary().empty()) GTEST_SKIP() << "no test worker binary (SLUICE_TEST_WORKER)";
    char dir_template[] = "/tmp/sluice_worker_XXXXXX";
    ASSERT_NE(::mkdtemp(dir_template), nullptr);
    data_dir_ = dir_template;
    Result<std::unique_ptr<LocalLogStore>> log = LocalLogStore::Open(data_dir_ + "/log");
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    ASSERT_TRUE((*log)->CreateTopic("in", 1).ok());
    ASSERT_TRUE((*log)->CreateTopic("out", 1).ok());
    int control[2];
    int status[2];
    ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, control), 0);
    ASSERT_EQ(::pipe2(status, O_CLOEXEC), 0);
    std::string binary = WorkerBinary();
    pid_ = ::fork();
    ASSERT_GE(pid_, 0);
    if (pid_ == 0) {
      // Moved above 4 first so neither dup2 overwrites the other's source; dup2 clears
      // close-on-exec on the targets.
      int control_end = ::fcntl(control[1], F_DUPFD_CLOEXEC, 10);
      int status_end = ::fcntl(status[1], F_DUPFD_CLOEXEC, 10);
      if (::dup2(control_end, 3) < 0 || ::dup2(status_end, 4) < 0) ::_exit(120);
      char* const argv[] = {binary.data(), const_cast<char*>("worker"), nullptr};
      ::execv(binary.c_str(), argv);
      ::_exit(121);
    }
    ::close(control[1]);
    ::close(status[1]);
    control_fd_ = control[0];
    status_fd_ = status[0];
  }
  void TearDown() override {
    CloseControl();
    if (status_fd_ >= 0) ::close(status_fd_);
    if (pid_ > 0 && !reaped_) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    if (!data_dir_.empty()) std::filesystem::remove_all(data_dir_);
  }

  void Send(const WorkerMessage& message) {
    ASSERT_TRUE(WriteWorkerMessage(control_fd_, message).ok());
  }
  void SendStart(const std::string& plan) {
    WorkerStartMessage start;
    start.query_id = 11;
    start.data_dir = data_dir_;
    start.plan_json = plan;
    Send(start);
  }
  void CloseControl() {
    if (control_fd_ >= 0) ::close(control_fd_);
    control_fd_ = -1;
  }
  // Every message the worker writes until it closes fd 4 (it exits), by name.
  std::vector<WorkerMessage> ReadAll() {
    std::vector<WorkerMessage> messages;
    while (true) {
      Result<std::optional<WorkerMessage>> next = ReadWorkerMessage(status_fd_);
      EXPECT_TRUE(next.ok()) << next.status().ToString();
      if (!next.ok() || !next->has_value()) return messages;
      messages.push_back(std::move(**next));
    }
  }
  // Reads until the first message of the given kind (skipping progress).
  std::optional<WorkerMessage> ReadUntil(std::string_view name) {
    while (true) {
      Result<std::optional<WorkerMessage>> next = ReadWorkerMessage(status_fd_);
      if (!next.ok() || !next->has_value()) return std::nullopt;
      if (WorkerMessageName(**next) == name) return std::move(**next);
    }
  }
  int ExitCode() {
    int status = 0;
    ::waitpid(pid_, &status, 0);
    reaped_ = true;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
  }

  std::string data_dir_;
  pid_t pid_ = -1;
  bool reaped_ = false;
  int control_fd_ = -1;
  int status_fd_ = -1;
};

TEST_F(WorkerMainTest, StopMessageStopsCleanly) {
  SendStart(IdlePlanJson());
  std::optional<WorkerMessage> started = ReadUntil("started");
  ASSERT_TRUE(started.has_value());
  EXPECT_EQ(std::get<WorkerStartedMessage>(*started).pid, pid_);
  EXPECT_NE(std::get<WorkerStartedMessage>(*started).protections.find("seccomp"),
            std::string::npos);
  Send(WorkerStopMessage{});
  std::vector<WorkerMessage> rest = ReadAll();
  ASSERT_FALSE(rest.empty());
  EXPECT_EQ(WorkerMessageName(rest.back()), "stopped") << EncodeWorkerMessage(rest.back());
  EXPECT_EQ(ExitCode(), 0);
}

TEST_F(WorkerMainTest, EngineGoingAwayStopsTheWorker) {
  SendStart(IdlePlanJson());
  ASSERT_TRUE(ReadUntil("started").has_value());
  CloseControl();  // what the kernel does to the engine's end when the engine dies
  std::vector<WorkerMessage> rest = ReadAll();
  ASSERT_FALSE(rest.empty());
  EXPECT_EQ(WorkerMessageName(rest.back()), "stopped") << EncodeWorkerMessage(rest.back());
  EXPECT_EQ(ExitCode(), 0);
}

TEST_F(WorkerMainTest, BadPlanIsReportedAsFailed) {
  SendStart("not a plan");
  std::vector<WorkerMessage> messages = ReadAll();
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(WorkerMessageName(messages[0]), "started");
  ASSERT_EQ(WorkerMessageName(messages[1]), "failed");
  EXPECT_FALSE(std::get<WorkerFailedMessage>(messages[1]).reason.empty());
  EXPECT_EQ(ExitCode(), 1);
}

TEST_F(WorkerMainTest, FirstMessageMustBeStart) {
  Send(WorkerStopMessage{});
  std::vector<WorkerMessage> messages = ReadAll();
  ASSERT_EQ(messages.size(), 1u);
  ASSERT_EQ(WorkerMessageName(messages[0]), "failed");
  EXPECT_EQ(std::get<WorkerFailedMessage>(messages[0]).reason,
            "expected a start message, got \"stop\"");
  EXPECT_EQ(ExitCode(), 1);
}

TEST_F(WorkerMainTest, NoStartMessageAtAllExitsQuietly) {
  CloseControl();
  EXPECT_TRUE(ReadAll().empty());
  EXPECT_EQ(ExitCode(), 1);
}

}  // namespace
}  // namespace sluice
