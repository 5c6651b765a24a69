#include "rbac/access_control.h"

#include <algorithm>

namespace sluice::rbac {

namespace {

const ObjectRef kOrganization{ObjectKind::kOrganization, ""};

std::string Quote(const std::string& name) { return "\"" + name + "\""; }

// The object whose owner may grant on `object`: a scope's schema or database, else itself.
ObjectRef OwnedObjectFor(const ObjectRef& object) {
  if (object.kind == ObjectKind::kAllRelationsInSchema) return {ObjectKind::kSchema, object.name};
  if (object.kind == ObjectKind::kAllSchemasInDatabase) return {ObjectKind::kDatabase, object.name};
  return object;
}

std::string JoinChain(const std::vector<std::string>& chain) {
  std::string text;
  for (const std::string& role : chain) text += (text.empty() ? "" : " -> ") + role;
  return text;
}

}  // namespace

AccessControl::AccessControl() : roles_(RoleGraph::WithBuiltins()) {
  owners_[kOrganization] = kOrgAdmin;
  const std::pair<const char*, Privilege> builtin_grants[] = {
      {kSysAdmin, Privilege::kCreateDatabase}, {kSysAdmin, Privilege::kCreateStore},
      {kSysAdmin, Privilege::kManageQueries},  {kSecurityAdmin, Privilege::kManageGrants},
      {kSecurityAdmin, Privilege::kReadAudit}, {kUserAdmin, Privilege::kCreateRole},
      {kUserAdmin, Privilege::kCreateUser},
  };
  for (const auto& [role, privilege] : builtin_grants) {
    grants_.push_back(Grant{privilege, kOrganization, role, kOrgAdmin, false});
  }
}

std::string DescribeGrant(const Grant& grant) {
  return std::string(PrivilegeName(grant.privilege)) + " ON " + DescribeObject(grant.object) +
         " TO " + grant.grantee + (grant.grant_option ? " WITH GRANT OPTION" : "") +
         " (granted by " + grant.grantor + ")";
}

void AccessControl::ForgetObject(const ObjectRef& object) {
  owners_.erase(object);
  std::erase_if(grants_, [&](const Grant& grant) { return grant.object == object; });
}

std::optional<std::string> AccessControl::OwnerOf(const ObjectRef& object) const {
  auto it = owners_.find(object);
  if (it == owners_.end()) return std::nullopt;
  return it->second;
}

const Grant* AccessControl::FindGrant(const std::set<std::string>& effective, Privilege privilege,
                                      const ObjectRef& object, bool need_grant_option) const {
  std::optional<ObjectRef> scope = CoveringScope(object);
  for (const Grant& grant : grants_) {
    if (grant.privilege != privilege || !effective.count(grant.grantee)) continue;
    if (need_grant_option && !grant.grant_option) continue;
    if (grant.object == object || (scope && grant.object == *scope)) return &grant;
  }
  return nullptr;
}

AccessDecision AccessControl::Check(const std::string& role, Privilege privilege,
                                    const ObjectRef& object) const {
  AccessDecision decision;
  std::set<std::string> effective = roles_.EffectiveRoles(role);
  std::optional<std::string> owner = OwnerOf(object);
  if (owner && effective.count(*owner)) {
    decision.allowed = true;
    decision.path = {"role chain: " + JoinChain(roles_.PathTo(role, *owner)),
                     *owner + " owns " + DescribeObject(object)};
    return decision;
  }
  if (privilege == Privilege::kOwnership) return decision;
  if (const Grant* grant = FindGrant(effective, privilege, object, false)) {
    decision.allowed = true;
    std::vector<std::string> chain = roles_.PathTo(role, grant->grantee);
    if (chain.empty()) chain = {role, grant->grantee};  // held through PUBLIC
    decision.path = {"role chain: " + JoinChain(chain), "grant: " + DescribeGrant(*grant)};
  }
  return decision;
}

Status AccessControl::Require(const std::string& role, Privilege privilege,
                              const ObjectRef& object) const {
  if (Check(role, privilege, object).allowed) return Status::OK();
  return Status::Permission("role " + Quote(role) + " lacks " +
                            std::string(PrivilegeName(privilege)) + " on " +
                            DescribeObject(object));
}

Status AccessControl::RequireOnRelation(const std::string& role, Privilege privilege,
                                        const std::string& qualified_relation) const {
  size_t first_dot = qualified_relation.find('.');
  size_t last_dot = qualified_relation.rfind('.');
  if (first_dot == std::string::npos || first_dot == last_dot) {
    return Status::Internal("relation name is not qualified: " + qualified_relation);
  }
  RETURN_NOT_OK(Require(role, Privilege::kUsage,
                        {ObjectKind::kDatabase, qualified_relation.substr(0, first_dot)}));
  RETURN_NOT_OK(Require(role, Privilege::kUsage,
                        {ObjectKind::kSchema, qualified_relation.substr(0, last_dot)}));
  return Require(role, privilege, {ObjectKind::kRelation, qualified_relation});
}

std::string AccessControl::RoleChain(const std::string& role, const std::string& held) const {
  std::vector<std::string> chain = roles_.PathTo(role, held);
  if (chain.empty()) chain = {role, held};  // held through PUBLIC
  return JoinChain(chain);
}

bool AccessControl::CanGrant(const std::string& role, Privilege privilege,
                             const ObjectRef& object) const {
  std::set<std::string> effective = roles_.EffectiveRoles(role);
  std::optional<std::string> owner = OwnerOf(OwnedObjectFor(object));
  if (owner && effective.count(*owner)) return true;
  if (Check(role, Privilege::kManageGrants, kOrganization).allowed) return true;
  return privilege != Privilege::kOwnership &&
         FindGrant(effective, privilege, object, true) != nullptr;
}

Status AccessControl::GrantPrivilege(const std::string& grantor, Privilege privilege,
                                     const ObjectRef& object, const std::string& grantee,
                                     bool with_grant_option) {
  if (!roles_.HasRole(grantee))
    return Status::Catalog("role " + Quote(grantee) + " does not exist");
  if (!PrivilegeAppliesTo(privilege, object.kind) || privilege == Privilege::kOwnership) {
    return Status::Binder("privilege " + std::string(PrivilegeName(privilege)) +
                          " cannot be granted on " + std::string(ObjectKindName(object.kind)));
  }
  if (!CanGrant(grantor, privilege, object)) {
    return Status::Permission("role " + Quote(grantor) + " may not grant " +
                              std::string(PrivilegeName(privilege)) + " on " +
                              DescribeObject(object) +
                              " (it needs ownership, MANAGE_GRANTS or the privilege WITH GRANT "
                              "OPTION)");
  }
  for (Grant& grant : grants_) {
    if (grant.privilege == privilege && grant.object == object && grant.grantee == grantee &&
        grant.grantor == grantor) {
      grant.grant_option = grant.grant_option || with_grant_option;
      return Status::OK();
    }
  }
  grants_.push_back(Grant{privilege, object, grantee, grantor, with_grant_option});
  return Status::OK();
}

std::vector<size_t> AccessControl::Unsupported() const {
  // Least fixpoint: a grant stands when its grantor owns the object, holds MANAGE_GRANTS, or holds
  // the privilege WITH GRANT OPTION through a grant that itself stands. Grants that only support
  // each other in a loop therefore fall together, as in PostgreSQL.
  std::vector<bool> stands(grants_.size(), false);
  bool changed = true;
  while (changed) {
    changed = false;
    for (size_t grant_idx = 0; grant_idx < grants_.size(); ++grant_idx) {
      if (stands[grant_idx]) continue;
      const Grant& grant = grants_[grant_idx];
      std::set<std::string> effective = roles_.EffectiveRoles(grant.grantor);
      std::optional<std::string> owner = OwnerOf(OwnedObjectFor(grant.object));
      bool ok = (owner && effective.count(*owner)) ||
                Check(grant.grantor, Privilege::kManageGrants, kOrganization).allowed;
      std::optional<ObjectRef> scope = CoveringScope(grant.object);
      for (size_t other_idx = 0; !ok && other_idx < grants_.size(); ++other_idx) {
        const Grant& other = grants_[other_idx];
        ok = stands[other_idx] && other_idx != grant_idx && other.grant_option &&
             other.privilege == grant.privilege && effective.count(other.grantee) &&
             (other.object == grant.object || (scope && other.object == *scope));
      }
      if (ok) stands[grant_idx] = changed = true;
    }
  }
  std::vector<size_t> unsupported;
  for (size_t grant_idx = 0; grant_idx < grants_.size(); ++grant_idx) {
    if (!stands[grant_idx]) unsupported.push_back(grant_idx);
  }
  return unsupported;
}

std::vector<Grant>::iterator AccessControl::FindMade(const std::string& grantor,
                                                     Privilege privilege, const ObjectRef& object,
                                                     const std::string& grantee) {
  return std::find_if(grants_.begin(), grants_.end(), [&](const Grant& grant) {
    return grant.privilege == privilege && grant.object == object && grant.grantee == grantee &&
           grant.grantor == grantor;
  });
}

Result<std::vector<Grant>> AccessControl::RevokePrivilege(const std::string& grantor,
                                                          Privilege privilege,
                                                          const ObjectRef& object,
                                                          const std::string& grantee,
                                                          DropBehavior behavior) {
  auto it = FindMade(grantor, privilege, object, grantee);
  if (it == grants_.end()) {
    return Status::Catalog("role " + Quote(grantor) + " has not granted " +
                           std::string(PrivilegeName(privilege)) + " on " + DescribeObject(object) +
                           " to " + Quote(grantee));
  }
  std::vector<Grant> before = grants_;
  Grant revoked = *it;
  grants_.erase(it);
  ASSIGN_OR_RETURN(std::vector<Grant> removed,
                   SettleDependents(std::move(before), behavior, "cannot revoke"));
  removed.insert(removed.begin(), revoked);
  return removed;
}

Result<std::vector<Grant>> AccessControl::SettleDependents(std::vector<Grant> before,
                                                           DropBehavior behavior,
                                                           const std::string& refusal) {
  std::vector<size_t> dependents = Unsupported();
  if (!dependents.empty() && behavior == DropBehavior::kRestrict) {
    std::string names;
    for (size_t grant_idx : dependents) {
      names += (names.empty() ? "" : "; ") + DescribeGrant(grants_[grant_idx]);
    }
    grants_ = std::move(before);
    return Status::Catalog(refusal + ": other grants depend on it: " + names +
                           " (use REVOKE ... CASCADE to revoke them too)");
  }
  std::vector<Grant> removed;
  for (auto dependent = dependents.rbegin(); dependent != dependents.rend(); ++dependent) {
    removed.push_back(grants_[*dependent]);
    grants_.erase(grants_.begin() + static_cast<std::ptrdiff_t>(*dependent));
  }
  return removed;
}

Result<std::vector<Grant>> AccessControl::RevokeGrantOption(const std::string& grantor,
                                                            Privilege privilege,
                                                            const ObjectRef& object,
                                                            const std::string& grantee,
                                                            DropBehavior behavior) {
  auto it = FindMade(grantor, privilege, object, grantee);
  if (it == grants_.end() || !it->grant_option) {
    return Status::Catalog("role " + Quote(grantor) + " has not granted " +
                           std::string(PrivilegeName(privilege)) + " on " + DescribeObject(object) +
                           " to " + Quote(grantee) + " WITH GRANT OPTION");
  }
  std::vector<Grant> before = grants_;
  it->grant_option = false;
  return SettleDependents(std::move(before), behavior, "cannot revoke the grant option");
}

Status AccessControl::TransferOwnership(const std::string& acting_role, const ObjectRef& object,
                                        const std::string& new_owner) {
  if (!roles_.HasRole(new_owner)) {
    return Status::Catalog("role " + Quote(new_owner) + " does not exist");
  }
  std::optional<std::string> owner = OwnerOf(object);
  if (!owner) return Status::Catalog(DescribeObject(object) + " has no owner record");
  if (!roles_.EffectiveRoles(acting_role).count(*owner) &&
      !Check(acting_role, Privilege::kManageGrants, kOrganization).allowed) {
    return Status::Permission("role " + Quote(acting_role) + " lacks OWNERSHIP on " +
                              DescribeObject(object));
  }
  for (Grant& grant : grants_) {
    if (grant.object == object && grant.grantor == *owner) grant.grantor = new_owner;
  }
  owners_[object] = new_owner;
  return Status::OK();
}

Status AccessControl::DropRole(const std::string& role) {
  std::vector<std::string> blockers;
  for (const auto& [object, owner] : owners_) {
    if (owner == role) blockers.push_back("owns " + DescribeObject(object));
  }
  for (const Grant& grant : grants_) {
    if (grant.grantor == role) blockers.push_back("granted " + DescribeGrant(grant));
  }
  if (!blockers.empty()) {
    std::string text;
    for (const std::string& blocker : blockers) text += (text.empty() ? "" : "; ") + blocker;
    return Status::Catalog(
        "cannot drop role " + Quote(role) + ": it " + text +
        " (transfer ownership with GRANT OWNERSHIP and revoke its grants first)");
  }
  RETURN_NOT_OK(roles_.DropRole(role));
  std::erase_if(grants_, [&](const Grant& grant) { return grant.grantee == role; });
  return Status::OK();
}

}  // namespace sluice::rbac
