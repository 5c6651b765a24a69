// FLUSH against a query that cannot catch up before the deadline (its worker stopped with
// SIGSTOP, as an overloaded machine can hold one back): FLUSH fails instead of returning as if
// the query's output were complete.

#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>

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

TEST(FlushTimeoutTest, AQueryStillBehindAtTheDeadlineFailsFlush) {
#ifndef SLUICE_TEST_WORKER_BINARY
  GTEST_SKIP() << "no test worker binary";
#else
  std::string dir =
      (std::filesystem::temp_directory_path() / "sluice-flush-timeout-XXXXXX").string();
  ASSERT_NE(mkdtemp(dir.data()), nullptr);
  EngineOptions options;
  options.data_dir = dir + "/data";
  options.worker_binary = SLUICE_TEST_WORKER_BINARY;
  options.flush_timeout_ms = 1500;
  Result<std::unique_ptr<Engine> > engine = Engine::Open(options);
  ASSERT_TRUE(engine.ok()) << engine.status().ToString();
  std::unique_ptr<Session> session = (*engine)->NewSession();
  ASSERT_TRUE(RunSql(*session,
                     "CREATE STREAM src (a BIGINT); CREATE STREAM dst AS SELECT a FROM src; "
                     "INSERT INTO src VALUES (1); FLUSH;")
                  .ok());
  const pid_t pid = (*engine)->impl().supervisor().Snapshot(1).pid;
  ASSERT_GT(pid, 0);
  ASSERT_EQ(::kill(pid, SIGSTOP), 0);
  ASSERT_TRUE(RunSql(*session, "INSERT INTO src VALUES (2);").ok());
  Status flushed = RunSql(*session, "FLUSH;");
  ::kill(pid, SIGCONT);
  EXPECT_FALSE(flushed.ok()) << "FLUSH returned though the query had not read its input";
  EXPECT_NE(flushed.message().find("FLUSH timed out after 1500 ms waiting for query 1"),
            std::string::npos)
      << flushed.message();
  // Running again, the query catches up and FLUSH succeeds.
  EXPECT_TRUE(RunSql(*session, "FLUSH;").ok());
  session.reset();
  engine->reset();
  std::filesystem::remove_all(dir);
#endif
}

}  // namespace
}  // namespace sluice
