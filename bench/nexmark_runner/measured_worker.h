#pragma once
// One `sluice worker` process run by the benchmark itself rather than by the engine's supervisor,
// because the supervisor reaps its workers and their rusage with them: here the runner forks and
// execs the worker the way the supervisor does (plan over fd 3, status on fd 4, malloc tunables as
// its only environment) and collects the child's CPU time with wait4(). Its peak RSS is what the
// worker reports (its own VmHWM, see WorkerPeakRssBytes), not wait4()'s ru_maxrss, which the fork
// inflates to at least the runner's own RSS.

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "common/status.h"
#include "runtime/pipeline/query_runner.h"

namespace sluice::bench {

struct WorkerRunOptions {
  std::string worker_binary;  // exec'd as `<worker_binary> worker`
  std::string data_dir;       // the engine's data dir
  int64_t query_id = 0;       // names the worker's state dir
  std::string plan_json;
  // When non-empty, the worker is told to stop once its reported positions reach these offsets
  // (topic -> per-partition end; an empty list: the end the worker reports, as a bounded datagen
  // source does); when empty it must finish on its own (a bounded source).
  std::map<std::string, std::vector<int64_t>> stop_at_positions;
  std::chrono::seconds timeout{600};  // then SIGKILL and an error
};

struct WorkerRunResult {
  QueryProgress progress;   // the last progress the worker reported
  double wall_seconds = 0;  // from fork to reaping
  double user_seconds = 0;
  double sys_seconds = 0;
  // The worker's reported VmHWM; ru_maxrss (inflated, see above) only if it reported none.
  int64_t peak_rss_bytes = 0;
  std::string protections;  // the worker's sandbox report
};

// Runs the plan in a fresh worker process and waits for it to exit. Errors: the worker could not
// start, reported a failure, exited abnormally, or outlived options.timeout.
Result<WorkerRunResult> RunMeasuredWorker(const WorkerRunOptions& options);

}  // namespace sluice::bench
