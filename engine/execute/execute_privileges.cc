// Privilege checks of statement execution: the statement's relations are bound first (so names
// resolve exactly as execution will see them), then the session's current role must hold the
// privilege through the rbac model built from the catalog. Every decision, allowed or denied, is
// audited.

#include "engine/engine_impl.h"
#include "engine/execute/statement_executor.h"
#include "engine/governance/load_access_control.h"
#include "planner/binder/binder.h"
#include "rbac/statement_requirements.h"
#include "rbac/visibility.h"

namespace sluice {

Status StatementExecutor::RequireOnRelation(const BoundRelation& bound, rbac::Privilege privilege,
                                            int64_t position) {
  ASSIGN_OR_RETURN(std::shared_ptr<const rbac::AccessControl> access, engine_.access_control());
  Status decision = access->RequireOnRelation(session_.role(), privilege, bound.qualified_name);
  rbac::AuditRecord record;
  record.user = session_.user();
  record.role = session_.role();
  record.client = "local";
  record.action = "access " + std::string(rbac::PrivilegeName(privilege));
  record.object = bound.qualified_name;
  record.result = decision.ok() ? "allowed" : "denied: " + decision.message();
  // An allowed read waits for the group commit; a denial or a right to change is synced now.
  RETURN_NOT_OK(engine_.audit_log().Append(
      std::move(record), privilege == rbac::Privilege::kSelect ? rbac::AuditDurability::kGrouped
                                                               : rbac::AuditDurability::kSynced));
  return HideInvisible(*access, {rbac::ObjectKind::kRelation, bound.qualified_name}, decision,
                       position);
}

Status StatementExecutor::RequireStatement(rbac::StatementKind kind,
                                           const rbac::StatementTargets& targets,
                                           const std::string& object, int64_t position) {
  ASSIGN_OR_RETURN(std::shared_ptr<const rbac::AccessControl> access, engine_.access_control());
  Status decision = rbac::CheckStatement(*access, session_.role(), kind, targets);
  rbac::AuditRecord record;
  record.user = session_.user();
  record.role = session_.role();
  record.client = "local";
  record.action = "access " + std::string(rbac::StatementKindName(kind));
  record.object = object;
  record.result = decision.ok() ? "allowed" : "denied: " + decision.message();
  RETURN_NOT_OK(engine_.audit_log().Append(std::move(record)));
  // The container named by the statement: a store, a schema or a database.
  if (!targets.store.empty()) {
    return HideInvisible(*access, {rbac::ObjectKind::kStore, targets.store}, decision, position);
  }
  if (!targets.schema.empty()) {
    return HideInvisible(*access, {rbac::ObjectKind::kSchema, targets.schema}, decision, position);
  }
  if (!targets.database.empty()) {
    return HideInvisible(*access, {rbac::ObjectKind::kDatabase, targets.database}, decision,
                         position);
  }
  return decision.ok() ? decision : decision.WithPosition(position);
}

Status StatementExecutor::RequireCreateInSchema(const DatabaseInfo& database,
                                                const SchemaInfo& schema, int64_t position) {
  rbac::StatementTargets targets;
  targets.database = database.name;
  targets.schema = database.name + "." + schema.name;
  return RequireStatement(rbac::StatementKind::kCreateRelation, targets, targets.schema, position);
}

Status StatementExecutor::RequireOnQuery(int64_t query_id, rbac::Privilege privilege,
                                         int64_t position) {
  ASSIGN_OR_RETURN(std::shared_ptr<const rbac::AccessControl> access, engine_.access_control());
  const rbac::ObjectRef query{rbac::ObjectKind::kQuery, std::to_string(query_id)};
  const std::string& role = session_.role();
  if (!rbac::CanSee(*access, role, query)) {
    return Status::Catalog("query " + query.name + " does not exist", position);
  }
  Status decision = access->Require(role, privilege, query);
  if (!decision.ok() && privilege == rbac::Privilege::kMonitor &&
      access->Check(role, rbac::Privilege::kOperate, query).allowed) {
    decision = Status::OK();
  }
  if (!decision.ok() &&
      access->Check(role, rbac::Privilege::kManageQueries, {rbac::ObjectKind::kOrganization, ""})
          .allowed) {
    decision = Status::OK();
  }
  return AuditGovernance("access " + std::string(rbac::PrivilegeName(privilege)),
                         "QUERY " + query.name, decision, position);
}

Status StatementExecutor::RequireStoreUsage(const StoreInfo& store, int64_t position) {
  rbac::StatementTargets targets;
  targets.store = store.name;
  return RequireStatement(rbac::StatementKind::kUseStore, targets, "STORE " + store.name, position);
}

Status StatementExecutor::RequireSelectOnSources(Binder& binder, const FromItem& from) {
  switch (from.kind) {
    case FromKind::kRelation: {
      const auto& relation = from.As<RelationRef>();
      ASSIGN_OR_RETURN(BoundRelation bound, binder.BindRelation(relation.name));
      return RequireOnRelation(bound, rbac::Privilege::kSelect, relation.position);
    }
    case FromKind::kWindow: return RequireSelectOnSources(binder, *from.As<WindowRef>().input);
    case FromKind::kJoin: {
      const auto& join = from.As<JoinRef>();
      RETURN_NOT_OK(RequireSelectOnSources(binder, *join.left));
      return RequireSelectOnSources(binder, *join.right);
    }
  }
  return Status::Internal("unknown FROM item");
}

}  // namespace sluice
