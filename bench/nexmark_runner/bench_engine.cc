#include "bench/nexmark_runner/bench_engine.h"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <thread>

#include "engine/engine_impl.h"
#include "parser/parser.h"
#include "planner/binder/binder.h"
#include "planner/physical_planner.h"

namespace sluice::bench {
namespace {

// Keeps what a setup script reports: the first error (rendered against the script) and the ids
// of the queries it started ("query N started").
class ScriptHandler final : public ResultHandler {
 public:
  explicit ScriptHandler(std::string_view script) : script_(script) {}
  void OnResultStart(const Schema&) override {}
  Status OnRows(const RecordBatch&) override { return Status::OK(); }
  void OnResultEnd(int64_t) override {}
  void OnCommandComplete(std::string_view) override {}
  void OnNotice(std::string_view message) override {
    constexpr std::string_view kPrefix = "query ";
    if (message.substr(0, kPrefix.size()) != kPrefix) return;
    int64_t id = 0;
    size_t pos = kPrefix.size();
    while (pos < message.size() && message[pos] >= '0' && message[pos] <= '9') {
      id = id * 10 + (message[pos++] - '0');
    }
    if (pos > kPrefix.size() && message.substr(pos).starts_with(" started")) started_query = id;
  }
  void OnError(const Status& status) override {
    if (error.empty()) error = RenderError(status, script_);
  }

  std::string error;
  int64_t started_query = -1;

 private:
  std::string_view script_;
};

}  // namespace

Result<std::unique_ptr<BenchEngine>> BenchEngine::Open(const std::string& data_dir,
                                                       const std::string& worker_binary) {
  std::unique_ptr<BenchEngine> bench(new BenchEngine());
  bench->data_dir_ = data_dir;
  EngineOptions options;
  options.data_dir = data_dir;
  options.worker_binary = worker_binary;
  ASSIGN_OR_RETURN(bench->engine_, Engine::Open(options));
  bench->session_ = bench->engine_->NewSession();
  return bench;
}

BenchEngine::~BenchEngine() {
  session_.reset();
  engine_.reset();  // stops the workers of setup queries still running
}

Status BenchEngine::Run(std::string_view script) {
  ScriptHandler handler(script);
  Status status = session_->ExecuteScript(script, handler);
  if (handler.started_query >= 0) last_started_query_ = handler.started_query;
  if (!status.ok()) {
    return Status::Execution(handler.error.empty() ? RenderError(status, script) : handler.error);
  }
  return Status::OK();
}

Status BenchEngine::WaitForQueryToFinish(int64_t query_id, std::chrono::seconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    QueryStatus status = engine_->impl().supervisor().Snapshot(query_id);
    if (status.state == "STOPPED" && status.pid == 0) return Status::OK();
    if (status.state == "FAILED") {
      return Status::Execution("query " + std::to_string(query_id) + " failed: " + status.reason);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return Status::Execution("query " + std::to_string(query_id) + " did not finish within " +
                           std::to_string(timeout.count()) + " s");
}

int64_t BenchEngine::StopQuery(int64_t query_id) {
  QuerySupervisor& supervisor = engine_->impl().supervisor();
  supervisor.Stop(query_id);
  // Reaped, so that its CPU time shows in the runner's RUSAGE_CHILDREN. The peak is what the
  // workers reported (their own VmHWM, the last with their Stopped message), not the rusage
  // peak, which the fork inflates to at least the runner's own RSS.
  for (int wait_idx = 0; wait_idx < 3000 && supervisor.Snapshot(query_id).pid != 0; ++wait_idx) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return supervisor.Snapshot(query_id).peak_rss_bytes;
}

Result<std::unique_ptr<PhysicalPlan>> BenchEngine::PlanSelect(std::string_view select_sql) {
  Result<StatementPtr> parsed = ParseStatement(select_sql);
  if (!parsed.ok()) return Status::Execution(RenderError(parsed.status(), select_sql));
  const Statement& statement = **parsed;
  if (statement.kind != StatementKind::kSelect) {
    return Status::Execution("the last statement of a query file must be its SELECT");
  }
  EngineImpl& impl = engine_->impl();
  std::lock_guard<std::mutex> lock(impl.catalog_mutex());
  Binder binder(impl.catalog(), session_->current_database(), session_->current_schema());
  Result<std::unique_ptr<LogicalOperator>> logical =
      binder.BindSelect(statement.As<SelectStatement>());
  if (!logical.ok()) return Status::Execution(RenderError(logical.status(), select_sql));
  if ((*logical)->kind() == LogicalOperatorKind::kLimit) {
    return Status::Execution("a benchmark query cannot have a LIMIT");
  }
  return CreatePhysicalPlan(std::move(logical).value());
}

}  // namespace sluice::bench
