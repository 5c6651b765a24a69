#pragma once
// The governance model in memory: roles (RoleGraph), privilege grants with their grantor and
// grant option, and object owners. It answers "may role R do P on O?" with the path of grants that
// allows it, and applies GRANT/REVOKE with PostgreSQL's grant-option rules: a grantor needs
// ownership, MANAGE_GRANTS or the privilege WITH GRANT OPTION, and REVOKE RESTRICT refuses while
// grants made on the strength of the revoked one would lose their footing (CASCADE removes them).
// The catalog persists the same rows; the engine keeps this object in step with it.

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/status.h"
#include "rbac/privilege.h"
#include "rbac/role_graph.h"

namespace sluice::rbac {

struct Grant {
  Privilege privilege;
  ObjectRef object;
  std::string grantee;  // a role
  std::string grantor;  // the role that granted it
  bool grant_option = false;

  bool operator==(const Grant&) const = default;
};

std::string DescribeGrant(const Grant& grant);  // "SELECT ON shop.raw.pv TO analyst BY sysadmin"

struct AccessDecision {
  bool allowed = false;
  // How it is allowed, one step per line: role chain, then the grant or ownership that applies.
  std::vector<std::string> path;
};

enum class DropBehavior { kRestrict, kCascade };

class AccessControl {
 public:
  // The built-in roles, ORGADMIN owning the ORGANIZATION, and the organization privileges of the
  // built-in roles: SYSADMIN creates objects and manages queries, SECURITYADMIN manages grants and
  // reads the audit log, USERADMIN creates users and roles.
  AccessControl();

  RoleGraph& roles() { return roles_; }
  const RoleGraph& roles() const { return roles_; }
  const std::vector<Grant>& grants() const { return grants_; }

  // --- Ownership -------------------------------------------------------------------------------
  void SetOwner(const ObjectRef& object, const std::string& role) { owners_[object] = role; }
  void ForgetObject(const ObjectRef& object);  // the object was dropped: its owner and grants go
  std::optional<std::string> OwnerOf(const ObjectRef& object) const;
  // GRANT OWNERSHIP: `acting_role` must own the object (through inheritance) or hold
  // MANAGE_GRANTS. Existing grants stay, their grantor becomes the new owner (PostgreSQL).
  Status TransferOwnership(const std::string& acting_role, const ObjectRef& object,
                           const std::string& new_owner);

  // --- Checks ----------------------------------------------------------------------------------
  // Whether `role` (with everything it inherits) holds `privilege` on `object`: directly, through
  // a schema-wide grant, as its owner, or for ORGANIZATION privileges through ORGADMIN's and the
  // built-in roles' privileges.
  AccessDecision Check(const std::string& role, Privilege privilege, const ObjectRef& object) const;
  // Check, but as a PERMISSION error: `role "x" lacks SELECT on shop.raw.pv`.
  Status Require(const std::string& role, Privilege privilege, const ObjectRef& object) const;
  // Reaching a relation: USAGE on its database and schema plus `privilege` on it.
  Status RequireOnRelation(const std::string& role, Privilege privilege,
                           const std::string& qualified_relation) const;
  // How `role` holds `held`: "lead -> engineer -> analyst", or "lead -> public" for PUBLIC.
  std::string RoleChain(const std::string& role, const std::string& held) const;
  // Whether `role` may grant `privilege` on `object` to others.
  bool CanGrant(const std::string& role, Privilege privilege, const ObjectRef& object) const;

  // --- Grants ----------------------------------------------------------------------------------
  // `grantor` is the acting (current) role. A repeated grant only upgrades the grant option.
  Status GrantPrivilege(const std::string& grantor, Privilege privilege, const ObjectRef& object,
                        const std::string& grantee, bool with_grant_option);
  // Removes the grant `grantor` made; RESTRICT fails naming the grants that depend on it, CASCADE
  // removes those too (only the ones that no longer trace back to a valid grantor). Returns every
  // grant removed.
  Result<std::vector<Grant>> RevokePrivilege(const std::string& grantor, Privilege privilege,
                                             const ObjectRef& object, const std::string& grantee,
                                             DropBehavior behavior);
  // REVOKE GRANT OPTION FOR: the grant stays, without its grant option; grants made on the
  // strength of it follow RESTRICT/CASCADE as in RevokePrivilege. Returns the grants removed.
  Result<std::vector<Grant>> RevokeGrantOption(const std::string& grantor, Privilege privilege,
                                               const ObjectRef& object, const std::string& grantee,
                                               DropBehavior behavior);
  // DROP ROLE: refuses, naming them, while the role owns objects or is the grantor of grants.
  Status DropRole(const std::string& role);

  // Restores persisted rows (no checks): used when loading from the catalog.
  void RestoreGrant(const Grant& grant) { grants_.push_back(grant); }
  const std::map<ObjectRef, std::string>& owners() const { return owners_; }

 private:
  // A grant of `role` (via its effective roles) that confers `privilege` on `object`.
  const Grant* FindGrant(const std::set<std::string>& effective, Privilege privilege,
                         const ObjectRef& object, bool need_grant_option) const;
  // The grant `grantor` made of `privilege` on `object` to `grantee`, or grants_.end().
  std::vector<Grant>::iterator FindMade(const std::string& grantor, Privilege privilege,
                                        const ObjectRef& object, const std::string& grantee);
  // After a grant was removed or lost its option: RESTRICT puts `before` back and fails naming
  // the grants that lost their footing ("<refusal>: other grants depend on it: ..."); CASCADE
  // removes them and returns them.
  Result<std::vector<Grant>> SettleDependents(std::vector<Grant> before, DropBehavior behavior,
                                              const std::string& refusal);
  // Grants whose grantor no longer may grant them, given the current grants.
  std::vector<size_t> Unsupported() const;

  RoleGraph roles_;
  std::vector<Grant> grants_;
  std::map<ObjectRef, std::string> owners_;
};

}  // namespace sluice::rbac
