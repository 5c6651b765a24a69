// worker_start_bench: the fixed CPU cost of a worker's start and stop. It runs a stateless plan
// (a projection) and a stateful one (a tumbling-window GROUP BY, which opens a state store,
// creates its table and commits a checkpoint at the end) over a few JSON records in a local topic
// (as the Nexmark runner's json-log mode reads them), each
// many times in a fresh worker process with a fresh state dir, and prints the CPU milliseconds
// (user + sys from wait4) per worker: what a short query pays before it has read anything.
//
//   worker_start_bench --sluice build/sluice [--runs 40] [--events 50] [--plan stateful]
//                      [--work-dir DIR]

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "bench/nexmark_runner/bench_engine.h"
#include "bench/nexmark_runner/measured_worker.h"
#include "runtime/plan/physical_plan.h"

namespace sluice::bench {
namespace {

struct Options {
  std::string sluice_binary;
  int runs = 40;
  int64_t events = 50;
  std::string work_dir = "/tmp/sluice-worker-start-bench";
  std::string plan;  // only the plan of this name (stateless, stateful); empty: both
};

struct Plan {
  const char* name;
  const char* select;
};

constexpr Plan kPlans[] = {
    {"stateless", "SELECT auction, price FROM bid"},
    {"stateful",
     "SELECT auction, COUNT(*) AS bids, window_start FROM TUMBLE(bid, SIZE 10 SECOND) "
     "GROUP BY auction, window_start, window_end"},
};

void PrintRuns(const char* name, std::vector<double> user_ms, std::vector<double> sys_ms) {
  std::vector<double> total;
  for (size_t run_idx = 0; run_idx < user_ms.size(); ++run_idx) {
    total.push_back(user_ms[run_idx] + sys_ms[run_idx]);
  }
  auto median = [](std::vector<double> values) {
    std::sort(values.begin(), values.end());
    return values[values.size() / 2];
  };
  double mean = 0;
  for (double value : total) mean += value / static_cast<double>(total.size());
  std::printf("%-9s cpu ms per worker: median %.2f (user %.2f sys %.2f) mean %.2f min %.2f\n", name,
              median(total), median(user_ms), median(sys_ms), mean,
              *std::min_element(total.begin(), total.end()));
}

Status Run(const Options& options) {
  std::error_code error;
  std::filesystem::remove_all(options.work_dir, error);
  ASSIGN_OR_RETURN(std::unique_ptr<BenchEngine> engine,
                   BenchEngine::Open(options.work_dir, options.sluice_binary));
  // The records as json-log mode has them: JSON in a local topic, copied from datagen by a
  // persistent query; the measured plans read it to its end as of their start and end there.
  RETURN_NOT_OK(engine->Run(
      "CREATE STREAM gen_bid (auction BIGINT, bidder BIGINT, price BIGINT, channel VARCHAR, "
      "url VARCHAR, datetime TIMESTAMP, extra VARCHAR) WITH ('store' = 'datagen', "
      "'generator' = 'nexmark.bid', 'events' = " +
      std::to_string(options.events) +
      ", 'seed' = 0, 'timestamp' = 'datetime');\n"
      "CREATE STREAM bid WITH ('topic' = 'start_bench_bid', 'value.format' = 'json', "
      "'timestamp' = 'datetime', 'ending.position' = 'latest') AS SELECT * FROM gen_bid;"));
  RETURN_NOT_OK(
      engine->WaitForQueryToFinish(engine->last_started_query(), std::chrono::seconds(600)));
  int64_t query_id = 1000;
  for (const Plan& plan_spec : kPlans) {
    if (!options.plan.empty() && options.plan != plan_spec.name) continue;
    ASSIGN_OR_RETURN(std::unique_ptr<PhysicalPlan> plan, engine->PlanSelect(plan_spec.select));
    plan->sink.kind = SinkKind::kDiscard;
    plan->sink.relation = std::string("bench.") + plan_spec.name;
    plan->sink.schema = plan->output_schema();
    std::vector<double> user_ms;
    std::vector<double> sys_ms;
    for (int run_idx = 0; run_idx < options.runs; ++run_idx) {
      plan->query_id = ++query_id;  // a fresh state dir per run, as a new query has
      WorkerRunOptions worker_options;
      worker_options.worker_binary = options.sluice_binary;
      worker_options.data_dir = options.work_dir;
      worker_options.query_id = plan->query_id;
      worker_options.plan_json = PhysicalPlanToJson(*plan);
      ASSIGN_OR_RETURN(WorkerRunResult worker, RunMeasuredWorker(worker_options));
      user_ms.push_back(worker.user_seconds * 1000);
      sys_ms.push_back(worker.sys_seconds * 1000);
    }
    PrintRuns(plan_spec.name, std::move(user_ms), std::move(sys_ms));
  }
  return Status::OK();
}

}  // namespace
}  // namespace sluice::bench

int main(int argc, char** argv) {
  sluice::bench::Options options;
  for (int arg_idx = 1; arg_idx < argc; ++arg_idx) {
    std::string arg = argv[arg_idx];
    if (arg_idx + 1 >= argc) {
      std::fprintf(stderr, "missing value for %s\n", arg.c_str());
      return 2;
    }
    std::string value = argv[++arg_idx];
    if (arg == "--sluice") {
      options.sluice_binary = value;
    } else if (arg == "--runs") {
      options.runs = std::max(1, std::atoi(value.c_str()));
    } else if (arg == "--events") {
      options.events = std::atoll(value.c_str());
    } else if (arg == "--plan") {
      options.plan = value;
    } else if (arg == "--work-dir") {
      options.work_dir = value;
    } else {
      std::fprintf(stderr, "unknown option %s\n", arg.c_str());
      return 2;
    }
  }
  if (options.sluice_binary.empty()) {
    std::fprintf(stderr,
                 "usage: worker_start_bench --sluice PATH [--runs N] [--events N] "
                 "[--plan stateless|stateful] [--work-dir DIR]\n");
    return 2;
  }
  sluice::Status status = sluice::bench::Run(options);
  if (!status.ok()) {
    std::fprintf(stderr, "worker_start_bench: %s\n", status.message().c_str());
    return 1;
  }
  return 0;
}
