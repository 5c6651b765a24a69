// FLUSH against a query that cannot catch up before the deadline (its worker stopped with
// SIGSTOP, as an overloaded machine can hold one back): FLUSH fails instead of returning as if
// the query's output were complete. Likewise when a query fails while FLUSH waits for it.

#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>
#include <thread>

#include "engine/engine.h"
#include "engine/engine_impl.h"
#include "engine/supervisor/query_supervisor.h"

namespace sluice {
namespace {

class SilentHandler final : public ResultHandler {
 public:
  void OnResultStart(const Schema&) override {}
  Status OnRows(const RecordBatch&) override { return Status::OK(); }
  void OnResultEnd(int64_t) override {}
  void OnCommandComplete(std::string_view) override {}
  void OnNotice(std::string_view) override {}
  void OnError(const Status&) override {}
};

Status RunSql(Session& session, const std::string& sql) {
  SilentHandler handler;
  return session.ExecuteScript(sql, handler);
}

// An engine on a fresh data dir whose query 1 copies src to dst and has read src's first record;
// `worker` is its worker's pid.
class FlushTest : public ::testing::Test {
 protected:
  void Open(EngineOptions options) {
    dir_ = (std::filesystem::temp_directory_path() / "sluice-flush-XXXXXX").string();
    ASSERT_NE(mkdtemp(dir_.data()), nullptr);
    options.data_dir = dir_ + "/data";
    options.worker_binary = SLUICE_TEST_WORKER_BINARY;
    Result<std::unique_ptr<Engine> > engine = Engine::Open(options);
    ASSERT_TRUE(engine.ok()) << engine.status().ToString();
    engine_ = std::move(*engine);
    session_ = engine_->NewSession();
    ASSERT_TRUE(RunSql(*session_,
                       "CREATE STREAM src (a BIGINT); CREATE STREAM dst AS SELECT a FROM src; "
                       "INSERT INTO src VALUES (1); FLUSH;")
                    .ok());
    worker_ = engine_->impl().supervisor().Snapshot(1).pid;
    ASSERT_GT(worker_, 0);
  }

  void TearDown() override {
    session_.reset();
    engine_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  std::string dir_;
  std::unique_ptr<Engine> engine_;
  std::unique_ptr<Session> session_;
  pid_t worker_ = 0;
};

TEST_F(FlushTest, AQueryStillBehindAtTheDeadlineFailsFlush) {
  EngineOptions options;
  options.flush_timeout_ms = 3000;  // time enough for a loaded machine to start the worker
  ASSERT_NO_FATAL_FAILURE(Open(options));
  ASSERT_EQ(::kill(worker_, SIGSTOP), 0);
  ASSERT_TRUE(RunSql(*session_, "INSERT INTO src VALUES (2);").ok());
  Status flushed = RunSql(*session_, "FLUSH;");
  ::kill(worker_, SIGCONT);
  EXPECT_FALSE(flushed.ok()) << "FLUSH returned though the query had not read its input";
  EXPECT_NE(flushed.message().find("FLUSH timed out after 3 s waiting for query 1"),
            std::string::npos)
      << flushed.message();
  // Running again, the query catches up and FLUSH succeeds.
  EXPECT_TRUE(RunSql(*session_, "FLUSH;").ok());
}

TEST_F(FlushTest, AQueryThatFailsWhileWaitedForFailsFlush) {
  EngineOptions options;
  options.worker_crash_limit = 1;  // its first crash makes the query FAILED
  ASSERT_NO_FATAL_FAILURE(Open(options));
  ASSERT_EQ(::kill(worker_, SIGSTOP), 0);  // behind from here on
  ASSERT_TRUE(RunSql(*session_, "INSERT INTO src VALUES (2);").ok());
  std::thread killer([pid = worker_] {
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    ::kill(pid, SIGKILL);
  });
  Status flushed = RunSql(*session_, "FLUSH;");
  killer.join();
  EXPECT_FALSE(flushed.ok()) << "FLUSH succeeded though the query failed with its input unread";
  EXPECT_NE(flushed.message().find("query 1 failed"), std::string::npos) << flushed.message();
  // Reported once and no longer running, the failed query is not waited for any more.
  EXPECT_TRUE(RunSql(*session_, "FLUSH;").ok());
}

}  // namespace
}  // namespace sluice
