// The query supervisor with real `worker` processes (tests/worker/test_worker_main.cc runs the
// same WorkerMain() as `sluice worker`): start, progress, stop, crash detection, and what a worker
// inherits from the engine.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "engine/supervisor/query_supervisor.h"
#include "runtime/plan/physical_plan.h"
#include "runtime/worker/worker_allocator.h"
#include "storage/log/local_log_store.h"

namespace sluice {
namespace {

using namespace std::chrono_literals;
using Positions = std::map<std::string, std::vector<int64_t>>;

std::string WorkerBinary() {
  if (const char* path = ::getenv("SLUICE_TEST_WORKER")) return path;
#ifdef SLUICE_TEST_WORKER_BINARY
  return SLUICE_TEST_WORKER_BINARY;
#else
  return "";
#endif
}

// A plan that copies topic "in" (one BIGINT column x, JSON values) to topic "out".
std::string CopyPlanJson(int64_t query_id) {
  PhysicalPlan plan;
  plan.query_id = query_id;
  plan.source.store_type = "local";
  plan.source.relation = "db.public.in";
  plan.source.topic = "in";
  plan.source.partitions = 1;
  plan.source.relation_schema = Schema({Field{"x", DataType::Bigint()}});
  plan.source.columns = {0};
  plan.sink.kind = SinkKind::kLocalLog;
  plan.sink.relation = "db.public.out";
  plan.sink.topic = "out";
  plan.sink.partitions = 1;
  plan.sink.schema = Schema({Field{"x", DataType::Bigint()}});
  return PhysicalPlanToJson(plan);
}

struct StateChange {
  int64_t query_id;
  std::string state;
  std::string reason;
};

class SupervisorWorkerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (WorkerBinary().empty()) GTEST_SKIP() << "no test worker binary (SLUICE_TEST_WORKER)";
    char dir_template[] = "/tmp/sluice_supervisor_XXXXXX";
    ASSERT_NE(::mkdtemp(dir_template), nullptr);
    data_dir_ = dir_template;
    Result<std::unique_ptr<LocalLogStore>> log = LocalLogStore::Open(data_dir_ + "/log");
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    log_ = std::move(*log);
    ASSERT_TRUE(log_->CreateTopic("in", 1).ok());
    ASSERT_TRUE(log_->CreateTopic("out", 1).ok());
  }
  void TearDown() override {
    supervisor_.reset();
    if (!data_dir_.empty()) std::filesystem::remove_all(data_dir_);
  }

  QuerySupervisor& Supervisor(std::string binary = WorkerBinary(),
                              RestartPolicyOptions restart = {}) {
    QuerySupervisorOptions options;
    options.restart = restart;
    options.worker_binary = std::move(binary);
    options.data_dir = data_dir_;
    options.stop_grace = 5000ms;
    options.on_state_change = [this](int64_t query_id, const std::string& state,
                                     const std::string& reason) {
      std::lock_guard<std::mutex> lock(mutex_);
      changes_.push_back({query_id, state, reason});
      changed_.notify_all();
    };
    supervisor_ = std::make_unique<QuerySupervisor>(std::move(options));
    return *supervisor_;
  }

  // Waits (bounded, so a broken supervisor fails instead of hanging) for an on_state_change.
  std::optional<StateChange> WaitForChange(int64_t query_id, const std::string& state) {
    std::unique_lock<std::mutex> lock(mutex_);
    std::optional<StateChange> found;
    changed_.wait_for(lock, 20s, [&] {
      for (const StateChange& change : changes_) {
        if (change.query_id == query_id && change.state == state) found = change;
      }
      return found.has_value();
    });
    return found;
  }

  void Produce(int64_t count) {
    Result<std::unique_ptr<PartitionWriter>> writer = log_->OpenPartitionWriter("in", 0);
    ASSERT_TRUE(writer.ok()) << writer.status().ToString();
    std::vector<std::string> values;
    for (int64_t idx = 0; idx < count; ++idx)
      values.push_back("{\"x\":" + std::to_string(idx) + "}");
    std::vector<LogRecord> records;
    for (const std::string& value : values) records.push_back(LogRecord{std::nullopt, value, 1000});
    ASSERT_TRUE((*writer)->Append(records).ok());
  }

  // Starts query 1 copying 5 produced records and waits until it has read them.
  void StartCopyOfFive(QuerySupervisor& supervisor) {
    Produce(5);
    ASSERT_TRUE(supervisor.Start(1, CopyPlanJson(1)).ok());
    ASSERT_TRUE(WaitForChange(1, "RUNNING").has_value());
    Status reached = supervisor.WaitForPositions(1, {{"in", {5}}}, 20000ms, nullptr);
    ASSERT_TRUE(reached.ok()) << reached.ToString() << " / " << supervisor.Snapshot(1).reason;
  }

  std::string data_dir_;
  std::unique_ptr<LocalLogStore> log_;
  std::unique_ptr<QuerySupervisor> supervisor_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<StateChange> changes_;
};

TEST_F(SupervisorWorkerTest, RunsPlanAndReportsProgressUntilStopped) {
  QuerySupervisor& supervisor = Supervisor();
  ASSERT_NO_FATAL_FAILURE(StartCopyOfFive(supervisor));

  QueryStatus status = supervisor.Snapshot(1);
  EXPECT_EQ(status.state, "RUNNING");
  EXPECT_GT(status.pid, 0);
  EXPECT_EQ(status.progress.records_in, 5);
  EXPECT_EQ(status.progress.records_out, 5);
  EXPECT_NE(status.protections.find("seccomp"), std::string::npos) << status.protections;
  Result<std::vector<OwnedLogRecord>> out = log_->ReadRecords("out", 0, 0, 100);
  ASSERT_TRUE(out.ok());
  ASSERT_EQ(out->size(), 5u);
  EXPECT_NE(out->back().value->find("4"), std::string::npos) << *out->back().value;

  EXPECT_EQ(status.exited_peak_rss_bytes, 0);          // running: only the peak so far is known
  EXPECT_GT(status.peak_rss_bytes, int64_t{1} << 20);  // reported with the progress

  int pid = status.pid;
  supervisor.Stop(1);
  status = supervisor.Snapshot(1);
  EXPECT_EQ(status.state, "STOPPED");
  EXPECT_EQ(status.pid, 0);
  // Reported with Stopped: the peak of a real worker process (a few MiB at least).
  EXPECT_GT(status.exited_peak_rss_bytes, int64_t{1} << 20);
  EXPECT_EQ(status.peak_rss_bytes, status.exited_peak_rss_bytes);
  EXPECT_NE(::kill(pid, 0), 0) << "worker " << pid << " still exists after Stop";
  EXPECT_TRUE(WaitForChange(1, "STOPPED").has_value());
  std::lock_guard<std::mutex> lock(mutex_);
  for (const StateChange& change : changes_) EXPECT_NE(change.state, "FAILED") << change.reason;
}

// Linux keeps the forking process's RSS high-water mark through exec in the child's rusage, so
// a worker forked by a big engine has ru_maxrss >= the engine's RSS. The worker's own VmHWM,
// which it reports, is not inflated: with 256 MiB touched here, its peak stays far below.
TEST_F(SupervisorWorkerTest, WorkerPeakIsItsOwnNotTheForkingEngines) {
  const size_t engine_bytes = size_t{256} << 20;
  std::vector<char> engine_memory(engine_bytes, 0);
  for (size_t idx = 0; idx < engine_bytes; idx += 4096) engine_memory[idx] = 1;
  QuerySupervisor& supervisor = Supervisor();
  ASSERT_NO_FATAL_FAILURE(StartCopyOfFive(supervisor));
  const int64_t running_peak = supervisor.Snapshot(1).peak_rss_bytes;
  EXPECT_GT(running_peak, int64_t{1} << 20);
  EXPECT_LT(running_peak, static_cast<int64_t>(engine_bytes) / 2);
  supervisor.Stop(1);
  QueryStatus status = supervisor.Snapshot(1);
  ASSERT_EQ(status.state, "STOPPED");
  EXPECT_GT(status.exited_peak_rss_bytes, int64_t{1} << 20);
  EXPECT_LT(status.exited_peak_rss_bytes, static_cast<int64_t>(engine_bytes) / 2)
      << "the rusage peak (the engine's size at fork) was taken for the worker's";
  EXPECT_GE(status.exited_peak_rss_bytes, running_peak);
  EXPECT_EQ(engine_memory[4096], 1);  // kept alive until here
}

// Waits (bounded) until the query has a live worker other than `old_pid`.
int WaitForNewWorker(QuerySupervisor& supervisor, int64_t query_id, int old_pid) {
  for (int attempt = 0; attempt < 400; ++attempt) {
    QueryStatus status = supervisor.Snapshot(query_id);
    if (status.pid > 0 && status.pid != old_pid) return status.pid;
    std::this_thread::sleep_for(50ms);
  }
  return 0;
}

TEST_F(SupervisorWorkerTest, SigkilledWorkerIsRestartedUntilItCrashLoops) {
  RestartPolicyOptions restart;
  restart.max_crashes = 2;
  QuerySupervisor& supervisor = Supervisor(WorkerBinary(), restart);
  ASSERT_TRUE(supervisor.Start(2, CopyPlanJson(2)).ok());
  ASSERT_TRUE(WaitForChange(2, "RUNNING").has_value());
  int pid = supervisor.Snapshot(2).pid;
  ASSERT_GT(pid, 0);
  ASSERT_EQ(::kill(pid, SIGKILL), 0);
  std::optional<StateChange> restarting = WaitForChange(2, "RESTARTING");
  ASSERT_TRUE(restarting.has_value());
  EXPECT_EQ(restarting->reason.rfind("worker killed by signal 9 (SIGKILL); restarting", 0), 0u)
      << restarting->reason;

  // A new worker, counted, with the crash remembered; it runs the query on.
  int new_pid = WaitForNewWorker(supervisor, 2, pid);
  ASSERT_GT(new_pid, 0);
  QueryStatus status = supervisor.Snapshot(2);
  EXPECT_EQ(status.restart_count, 1);
  EXPECT_EQ(status.last_crash, "worker killed by signal 9 (SIGKILL)");
  Produce(3);
  Status reached = supervisor.WaitForPositions(2, {{"in", {3}}}, 20000ms, nullptr);
  ASSERT_TRUE(reached.ok()) << reached.ToString();

  // The second crash within the window is a crash loop: FAILED, saying so.
  ASSERT_EQ(::kill(new_pid, SIGKILL), 0);
  std::optional<StateChange> failed = WaitForChange(2, "FAILED");
  ASSERT_TRUE(failed.has_value());
  EXPECT_EQ(failed->reason,
            "worker crashed 2 times within 60 s; the last time: worker killed by signal 9 "
            "(SIGKILL)");
  status = supervisor.Snapshot(2);
  EXPECT_EQ(status.state, "FAILED");
  EXPECT_EQ(status.pid, 0);

  // WaitForPositions on a failed query returns its failure instead of waiting.
  Status wait = supervisor.WaitForPositions(2, {{"in", {100}}}, 20000ms, nullptr);
  EXPECT_EQ(wait.category(), ErrorCategory::kExecution);
  EXPECT_NE(wait.message().find("SIGKILL"), std::string::npos) << wait.message();

  // A dead worker can be replaced by hand.
  ASSERT_TRUE(supervisor.Start(2, CopyPlanJson(2)).ok());
  EXPECT_EQ(supervisor.Snapshot(2).restart_count, 2);
  Status again = supervisor.Start(2, CopyPlanJson(2));
  EXPECT_FALSE(again.ok());
  EXPECT_NE(again.message().find("still running"), std::string::npos) << again.message();
}

TEST_F(SupervisorWorkerTest, StopCancelsAPendingRestart) {
  RestartPolicyOptions restart;
  restart.initial_backoff = 3000ms;
  QuerySupervisor& supervisor = Supervisor(WorkerBinary(), restart);
  ASSERT_TRUE(supervisor.Start(9, CopyPlanJson(9)).ok());
  ASSERT_TRUE(WaitForChange(9, "RUNNING").has_value());
  ASSERT_EQ(::kill(supervisor.Snapshot(9).pid, SIGKILL), 0);
  ASSERT_TRUE(WaitForChange(9, "RESTARTING").has_value());
  supervisor.Stop(9);
  EXPECT_EQ(supervisor.Snapshot(9).state, "STOPPED");
  ASSERT_TRUE(WaitForChange(9, "STOPPED").has_value());
  std::this_thread::sleep_for(3500ms);  // past the back-off: still no worker
  EXPECT_EQ(supervisor.Snapshot(9).pid, 0);
  EXPECT_EQ(supervisor.Snapshot(9).state, "STOPPED");
}

TEST_F(SupervisorWorkerTest, UnparsablePlanFailsWithTheWorkersReason) {
  QuerySupervisor& supervisor = Supervisor();
  ASSERT_TRUE(supervisor.Start(3, "this is not a plan").ok());
  std::optional<StateChange> failed = WaitForChange(3, "FAILED");
  ASSERT_TRUE(failed.has_value());
  EXPECT_EQ(failed->reason.rfind("worker exited with code 1: ", 0), 0u) << failed->reason;
  EXPECT_GT(failed->reason.size(), std::string("worker exited with code 1: ").size());
  QueryStatus status = supervisor.Snapshot(3);
  EXPECT_EQ(status.state, "FAILED");
  EXPECT_EQ(status.reason, failed->reason);
  // It got as far as sandboxing itself before the plan was parsed.
  EXPECT_NE(status.protections.find("no_new_privs"), std::string::npos) << status.protections;
  // Its Failed message carried its peak memory.
  EXPECT_GT(status.exited_peak_rss_bytes, int64_t{1} << 20);
  EXPECT_EQ(status.peak_rss_bytes, status.exited_peak_rss_bytes);
}

// A worker that never reports (here a script that only sleeps, killed) still gets a peak: its
// rusage ru_maxrss, the fallback.
TEST_F(SupervisorWorkerTest, SilentWorkerFallsBackToTheRusagePeak) {
  const std::string script = data_dir_ + "/silent-worker";
  {
    std::ofstream out(script);
    out << "#!/bin/sh\nexec sleep 30\n";
  }
  ASSERT_EQ(::chmod(script.c_str(), 0755), 0);
  RestartPolicyOptions restart;
  restart.initial_backoff = 3000ms;
  QuerySupervisor& supervisor = Supervisor(script, restart);
  ASSERT_TRUE(supervisor.Start(6, CopyPlanJson(6)).ok());
  const int pid = supervisor.Snapshot(6).pid;
  ASSERT_GT(pid, 0);
  EXPECT_EQ(supervisor.Snapshot(6).peak_rss_bytes, 0);  // nothing reported, not exited
  ASSERT_EQ(::kill(pid, SIGKILL), 0);
  ASSERT_TRUE(WaitForChange(6, "RESTARTING").has_value());
  QueryStatus status = supervisor.Snapshot(6);
  EXPECT_EQ(status.pid, 0);
  EXPECT_GT(status.exited_peak_rss_bytes, 0);
  EXPECT_EQ(status.peak_rss_bytes, status.exited_peak_rss_bytes);
  supervisor.Stop(6);
}

TEST_F(SupervisorWorkerTest, MissingBinaryIsAStartError) {
  QuerySupervisor& supervisor = Supervisor(data_dir_ + "/no-such-sluice");
  Status started = supervisor.Start(4, CopyPlanJson(4));
  ASSERT_FALSE(started.ok());
  EXPECT_NE(started.message().find("cannot exec"), std::string::npos) << started.message();
  EXPECT_NE(started.message().find("No such file"), std::string::npos) << started.message();
}

TEST_F(SupervisorWorkerTest, WaitForPositionsTimesOutAndCancels) {
  QuerySupervisor& supervisor = Supervisor();
  ASSERT_TRUE(supervisor.Start(5, CopyPlanJson(5)).ok());
  Status timed_out = supervisor.WaitForPositions(5, {{"in", {1000}}}, 200ms, nullptr);
  EXPECT_EQ(timed_out.category(), ErrorCategory::kExecution);
  EXPECT_NE(timed_out.message().find("timed out"), std::string::npos) << timed_out.message();

  std::atomic<bool> cancel{false};
  std::thread canceller([&] {
    std::this_thread::sleep_for(100ms);
    cancel.store(true);
  });
  Status cancelled = supervisor.WaitForPositions(5, {{"in", {1000}}}, 60000ms, &cancel);
  canceller.join();
  EXPECT_EQ(cancelled.category(), ErrorCategory::kCancelled) << cancelled.ToString();

  Status unknown = supervisor.WaitForPositions(99, {{"in", {1}}}, 60000ms, nullptr);
  EXPECT_EQ(unknown.category(), ErrorCategory::kExecution);
  // Offsets of 0 need no progress at all.
  EXPECT_TRUE(supervisor.WaitForPositions(5, {{"in", {0}}}, 60000ms, nullptr).ok());
}

TEST_F(SupervisorWorkerTest, WorkerInheritsOnlyMallocTunablesAndNoStrayFds) {
  // A non-dumpable worker's /proc files are readable by root only.
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to read a sandboxed worker's /proc files";
  ::setenv("SLUICE_TEST_SECRET", "hunter2", 1);
  std::string stray_path = data_dir_ + "/stray";
  int stray = ::open(stray_path.c_str(), O_CREAT | O_WRONLY, 0600);  // deliberately no O_CLOEXEC
  ASSERT_GE(stray, 0);
  QuerySupervisor& supervisor = Supervisor();
  ASSERT_TRUE(supervisor.Start(6, CopyPlanJson(6)).ok());
  int pid = supervisor.Snapshot(6).pid;
  ASSERT_GT(pid, 0);
  std::string proc = "/proc/" + std::to_string(pid);

  std::ifstream environ_file(proc + "/environ");
  ASSERT_TRUE(environ_file.is_open());
  std::string environ_text((std::istreambuf_iterator<char>(environ_file)),
                           std::istreambuf_iterator<char>());
  // Nothing of the engine's (the secret), just malloc's tunables (worker_allocator.h), whose
  // ':' separators glibc's parser overwrites with NULs in place.
  EXPECT_EQ(environ_text.find("hunter2"), std::string::npos);
  std::replace(environ_text.begin(), environ_text.end(), '\0', ':');
  EXPECT_EQ(environ_text, std::string(kWorkerMallocTunables) + ":");
  std::ifstream cmdline_file(proc + "/cmdline");
  std::string cmdline((std::istreambuf_iterator<char>(cmdline_file)),
                      std::istreambuf_iterator<char>());
  EXPECT_EQ(cmdline, WorkerBinary() + std::string("\0worker\0", 8));

  char target[4096];
  ssize_t n = ::readlink((proc + "/fd/" + std::to_string(stray)).c_str(), target, sizeof(target));
  if (n > 0) {
    EXPECT_NE(std::string(target, static_cast<size_t>(n)), stray_path);
  }
  EXPECT_GT(::readlink((proc + "/fd/3").c_str(), target, sizeof(target)), 0);  // control socket
  ::close(stray);
  ::unsetenv("SLUICE_TEST_SECRET");
  supervisor.Stop(6);
  EXPECT_EQ(supervisor.Snapshot(6).state, "STOPPED");
}

TEST_F(SupervisorWorkerTest, DestructorStopsEveryWorker) {
  QuerySupervisor& supervisor = Supervisor();
  ASSERT_TRUE(supervisor.Start(7, CopyPlanJson(7)).ok());
  ASSERT_TRUE(supervisor.Start(8, CopyPlanJson(8)).ok());
  int pid7 = supervisor.Snapshot(7).pid;
  int pid8 = supervisor.Snapshot(8).pid;
  supervisor_.reset();
  EXPECT_NE(::kill(pid7, 0), 0);
  EXPECT_NE(::kill(pid8, 0), 0);
}

}  // namespace
}  // namespace sluice

namespace sluice {
namespace {

// Waits (bounded) until `done` holds for the query's status.
bool WaitForStatus(QuerySupervisor& supervisor, int64_t query_id,
                   const std::function<bool(const QueryStatus&)>& done) {
  for (int attempt = 0; attempt < 400; ++attempt) {
    if (done(supervisor.Snapshot(query_id))) return true;
    std::this_thread::sleep_for(50ms);
  }
  return false;
}

// 'parallelism': each worker is supervised on its own (a crash restarts only that one), and one
// that fails fails the query and stops its siblings. (The local source is split by partition:
// worker 0 reads the topic's one partition, the other two have nothing to read.)
TEST_F(SupervisorWorkerTest, ParallelWorkersAreSupervisedOneByOne) {
  RestartPolicyOptions restart;
  restart.max_crashes = 2;
  QuerySupervisor& supervisor = Supervisor(WorkerBinary(), restart);
  Produce(4);
  ASSERT_TRUE(supervisor.Start(3, CopyPlanJson(3), {}, 3).ok());
  ASSERT_TRUE(WaitForStatus(supervisor, 3, [](const QueryStatus& status) {
    return status.state == "RUNNING" && status.progress.records_in == 4;
  })) << supervisor.Snapshot(3).state;
  QueryStatus status = supervisor.Snapshot(3);
  EXPECT_EQ(status.parallelism, 3);
  ASSERT_EQ(status.workers.size(), 3u);
  std::vector<int> pids;
  for (const QueryStatus& worker : status.workers) pids.push_back(worker.pid);
  EXPECT_TRUE(pids[0] > 0 && pids[1] > 0 && pids[2] > 0 && pids[0] != pids[1] &&
              pids[1] != pids[2] && pids[0] != pids[2]);
  EXPECT_EQ(status.workers[2].worker_index, 2);
  EXPECT_TRUE(std::filesystem::is_directory(data_dir_ + "/state/3/worker-2"));

  ASSERT_EQ(::kill(pids[1], SIGKILL), 0);
  ASSERT_TRUE(WaitForStatus(supervisor, 3, [&](const QueryStatus& now) {
    return now.state == "RUNNING" && now.workers.size() == 3 && now.workers[1].pid > 0 &&
           now.workers[1].pid != pids[1];
  }));
  status = supervisor.Snapshot(3);
  EXPECT_EQ(status.workers[0].pid, pids[0]);
  EXPECT_EQ(status.workers[2].pid, pids[2]);
  EXPECT_EQ(status.restart_count, 1);
  EXPECT_EQ(status.last_crash, "worker 1 of 3: worker killed by signal 9 (SIGKILL)");

  // Its second crash is a crash loop: the query fails naming the worker, and the siblings stop.
  ASSERT_EQ(::kill(status.workers[1].pid, SIGKILL), 0);
  std::optional<StateChange> failed = WaitForChange(3, "FAILED");
  ASSERT_TRUE(failed.has_value());
  EXPECT_EQ(failed->reason.rfind("worker 1 of 3: worker crashed 2 times", 0), 0u) << failed->reason;
  ASSERT_TRUE(WaitForStatus(supervisor, 3, [](const QueryStatus& now) {
    return now.workers.size() == 3 && now.workers[0].pid == 0 && now.workers[2].pid == 0;
  }));
  status = supervisor.Snapshot(3);
  EXPECT_EQ(status.state, "FAILED");
  EXPECT_EQ(status.workers[0].state, "STOPPED");
  EXPECT_NE(::kill(pids[0], 0), 0);
  EXPECT_NE(::kill(pids[2], 0), 0);

  // All dead: a start by hand brings the three back; Stop stops them all.
  ASSERT_TRUE(supervisor.Start(3, CopyPlanJson(3), {}, 3).ok());
  ASSERT_TRUE(
      WaitForStatus(supervisor, 3, [](const QueryStatus& now) { return now.state == "RUNNING"; }));
  supervisor.Stop(3);
  status = supervisor.Snapshot(3);
  EXPECT_EQ(status.state, "STOPPED");
  for (const QueryStatus& worker : status.workers) EXPECT_EQ(worker.pid, 0);
}

}  // namespace
}  // namespace sluice
