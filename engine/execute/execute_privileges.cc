// Privilege checks of statement execution: the statement's relations are bound first (so names
// resolve exactly as execution will see them), then the session's current role must hold the
// privilege through the rbac model built from the catalog. Every decision, allowed or denied, is
// audited.

#include "engine/engine_impl.h"
#include "engine/execute/statement_executor.h"
#include "engine/governance/load_access_control.h"
#include "planner/binder/binder.h"
#include "rbac/statement_requirements.h"

namespace sluice {

Status StatementExecutor::RequireOnRelation(const BoundRelation& bound, rbac::Privilege privilege,
                                            int64_t position) {
  ASSIGN_OR_RETURN(std::unique_ptr<rbac::AccessControl> access,
                   LoadAccessControl(engine_.catalog()));
  Status decision = access->RequireOnRelation(session_.role(), privilege, bound.qualified_name);
  rbac::AuditRecord record;
  record.user = session_.user();
  record.role = session_.role();
  record.client = "local";
  record.action = "access " + std::string(rbac::PrivilegeName(privilege));
  record.object = bound.qualified_name;
  record.result = decision.ok() ? "allowed" : "denied: " + decision.message();
  RETURN_NOT_OK(engine_.audit_log().Append(std::move(record)));
  return decision.ok() ? decision : decision.WithPosition(position);
}

Status StatementExecutor::RequireStatement(rbac::StatementKind kind,
                                           const rbac::StatementTargets& targets,
                                           const std::string& object, int64_t position) {
  ASSIGN_OR_RETURN(std::unique_ptr<rbac::AccessControl> access,
                   LoadAccessControl(engine_.catalog()));
  Status decision = rbac::CheckStatement(*access, session_.role(), kind, targets);
  rbac::AuditRecord record;
  record.user = session_.user();
  record.role = session_.role();
  record.client = "local";
  record.action = "access " + std::string(rbac::StatementKindName(kind));
  record.object = object;
  record.result = decision.ok() ? "allowed" : "denied: " + decision.message();
  RETURN_NOT_OK(engine_.audit_log().Append(std::move(record)));
  return decision.ok() ? decision : decision.WithPosition(position);
}

Status StatementExecutor::RequireCreateInSchema(const DatabaseInfo& database,
                                                const SchemaInfo& schema, int64_t position) {
  rbac::StatementTargets targets;
  targets.database = database.name;
  targets.schema = database.name + "." + schema.name;
  return RequireStatement(rbac::StatementKind::kCreateRelation, targets, targets.schema, position);
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
