// A persistent query runs with its owner role's rights, and those rights are checked again after
// every statement that can take privileges away (REVOKE, REVOKE ROLE, DROP ROLE/USER, GRANT
// OWNERSHIP): a query whose owner may no longer read a source or write its sink is stopped at
// once, its reason the same PERMISSION error a new statement would get. The check runs in the
// statement that changed the grants, under the catalog mutex, so no later statement can observe
// a query still running on rights it lost.

#include "engine/execute/statement_executor.h"
#include "engine/governance/load_access_control.h"

namespace sluice {

Status StatementExecutor::QueryOwnerAllowed(const rbac::AccessControl& access,
                                            const QueryInfo& query) {
  Catalog& catalog = engine_.catalog();
  for (int64_t source_id : query.source_relation_ids) {
    ASSIGN_OR_RETURN(std::string source, catalog.QualifiedRelationName(source_id));
    RETURN_NOT_OK(access.RequireOnRelation(query.owner, rbac::Privilege::kSelect, source));
  }
  if (query.sink_relation_id > 0) {
    ASSIGN_OR_RETURN(std::string sink, catalog.QualifiedRelationName(query.sink_relation_id));
    RETURN_NOT_OK(access.RequireOnRelation(query.owner, rbac::Privilege::kInsert, sink));
  }
  return Status::OK();
}

Status StatementExecutor::RecheckPersistentQueries(const std::string& cause) {
  Catalog& catalog = engine_.catalog();
  ASSIGN_OR_RETURN(std::unique_ptr<rbac::AccessControl> access, LoadAccessControl(catalog));
  ASSIGN_OR_RETURN(std::vector<QueryInfo> queries, catalog.ListQueries());
  for (const QueryInfo& query : queries) {
    if (query.state != QueryState::kRunning && query.state != QueryState::kCreated) continue;
    Status allowed = QueryOwnerAllowed(*access, query);
    if (allowed.ok()) continue;
    if (allowed.category() != ErrorCategory::kPermission) return allowed;
    const std::string reason =
        allowed.ToString() + " (the owner's rights were checked again after " + cause + ")";
    rbac::AuditRecord record;
    record.user = session_.user();
    record.role = session_.role();
    record.client = "local";
    record.action = "stop query";
    record.object = "QUERY " + std::to_string(query.id);
    record.result = "denied: " + allowed.message();
    record.detail = reason;
    RETURN_NOT_OK(engine_.audit_log().Append(std::move(record)));
    RETURN_NOT_OK(StopQuery(query.id, reason));
    handler_.OnNotice("query " + std::to_string(query.id) + " stopped: " + reason);
  }
  return Status::OK();
}

Status StatementExecutor::RequireOwnerRights(const QueryInfo& query, int64_t position) {
  ASSIGN_OR_RETURN(std::unique_ptr<rbac::AccessControl> access,
                   LoadAccessControl(engine_.catalog()));
  Status allowed = QueryOwnerAllowed(*access, query);
  if (allowed.ok()) return allowed;
  return Status(allowed.category(),
                allowed.message() + " (query " + std::to_string(query.id) +
                    " runs with its owner's rights; grant them again before restarting it)",
                position);
}

}  // namespace sluice
