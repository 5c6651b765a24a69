// Ownership: GRANT OWNERSHIP hands an object to another role, DROP takes its owner, and dropping
// an object takes the grants on it. The rules (who may transfer, what happens to the grants the
// old owner made) are rbac's AccessControl::TransferOwnership; this file keeps the catalog rows
// in step and audits the decisions.

#include <algorithm>

#include "engine/execute/statement_executor.h"
#include "engine/governance/load_access_control.h"

namespace sluice {

namespace {

const rbac::ObjectRef kOrganization{rbac::ObjectKind::kOrganization, ""};

// Whether a grant on `granted` is about `dropped` or something inside it (a database's schemas
// and relations, a schema's relations, the schema-wide scopes of either).
bool Covers(const rbac::ObjectRef& dropped, const rbac::ObjectRef& granted) {
  using rbac::ObjectKind;
  const std::string prefix = dropped.name + ".";
  const bool inside = granted.name.compare(0, prefix.size(), prefix) == 0;
  switch (dropped.kind) {
    case ObjectKind::kDatabase:
      if (granted.kind == ObjectKind::kDatabase ||
          granted.kind == ObjectKind::kAllSchemasInDatabase)
        return granted.name == dropped.name;
      return (granted.kind == ObjectKind::kSchema ||
              granted.kind == ObjectKind::kAllRelationsInSchema ||
              granted.kind == ObjectKind::kRelation) &&
             inside;
    case ObjectKind::kSchema:
      if (granted.kind == ObjectKind::kSchema || granted.kind == ObjectKind::kAllRelationsInSchema)
        return granted.name == dropped.name;
      return granted.kind == ObjectKind::kRelation && inside;
    default: return granted == dropped;
  }
}

}  // namespace

Status StatementExecutor::RequireOwnership(const rbac::ObjectRef& object, int64_t position) {
  ASSIGN_OR_RETURN(std::unique_ptr<rbac::AccessControl> access,
                   LoadAccessControl(engine_.catalog()));
  Status decision;
  if (!access->Check(session_.role(), rbac::Privilege::kManageGrants, kOrganization).allowed) {
    decision = access->Require(session_.role(), rbac::Privilege::kOwnership, object);
  }
  Status audited =
      AuditGovernance("access OWNERSHIP", rbac::DescribeObject(object), decision, position);
  return HideInvisible(*access, object, audited, position);
}

Status StatementExecutor::ForgetGrantsOn(const rbac::ObjectRef& dropped) {
  ASSIGN_OR_RETURN(std::unique_ptr<rbac::AccessControl> access,
                   LoadAccessControl(engine_.catalog()));
  for (const rbac::Grant& grant : access->grants()) {
    if (Covers(dropped, grant.object)) {
      RETURN_NOT_OK(engine_.catalog().RemoveGrant(ToGrantInfo(grant)));
    }
  }
  return Status::OK();
}

Status StatementExecutor::GrantOwnership(const GrantPrivilegesStatement& statement,
                                         rbac::AccessControl& access,
                                         const rbac::ObjectRef& object) {
  const Identifier& word = statement.privileges[0];
  if (statement.privileges.size() != 1) {
    return Status::Binder("OWNERSHIP is granted on its own, not with other privileges",
                          word.position);
  }
  if (statement.revoke) {
    return Status::Binder(
        "OWNERSHIP cannot be revoked; GRANT OWNERSHIP to another role hands the object over",
        word.position);
  }
  if (statement.with_grant_option) {
    return Status::Binder("GRANT OWNERSHIP takes no WITH GRANT OPTION (the owner may grant anyway)",
                          statement.position);
  }
  if (object.kind == rbac::ObjectKind::kOrganization ||
      object.kind == rbac::ObjectKind::kAllRelationsInSchema ||
      object.kind == rbac::ObjectKind::kAllSchemasInDatabase) {
    return Status::Binder(
        "OWNERSHIP cannot be granted on " + std::string(rbac::ObjectKindName(object.kind)),
        word.position);
  }
  const std::string& new_owner = statement.grantee.name;
  const std::vector<rbac::Grant> before = access.grants();
  Status decision = access.TransferOwnership(session_.role(), object, new_owner);
  const std::string described = "OWNERSHIP ON " + rbac::DescribeObject(object) + " TO " + new_owner;
  if (decision.ok() || decision.category() == ErrorCategory::kPermission) {
    RETURN_NOT_OK(AuditGovernance("grant ownership", described, decision, statement.position));
  }
  RETURN_NOT_OK(decision.WithPosition(statement.grantee.position));

  Catalog& catalog = engine_.catalog();
  Binder binder(catalog, session_.current_database_, session_.current_schema_);
  RETURN_NOT_OK(catalog.RunInTransaction([&]() -> Status {
    switch (object.kind) {
      case rbac::ObjectKind::kDatabase: {
        ASSIGN_OR_RETURN(DatabaseInfo database, binder.BindDatabase(statement.object));
        RETURN_NOT_OK(catalog.SetOwner(OwnedObjectKind::kDatabase, database.id, new_owner));
        break;
      }
      case rbac::ObjectKind::kSchema: {
        ASSIGN_OR_RETURN(auto bound, binder.BindSchema(statement.object));
        RETURN_NOT_OK(catalog.SetOwner(OwnedObjectKind::kSchema, bound.second.id, new_owner));
        break;
      }
      case rbac::ObjectKind::kRelation: {
        ASSIGN_OR_RETURN(BoundRelation bound, binder.BindRelation(statement.object));
        RETURN_NOT_OK(catalog.SetOwner(OwnedObjectKind::kRelation, bound.relation.id, new_owner));
        break;
      }
      case rbac::ObjectKind::kStore: {
        ASSIGN_OR_RETURN(StoreInfo store,
                         binder.BindStore(statement.object.parts[0], statement.object.position));
        RETURN_NOT_OK(catalog.SetOwner(OwnedObjectKind::kStore, store.id, new_owner));
        break;
      }
      case rbac::ObjectKind::kQuery:
        RETURN_NOT_OK(
            catalog.SetOwner(OwnedObjectKind::kQuery, std::stoll(object.name), new_owner));
        break;
      default: return Status::Internal("no owner row for " + rbac::DescribeObject(object));
    }
    // The grants the old owner made are now the new owner's (rbac rewrote their grantor).
    for (const rbac::Grant& grant : before) {
      if (std::find(access.grants().begin(), access.grants().end(), grant) != access.grants().end())
        continue;
      RETURN_NOT_OK(catalog.RemoveGrant(ToGrantInfo(grant)));
    }
    for (const rbac::Grant& grant : access.grants()) {
      if (std::find(before.begin(), before.end(), grant) != before.end()) continue;
      RETURN_NOT_OK(catalog.PutGrant(ToGrantInfo(grant)));
    }
    // A query now runs with its new owner's rights.
    return RecheckPersistentQueries("GRANT OWNERSHIP");
  }));
  handler_.OnCommandComplete("GRANT");
  return Status::OK();
}

}  // namespace sluice
