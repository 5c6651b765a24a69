#include "engine/engine_impl.h"

#include "runtime/plan/physical_plan.h"

namespace sluice {

Status EngineImpl::StartQuery(int64_t query_id) {
  ASSIGN_OR_RETURN(std::optional<QueryInfo> query, catalog_->FindQuery(query_id));
  if (!query) return Status::Internal("query " + std::to_string(query_id) + " vanished");
  Result<StoreSecrets> secrets = PlanStoreSecrets(query->plan);
  Result<std::unique_ptr<PhysicalPlan>> plan = PhysicalPlanFromJson(query->plan);
  Status started = !secrets.ok() ? secrets.status()
                   : !plan.ok()
                       ? plan.status()
                       : supervisor_->Start(query_id, query->plan, *secrets,
                                            (*plan)->worker_count(), (*plan)->worker_groups());
  if (!started.ok()) {
    RETURN_NOT_OK(catalog_->SetQueryState(query_id, QueryState::kFailed, started.message()));
    return started;
  }
  return catalog_->SetQueryState(query_id, QueryState::kRunning, "");
}

Status EngineImpl::ResumeQueries() {
  std::lock_guard<std::mutex> lock(catalog_mutex_);
  ASSIGN_OR_RETURN(std::vector<QueryInfo> running,
                   catalog_->ListQueriesByState(QueryState::kRunning));
  for (const QueryInfo& query : running) {
    // A query that cannot start again is marked FAILED; the others still resume.
    Status status = StartQuery(query.id);
    (void)status;
  }
  return Status::OK();
}

void EngineImpl::OnQueryStateChange(int64_t query_id, const std::string& state,
                                    const std::string& reason) {
  // Called on the supervisor's monitor thread: only a worker's failure changes the catalog here;
  // stops requested by statements are recorded by the statement itself.
  if (state != "FAILED") return;
  std::lock_guard<std::mutex> lock(catalog_mutex_);
  Result<std::optional<QueryInfo>> query = catalog_->FindQuery(query_id);
  if (!query.ok() || !*query || (*query)->state != QueryState::kRunning) return;
  Status status = catalog_->SetQueryState(query_id, QueryState::kFailed, reason);
  (void)status;
}

}  // namespace sluice
