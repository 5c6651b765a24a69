// GRANT and REVOKE of privileges, and the SHOW lists of roles, users and grants. rbac decides who
// may grant (ownership, MANAGE_GRANTS or the grant option) and what a REVOKE takes with it
// (RESTRICT refuses, CASCADE removes the dependent grants); the catalog rows follow.

#include <algorithm>

#include "catalog/name_suggestion.h"
#include "engine/execute/statement_executor.h"
#include "engine/governance/load_access_control.h"

namespace sluice {

namespace {

const rbac::ObjectRef kOrganization{rbac::ObjectKind::kOrganization, ""};

std::string Quote(const std::string& name) { return "\"" + name + "\""; }

Schema TextColumns(std::initializer_list<const char*> names) {
  Schema schema;
  for (const char* name : names) schema.Add(Field{name, DataType::Varchar()});
  return schema;
}

Value Text(std::string text) { return Value::Varchar(std::move(text)); }

}  // namespace

Result<rbac::ObjectRef> StatementExecutor::BindGrantObject(
    const GrantPrivilegesStatement& statement) {
  Binder binder(engine_.catalog(), session_.current_database_, session_.current_schema_);
  ASSIGN_OR_RETURN(rbac::ObjectKind kind, rbac::ParseObjectKind(statement.object_kind));
  switch (kind) {
    case rbac::ObjectKind::kOrganization: return kOrganization;
    case rbac::ObjectKind::kDatabase:
    case rbac::ObjectKind::kAllSchemasInDatabase: {
      ASSIGN_OR_RETURN(DatabaseInfo database, binder.BindDatabase(statement.object));
      return rbac::ObjectRef{kind, database.name};
    }
    case rbac::ObjectKind::kSchema:
    case rbac::ObjectKind::kAllRelationsInSchema: {
      ASSIGN_OR_RETURN(auto bound, binder.BindSchema(statement.object));
      return rbac::ObjectRef{kind, bound.first.name + "." + bound.second.name};
    }
    case rbac::ObjectKind::kRelation: {
      ASSIGN_OR_RETURN(BoundRelation bound, binder.BindRelation(statement.object));
      return rbac::ObjectRef{kind, bound.qualified_name};
    }
    case rbac::ObjectKind::kStore: {
      ASSIGN_OR_RETURN(StoreInfo store,
                       binder.BindStore(statement.object.parts[0], statement.object.position));
      return rbac::ObjectRef{kind, store.name};
    }
    default: break;
  }
  return Status::Binder("privileges cannot be granted on " + statement.object_kind,
                        statement.object_position);
}

Status StatementExecutor::GrantPrivileges(const GrantPrivilegesStatement& statement) {
  std::lock_guard<std::mutex> lock(engine_.catalog_mutex());
  Catalog& catalog = engine_.catalog();
  ASSIGN_OR_RETURN(std::unique_ptr<rbac::AccessControl> access, LoadAccessControl(catalog));
  ASSIGN_OR_RETURN(rbac::ObjectRef object, BindGrantObject(statement));
  RETURN_NOT_OK(RequireKnownRole(*access, statement.grantee));
  const std::string& grantee = statement.grantee.name;
  const std::string& acting = session_.role();
  std::vector<rbac::Privilege> privileges;
  for (const Identifier& word : statement.privileges) {
    Result<rbac::Privilege> privilege = rbac::ParsePrivilege(word.name);
    if (!privilege.ok()) {
      std::vector<std::string> known;
      for (int value = 0; value <= static_cast<int>(rbac::Privilege::kOwnership); ++value) {
        known.emplace_back(rbac::PrivilegeName(static_cast<rbac::Privilege>(value)));
      }
      return UnknownName("privilege", word.name, known, word.position);
    }
    if (!rbac::PrivilegeAppliesTo(*privilege, object.kind) ||
        *privilege == rbac::Privilege::kOwnership) {
      return Status::Binder("privilege " + word.name + " cannot be " +
                                (statement.revoke ? "revoked" : "granted") + " on " +
                                std::string(rbac::ObjectKindName(object.kind)),
                            word.position);
    }
    privileges.push_back(*privilege);
  }
  const bool manage = access->Check(acting, rbac::Privilege::kManageGrants, kOrganization).allowed;
  std::set<std::string> effective = access->roles().EffectiveRoles(acting);
  Status outcome = catalog.RunInTransaction([&]() -> Status {
    for (size_t privilege_idx = 0; privilege_idx < privileges.size(); ++privilege_idx) {
      rbac::Privilege privilege = privileges[privilege_idx];
      std::string name(rbac::PrivilegeName(privilege));
      std::string described = name + " ON " + rbac::DescribeObject(object) + " TO " + grantee;
      if (!statement.revoke) {
        Status decision =
            access->GrantPrivilege(acting, privilege, object, grantee, statement.with_grant_option);
        if (decision.category() == ErrorCategory::kPermission || decision.ok()) {
          RETURN_NOT_OK(AuditGovernance("grant", described, decision, statement.position));
        }
        RETURN_NOT_OK(decision.WithPosition(statement.privileges[privilege_idx].position));
        RETURN_NOT_OK(
            catalog.PutGrant({name, std::string(rbac::ObjectKindName(object.kind)), object.name,
                              grantee, acting, statement.with_grant_option}));
        continue;
      }
      // REVOKE removes the grants the acting role (or a role it holds) made; MANAGE_GRANTS
      // revokes whoever made them.
      std::vector<rbac::Grant> matching;
      bool granted_by_others = false;
      for (const rbac::Grant& grant : access->grants()) {
        if (grant.privilege != privilege || grant.object != object || grant.grantee != grantee)
          continue;
        if (manage || effective.count(grant.grantor)) {
          matching.push_back(grant);
        } else {
          granted_by_others = true;
        }
      }
      if (object.kind == rbac::ObjectKind::kOrganization && rbac::RoleGraph::IsBuiltin(grantee)) {
        return Status::Catalog("the built-in roles' privileges cannot be revoked",
                               statement.grantee.position);
      }
      if (matching.empty()) {
        if (granted_by_others) {
          return AuditGovernance(
              "revoke", described,
              Status::Permission("role " + Quote(acting) + " may not revoke " + name + " on " +
                                 rbac::DescribeObject(object) + " from " + Quote(grantee) +
                                 ": it was granted by another role"),
              statement.position);
        }
        return Status::Catalog("role " + Quote(grantee) + " has no grant of " + name + " on " +
                                   rbac::DescribeObject(object),
                               statement.privileges[privilege_idx].position);
      }
      RETURN_NOT_OK(AuditGovernance("revoke", described, Status::OK(), statement.position));
      rbac::DropBehavior behavior = statement.behavior == DropBehavior::kCascade
                                        ? rbac::DropBehavior::kCascade
                                        : rbac::DropBehavior::kRestrict;
      for (const rbac::Grant& grant : matching) {
        // A CASCADE of an earlier one may have taken it already.
        const std::vector<rbac::Grant>& current = access->grants();
        if (std::find(current.begin(), current.end(), grant) == current.end()) continue;
        ASSIGN_OR_RETURN(
            std::vector<rbac::Grant> removed,
            access->RevokePrivilege(grant.grantor, privilege, object, grantee, behavior));
        for (const rbac::Grant& gone : removed) {
          RETURN_NOT_OK(catalog.RemoveGrant({std::string(rbac::PrivilegeName(gone.privilege)),
                                             std::string(rbac::ObjectKindName(gone.object.kind)),
                                             gone.object.name, gone.grantee, gone.grantor,
                                             gone.grant_option}));
        }
      }
    }
    return Status::OK();
  });
  RETURN_NOT_OK(outcome.WithPosition(statement.position));
  handler_.OnCommandComplete(statement.revoke ? "REVOKE" : "GRANT");
  return Status::OK();
}

Status StatementExecutor::ShowGovernance(const ShowGovernanceStatement& statement) {
  std::lock_guard<std::mutex> lock(engine_.catalog_mutex());
  Catalog& catalog = engine_.catalog();
  ASSIGN_OR_RETURN(std::unique_ptr<rbac::AccessControl> access, LoadAccessControl(catalog));
  const std::string& acting = session_.role();
  std::vector<std::vector<Value>> rows;
  switch (statement.what) {
    case ShowGovernanceKind::kRoles: {
      ASSIGN_OR_RETURN(std::vector<RoleInfo> roles, catalog.ListRoles());
      for (const RoleInfo& role : roles) {
        std::string held;
        auto it = access->roles().memberships().find(role.name);
        if (it != access->roles().memberships().end()) {
          for (const std::string& name : it->second) held += (held.empty() ? "" : ", ") + name;
        }
        rows.push_back({Text(role.name), Text(role.builtin ? "yes" : "no"), Text(held)});
      }
      return EmitRows(TextColumns({"name", "builtin", "holds"}), rows);
    }
    case ShowGovernanceKind::kUsers: {
      RETURN_NOT_OK(
          AuditGovernance("access SHOW USERS", "ORGANIZATION",
                          access->Require(acting, rbac::Privilege::kCreateUser, kOrganization),
                          statement.position));
      ASSIGN_OR_RETURN(std::vector<UserInfo> users, catalog.ListUsers());
      for (const UserInfo& user : users) {
        std::string held;
        auto it = access->roles().memberships().find(UserRoleName(user.name));
        if (it != access->roles().memberships().end()) {
          for (const std::string& name : it->second) held += (held.empty() ? "" : ", ") + name;
        }
        rows.push_back({Text(user.name), Text(user.default_role), Text(held),
                        Text(user.scram_verifier ? "yes" : "no")});
      }
      return EmitRows(TextColumns({"name", "default_role", "roles", "password"}), rows);
    }
    case ShowGovernanceKind::kGrants: break;
  }
  // SHOW GRANTS: the grants the current role holds (itself and through the roles it holds), or
  // those of a named role, which takes holding that role or MANAGE_GRANTS.
  std::string subject = acting;
  if (statement.grantee) {
    RETURN_NOT_OK(RequireKnownRole(*access, *statement.grantee));
    subject = statement.grantee->name;
    Status decision;
    if (!access->roles().EffectiveRoles(acting).count(subject) &&
        !access->Check(acting, rbac::Privilege::kManageGrants, kOrganization).allowed) {
      decision = Status::Permission("role " + Quote(acting) + " may not see the grants of role " +
                                    Quote(subject) + " (it needs to hold it, or MANAGE_GRANTS)");
    }
    RETURN_NOT_OK(AuditGovernance("access SHOW GRANTS", "ROLE " + Quote(subject), decision,
                                  statement.grantee->position));
  }
  std::set<std::string> effective = access->roles().EffectiveRoles(subject);
  for (const rbac::Grant& grant : access->grants()) {
    if (!effective.count(grant.grantee)) continue;
    rows.push_back({Text(std::string(rbac::PrivilegeName(grant.privilege))),
                    Text(std::string(rbac::ObjectKindName(grant.object.kind))),
                    Text(grant.object.name), Text(grant.grantee), Text(grant.grantor),
                    Text(grant.grant_option ? "yes" : "no")});
  }
  return EmitRows(
      TextColumns({"privilege", "object_kind", "object", "grantee", "grantor", "grant_option"}),
      rows);
}

}  // namespace sluice
