#pragma once
// Which roles hold which roles. A role holds every role granted to it, transitively, to any depth;
// PUBLIC is held by every role without being recorded. Grants that would make a role hold itself
// are refused with the cycle spelled out, so the graph stays a DAG and walks always end.

#include <map>
#include <set>
#include <string>
#include <vector>

#include "common/status.h"

namespace sluice::rbac {

inline constexpr const char* kOrgAdmin = "orgadmin";
inline constexpr const char* kSysAdmin = "sysadmin";
inline constexpr const char* kSecurityAdmin = "securityadmin";
inline constexpr const char* kUserAdmin = "useradmin";
inline constexpr const char* kPublic = "public";

class RoleGraph {
 public:
  // A graph with the built-in roles and their inheritance (ORGADMIN > SYSADMIN, SECURITYADMIN >
  // USERADMIN).
  static RoleGraph WithBuiltins();

  bool HasRole(const std::string& role) const { return roles_.count(role) > 0; }
  static bool IsBuiltin(const std::string& role);
  Status CreateRole(const std::string& role);
  // REQUIRES: the caller has checked that the role owns nothing and granted nothing.
  Status DropRole(const std::string& role);
  // `member` gains `role`. Refuses unknown roles, PUBLIC and cycles ("a -> b -> a").
  Status Grant(const std::string& role, const std::string& member);
  Status Revoke(const std::string& role, const std::string& member);

  // `role` itself, every role it holds transitively, and PUBLIC.
  std::set<std::string> EffectiveRoles(const std::string& role) const;
  // The chain of memberships by which `role` holds `held` ("analyst <- engineer <- lead" read as
  // lead holds engineer holds analyst), from `role` to `held`; empty when it does not hold it.
  std::vector<std::string> PathTo(const std::string& role, const std::string& held) const;
  const std::set<std::string>& roles() const { return roles_; }
  // Direct memberships: member -> roles granted to it.
  const std::map<std::string, std::set<std::string>>& memberships() const { return granted_; }

 private:
  std::set<std::string> roles_;
  std::map<std::string, std::set<std::string>> granted_;  // member -> roles it was granted
};

}  // namespace sluice::rbac
