#pragma once
// The runner's handle on an engine: a Sluice Engine on a fresh data dir with one session, through
// which setup SQL runs as a user's script would, and the planning of a query's SELECT into a
// PhysicalPlan through the same binder and physical planner a user's persistent query takes. The
// runner, not the engine's supervisor, then runs that plan (see measured_worker.h).

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"
#include "engine/engine.h"
#include "runtime/plan/physical_plan.h"

namespace sluice::bench {

class BenchEngine {
 public:
  // Opens an engine on `data_dir` (which should not exist yet) starting workers from
  // `worker_binary`.
  static Result<std::unique_ptr<BenchEngine>> Open(const std::string& data_dir,
                                                   const std::string& worker_binary);
  BenchEngine(const BenchEngine&) = delete;
  BenchEngine& operator=(const BenchEngine&) = delete;
  ~BenchEngine();

  // Runs `script` through Session::ExecuteScript; an error carries the rendered message.
  Status Run(std::string_view script);
  // The id of the last persistent query the scripts started (-1 if none).
  int64_t last_started_query() const { return last_started_query_; }
  // Waits until the worker of persistent query `query_id` exited on its own (a bounded source
  // ended). An error if it failed or `timeout` passed.
  Status WaitForQueryToFinish(int64_t query_id, std::chrono::seconds timeout);
  // Stops persistent query `query_id` and waits until its worker is reaped; returns the worker's
  // peak RSS in bytes (0 when it had already exited).
  int64_t StopQuery(int64_t query_id);

  // Parses, binds and plans one SELECT in the session's current database and schema. The plan's
  // sink is left for the caller to set.
  Result<std::unique_ptr<PhysicalPlan>> PlanSelect(std::string_view select_sql);

  Engine& engine() { return *engine_; }
  const std::string& data_dir() const { return data_dir_; }
  std::string log_dir() const { return data_dir_ + "/log"; }

 private:
  BenchEngine() = default;

  std::string data_dir_;
  std::unique_ptr<Engine> engine_;
  std::unique_ptr<Session> session_;
  int64_t last_started_query_ = -1;
};

}  // namespace sluice::bench
