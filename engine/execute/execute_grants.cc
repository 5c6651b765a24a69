// GRANT and REVOKE of privileges (OWNERSHIP: execute_ownership.cc). rbac decides who
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

}  // namespace

Result<rbac::ObjectRef> StatementExecutor::BindNamedObject(const std::string& kind_name,
                                                           const QualifiedName& name,
                                                           int64_t position) {
  Binder binder(engine_.catalog(), session_.current_database_, session_.current_schema_);
  ASSIGN_OR_RETURN(rbac::ObjectKind kind, rbac::ParseObjectKind(kind_name));
  switch (kind) {
    case rbac::ObjectKind::kOrganization: return kOrganization;
    case rbac::ObjectKind::kDatabase:
    case rbac::ObjectKind::kAllSchemasInDatabase: {
      ASSIGN_OR_RETURN(DatabaseInfo database, binder.BindDatabase(name));
      return rbac::ObjectRef{kind, database.name};
    }
    case rbac::ObjectKind::kSchema:
    case rbac::ObjectKind::kAllRelationsInSchema: {
      ASSIGN_OR_RETURN(auto bound, binder.BindSchema(name));
      return rbac::ObjectRef{kind, bound.first.name + "." + bound.second.name};
    }
    case rbac::ObjectKind::kRelation: {
      ASSIGN_OR_RETURN(BoundRelation bound, binder.BindRelation(name));
      return rbac::ObjectRef{kind, bound.qualified_name};
    }
    case rbac::ObjectKind::kStore: {
      ASSIGN_OR_RETURN(StoreInfo store, binder.BindStore(name.parts[0], name.position));
      return rbac::ObjectRef{kind, store.name};
    }
    case rbac::ObjectKind::kQuery: {
      const std::string& id = name.parts[0];
      bool digits = !id.empty() && id.size() < 16;
      for (char c : id) digits = digits && c >= '0' && c <= '9';
      if (!digits) {
        return Status::Binder("query ids are numbers (see SHOW QUERIES), got \"" + id + "\"",
                              name.position);
      }
      ASSIGN_OR_RETURN(std::optional<QueryInfo> query, engine_.catalog().FindQuery(std::stoll(id)));
      if (!query) return Status::Catalog("query " + id + " does not exist", name.position);
      return rbac::ObjectRef{kind, std::to_string(query->id)};
    }
    default: break;
  }
  return Status::Binder("privileges cannot be granted on " + kind_name, position);
}

Status StatementExecutor::GrantPrivileges(const GrantPrivilegesStatement& statement) {
  std::lock_guard<std::mutex> lock(engine_.catalog_mutex());
  Catalog& catalog = engine_.catalog();
  ASSIGN_OR_RETURN(std::unique_ptr<rbac::AccessControl> access, LoadAccessControl(catalog));
  ASSIGN_OR_RETURN(rbac::ObjectRef object, BindNamedObject(statement.object_kind, statement.object,
                                                           statement.object_position));
  RETURN_NOT_OK(RequireVisible(object, statement.object.parts.empty() ? statement.object_position
                                                                      : statement.object.position));
  RETURN_NOT_OK(RequireKnownRole(*access, statement.grantee));
  const std::string& grantee = statement.grantee.name;
  const std::string& acting = session_.role();
  if (statement.privileges.size() >= 1 && statement.privileges[0].name == "OWNERSHIP") {
    return GrantOwnership(statement, *access, object);
  }
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
    if (*privilege == rbac::Privilege::kOwnership) {
      return Status::Binder("OWNERSHIP is granted on its own, not with other privileges",
                            word.position);
    }
    if (!rbac::PrivilegeAppliesTo(*privilege, object.kind)) {
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
        if (grant.privilege != privilege || grant.object != object || grant.grantee != grantee ||
            (statement.grant_option_only && !grant.grant_option))
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
                                   rbac::DescribeObject(object) +
                                   (statement.grant_option_only ? " WITH GRANT OPTION" : ""),
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
        std::vector<rbac::Grant> removed;
        if (statement.grant_option_only) {
          ASSIGN_OR_RETURN(removed, access->RevokeGrantOption(grant.grantor, privilege, object,
                                                              grantee, behavior));
          // The grant stays, without its option (the catalog's upsert only ever raises it).
          rbac::Grant kept = grant;
          kept.grant_option = false;
          RETURN_NOT_OK(catalog.RemoveGrant(ToGrantInfo(grant)));
          RETURN_NOT_OK(catalog.PutGrant(ToGrantInfo(kept)));
        } else {
          ASSIGN_OR_RETURN(removed, access->RevokePrivilege(grant.grantor, privilege, object,
                                                            grantee, behavior));
        }
        for (const rbac::Grant& gone : removed) {
          RETURN_NOT_OK(catalog.RemoveGrant(ToGrantInfo(gone)));
        }
      }
    }
    // Queries whose owner lost a privilege they run on stop now.
    return statement.revoke ? RecheckPersistentQueries("REVOKE") : Status::OK();
  });
  RETURN_NOT_OK(outcome.WithPosition(statement.position));
  handler_.OnCommandComplete(statement.revoke ? "REVOKE" : "GRANT");
  return Status::OK();
}

}  // namespace sluice
