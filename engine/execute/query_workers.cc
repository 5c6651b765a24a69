// See query_workers.h.

#include "engine/execute/query_workers.h"

#include <memory>

#include "runtime/plan/physical_plan.h"

namespace sluice {
namespace {

// "worker k" (or "stage s worker k"), "... partitions", "... lag" and "... restarts" rows of the worker with
// global index `worker_idx`, reading the partitions p % count == index of `topic`.
void DescribeWorker(const std::string& name, int32_t worker_idx, int32_t index, int32_t count,
                    const std::string& topic, int32_t partitions, const QueryStatus& status,
                    std::vector<std::pair<std::string, std::string>>& rows) {
  const QueryStatus* worker = nullptr;
  for (const QueryStatus& candidate : status.workers) {
    if (candidate.worker_index == worker_idx) worker = &candidate;
  }
  std::string state = worker == nullptr ? "not started" : worker->state;
  if (worker != nullptr && worker->pid > 0)
    state = "pid " + std::to_string(worker->pid) + ", " + state;
  if (worker != nullptr && !worker->reason.empty()) state += ": " + worker->reason;
  rows.emplace_back(name, state);
  std::string listed;
  for (int32_t partition = index; partition < partitions; partition += count) {
    if (!listed.empty()) listed += ", ";
    listed += std::to_string(partition);
  }
  rows.emplace_back(name + " partitions", listed);
  std::string lag = "unknown (no progress reported yet)";
  if (worker != nullptr) {
    auto positions = worker->progress.positions.find(topic);
    auto ends = worker->progress.end_offsets.find(topic);
    if (positions != worker->progress.positions.end() &&
        ends != worker->progress.end_offsets.end() &&
        ends->second.size() == positions->second.size()) {
      int64_t total = 0;
      for (size_t partition = 0; partition < positions->second.size(); ++partition) {
        if (positions->second[partition] < 0) continue;  // another worker's partition
        total += ends->second[partition] - positions->second[partition];
      }
      lag = std::to_string(total);
    }
  }
  rows.emplace_back(name + " lag", lag);
  rows.emplace_back(name + " restarts",
                    worker == nullptr ? "0" : std::to_string(worker->restart_count));
}

}  // namespace

int QueryParallelism(const QueryInfo& query) {
  Result<std::unique_ptr<PhysicalPlan>> plan = PhysicalPlanFromJson(query.plan);
  return plan.ok() ? (*plan)->parallelism : 1;
}

std::string ShownQueryState(const QueryInfo& query, const QueryStatus& status) {
  if (query.state == QueryState::kRunning &&
      (status.state == "RETRYING" || status.state == "RESTARTING")) {
    return status.state;
  }
  return std::string(QueryStateName(query.state));
}

std::vector<std::pair<std::string, std::string>> DescribeQueryWorkers(const QueryInfo& query,
                                                                      const QueryStatus& status) {
  std::vector<std::pair<std::string, std::string>> rows;
  Result<std::unique_ptr<PhysicalPlan>> plan = PhysicalPlanFromJson(query.plan);
  if (!plan.ok()) return rows;
  const SourceSpec& source = (*plan)->source;
  const int32_t count = (*plan)->parallelism;
  const std::string& repartition = (*plan)->repartition_topic;
  if (!repartition.empty()) rows.emplace_back("repartition topic", repartition);
  for (int32_t worker_idx = 0; worker_idx < count; ++worker_idx) {
    const std::string name = (repartition.empty() ? "" : "stage 1 ") + std::string("worker ") +
                             std::to_string(worker_idx);
    DescribeWorker(name, worker_idx, worker_idx, count, source.topic, source.partitions, status,
                   rows);
  }
  if (repartition.empty()) return rows;
  // Stage 2 worker k reads the repartition topic's partitions w * N + k, one per stage-1 worker.
  for (int32_t worker_idx = 0; worker_idx < count; ++worker_idx) {
    DescribeWorker("stage 2 worker " + std::to_string(worker_idx), count + worker_idx, worker_idx,
                   count, repartition, count * count, status, rows);
  }
  return rows;
}

}  // namespace sluice
