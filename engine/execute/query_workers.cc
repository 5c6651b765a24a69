// See query_workers.h.

#include "engine/execute/query_workers.h"

#include <memory>

#include "runtime/plan/physical_plan.h"
#include "runtime/plan/repartition_plan.h"

namespace sluice {
namespace {

// "worker k" (or "stage s worker k"), "... partitions", "... lag", "... restarts" and "... peak
// memory bytes" (once reported) rows of the worker with global index `worker_idx`, reading the
// partitions p % count == index of `topics`
// (a stage-2 worker of a join: both repartition topics; its lag is summed over them).
void DescribeWorker(const std::string& name, int32_t worker_idx, int32_t index, int32_t count,
                    const std::vector<std::string>& topics, int32_t partitions,
                    const QueryStatus& status,
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
    int64_t total = 0;
    bool known = true;
    for (const std::string& topic : topics) {
      auto positions = worker->progress.positions.find(topic);
      auto ends = worker->progress.end_offsets.find(topic);
      if (positions == worker->progress.positions.end() ||
          ends == worker->progress.end_offsets.end() ||
          ends->second.size() != positions->second.size()) {
        known = false;
        break;
      }
      for (size_t partition = 0; partition < positions->second.size(); ++partition) {
        if (positions->second[partition] < 0) continue;  // another worker's partition
        total += ends->second[partition] - positions->second[partition];
      }
    }
    if (known) lag = std::to_string(total);
  }
  rows.emplace_back(name + " lag", lag);
  rows.emplace_back(name + " restarts",
                    worker == nullptr ? "0" : std::to_string(worker->restart_count));
  if (worker != nullptr && worker->peak_rss_bytes > 0) {
    rows.emplace_back(name + " peak memory bytes", std::to_string(worker->peak_rss_bytes));
  }
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
  const PhysicalPlan& stored = **plan;
  const int32_t count = stored.parallelism;
  const std::vector<std::string> repartition = RepartitionTopics(stored);
  if (repartition.empty()) {
    for (int32_t worker_idx = 0; worker_idx < count; ++worker_idx) {
      DescribeWorker("worker " + std::to_string(worker_idx), worker_idx, worker_idx, count,
                     {stored.source.topic}, stored.source.partitions, status, rows);
    }
    return rows;
  }
  std::string topics;
  for (const std::string& topic : repartition) topics += (topics.empty() ? "" : ", ") + topic;
  rows.emplace_back(repartition.size() == 1 ? "repartition topic" : "repartition topics", topics);
  // Stage 1: one group of N per source (a join: left, then right).
  std::vector<std::pair<std::string, const SourceSpec*>> groups = {
      {stored.join_source ? "stage 1 left " : "stage 1 ", &stored.source}};
  if (stored.join_source) groups.emplace_back("stage 1 right ", &*stored.join_source);
  for (size_t group = 0; group < groups.size(); ++group) {
    const SourceSpec& source = *groups[group].second;
    for (int32_t index = 0; index < count; ++index) {
      DescribeWorker(groups[group].first + "worker " + std::to_string(index),
                     static_cast<int32_t>(group) * count + index, index, count, {source.topic},
                     source.partitions, status, rows);
    }
  }
  // Stage 2 worker k reads the repartition topics' partitions w * N + k, one per stage-1 worker;
  // over a join, stage 3 worker k the grouped topic's, one per stage-2 worker.
  const std::vector<std::string> stage_two(repartition.begin(),
                                           repartition.begin() + static_cast<long>(groups.size()));
  const auto first = static_cast<int32_t>(groups.size()) * count;
  for (int32_t index = 0; index < count; ++index) {
    DescribeWorker("stage 2 worker " + std::to_string(index), first + index, index, count,
                   stage_two, count * count, status, rows);
  }
  int32_t last_stage = 2;
  if (stored.join_source && stored.has_aggregate()) {
    last_stage = 3;
    for (int32_t index = 0; index < count; ++index) {
      DescribeWorker("stage 3 worker " + std::to_string(index), first + count + index, index, count,
                     {RepartitionGroupTopic(stored.repartition_topic)}, count * count, status,
                     rows);
    }
  }
  if (stored.has_view_worker()) {
    // One worker reads every partition of the view topic into the view store.
    DescribeWorker("stage " + std::to_string(last_stage + 1) + " view worker",
                   stored.worker_count() - 1, 0, 1,
                   {RepartitionViewTopic(stored.repartition_topic)}, count * count, status, rows);
  }
  return rows;
}

}  // namespace sluice
