// FLUSH: waits until every running persistent query has processed what its sources held when
// FLUSH began, and says so only when their outputs are complete.

#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "engine/execute/bounded_sources.h"
#include "engine/execute/query_parallelism.h"
#include "engine/execute/statement_executor.h"
#include "planner/binder/relation_schema.h"
#include "storage/view/view_store.h"

namespace sluice {

namespace {

// "120 s" for whole seconds, else "1500 ms".
std::string FormatTimeout(int timeout_ms) {
  if (timeout_ms % 1000 == 0) return std::to_string(timeout_ms / 1000) + " s";
  return std::to_string(timeout_ms) + " ms";
}

}  // namespace

Status StatementExecutor::Flush(const FlushStatement& statement) {
  using Clock = std::chrono::steady_clock;
  const int timeout_ms = engine_.options().flush_timeout_ms;
  const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  const std::string timed_out = "FLUSH timed out after " + FormatTimeout(timeout_ms);
  // Rounds: wait until every running query reached its sources' current end; outputs of one
  // query can be another's input, so repeat until a round finds nothing new.
  std::map<int64_t, std::map<std::string, std::vector<int64_t>>> previous;
  std::map<int64_t, std::string> failed;  // "query N failed: reason" of queries that failed
  while (true) {
    std::map<int64_t, std::map<std::string, std::vector<int64_t>>> targets;
    bool datagen_unreported = false;
    {
      std::lock_guard<std::mutex> lock(engine_.catalog_mutex());
      ASSIGN_OR_RETURN(std::vector<QueryInfo> running,
                       engine_.catalog().ListQueriesByState(QueryState::kRunning));
      for (const QueryInfo& query : running) {
        for (int64_t relation_id : query.source_relation_ids) {
          ASSIGN_OR_RETURN(RelationInfo relation, engine_.catalog().GetRelationById(relation_id));
          std::string topic = RelationTopic(relation);
          ASSIGN_OR_RETURN(StoreInfo store, engine_.catalog().GetStoreById(relation.store_id));
          if (store.type == "datagen") {
            // Generated records exist only in the worker: its reported end is the target (all
            // of a bounded stream without 'rate'; what is due so far with one).
            QueryStatus status = engine_.supervisor().Snapshot(query.id);
            auto ends = status.progress.end_offsets.find(topic);
            if (ends != status.progress.end_offsets.end()) {
              targets[query.id][topic] = ends->second;
            } else if (status.state == "STARTING" || status.state == "RUNNING") {
              datagen_unreported = true;  // its worker has not reported yet
            }
            continue;
          }
          ASSIGN_OR_RETURN(targets[query.id][topic], RelationEndOffsets(relation));
        }
        CapAtFixedEnds(query.plan, targets[query.id]);
        // A repartitioned query: stage 2 must also have read what stage 1 wrote so far (a
        // later round sees what stage 1 adds meanwhile).
        for (const std::string& repartition_topic : PlanRepartitionTopics(query.plan)) {
          ASSIGN_OR_RETURN(targets[query.id][repartition_topic],
                           engine_.log().EndOffsets(repartition_topic));
        }
      }
    }
    if (datagen_unreported) {
      if (Clock::now() > deadline) {
        return Status::Execution(timed_out + " waiting for a datagen query");
      }
      if (session_.cancel_requested_.load()) return Status::Cancelled("FLUSH cancelled");
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      continue;
    }
    if (targets == previous) break;
    for (const auto& [query_id, positions] : targets) {
      // Rounded up: a wait that times out ends at or after the deadline.
      auto remaining = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
      if (remaining.count() <= 0) {
        return Status::Execution(timed_out + " waiting for query " + std::to_string(query_id));
      }
      Status status = engine_.supervisor().WaitForPositions(query_id, positions, remaining,
                                                            &session_.cancel_requested_);
      if (status.category() == ErrorCategory::kCancelled) return status;
      if (!status.ok() && Clock::now() >= deadline) {
        // A query still behind at the deadline: the next round would find the same targets and
        // end FLUSH as if it had caught up, though its output is incomplete.
        const QueryStatus behind = engine_.supervisor().Snapshot(query_id);
        return Status::Execution(timed_out + " waiting for query " + std::to_string(query_id) +
                                 " (it read " + std::to_string(behind.progress.records_in) +
                                 " records so far)");
      }
      if (status.ok()) continue;
      // A query that failed left its output incomplete: FLUSH fails once the others are
      // flushed. One stopped by TERMINATE meanwhile was stopped on purpose: a notice.
      if (engine_.supervisor().Snapshot(query_id).state == "FAILED") {
        failed[query_id] = status.message();
      } else {
        handler_.OnNotice("query " + std::to_string(query_id) + ": " + status.message());
      }
    }
    previous = std::move(targets);
  }
  // Views' readers refresh in the background; after FLUSH a read must see what was flushed.
  RETURN_NOT_OK(RefreshViewStoreReaders());
  for (int64_t query_id : std::exchange(session_.started_queries_, {})) {
    std::lock_guard<std::mutex> lock(engine_.catalog_mutex());
    Result<QueryInfo> query = engine_.catalog().GetQuery(query_id);
    if (query.ok() && query->state == QueryState::kFailed && !failed.count(query_id)) {
      failed[query_id] = "query " + std::to_string(query_id) + " failed: " + query->state_reason;
    }
  }
  if (!failed.empty()) {
    std::string message = "FLUSH could not complete: ";
    for (const auto& [query_id, reason] : failed) {
      message += (message.back() == ' ' ? "" : "; ") + reason;
    }
    return Status::Execution(message + " (SHOW QUERIES; RESTART QUERY id resumes it)");
  }
  handler_.OnCommandComplete("FLUSH");
  return Status::OK();
}

}  // namespace sluice
