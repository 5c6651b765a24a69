#include "rbac/visibility.h"

#include <set>

namespace sluice::rbac {

namespace {

// Whether `name` is `container` or lies inside it ("shop.raw.pv" inside "shop" and "shop.raw").
bool Within(const std::string& name, const std::string& container) {
  return name == container ||
         (name.size() > container.size() && name.compare(0, container.size(), container) == 0 &&
          name[container.size()] == '.');
}

bool IsDataKind(ObjectKind kind) {
  return kind == ObjectKind::kDatabase || kind == ObjectKind::kSchema ||
         kind == ObjectKind::kRelation || kind == ObjectKind::kAllRelationsInSchema ||
         kind == ObjectKind::kAllSchemasInDatabase;
}

// For a database or schema: any grant to, or ownership by, the roles in `effective` on it or
// on anything inside it.
bool HoldsAnythingWithin(const AccessControl& access, const std::set<std::string>& effective,
                         const ObjectRef& container) {
  for (const Grant& grant : access.grants()) {
    if (effective.count(grant.grantee) && IsDataKind(grant.object.kind) &&
        Within(grant.object.name, container.name)) {
      return true;
    }
  }
  for (const auto& [object, owner] : access.owners()) {
    if (effective.count(owner) && IsDataKind(object.kind) && Within(object.name, container.name))
      return true;
  }
  return false;
}

}  // namespace

bool CanSee(const AccessControl& access, const std::string& role, const ObjectRef& object) {
  const ObjectRef organization{ObjectKind::kOrganization, ""};
  if (object.kind == ObjectKind::kOrganization) return true;
  if (access.Check(role, Privilege::kManageGrants, organization).allowed) return true;
  std::set<std::string> effective = access.roles().EffectiveRoles(role);
  switch (object.kind) {
    case ObjectKind::kDatabase:
    case ObjectKind::kSchema:
      if (HoldsAnythingWithin(access, effective, object)) return true;
      break;
    case ObjectKind::kQuery:
      if (access.Check(role, Privilege::kManageQueries, organization).allowed) return true;
      break;
    default: break;
  }
  for (int value = 0; value <= static_cast<int>(Privilege::kOwnership); ++value) {
    Privilege privilege = static_cast<Privilege>(value);
    if (privilege != Privilege::kOwnership && !PrivilegeAppliesTo(privilege, object.kind)) continue;
    if (access.Check(role, privilege, object).allowed) return true;
  }
  return false;
}

}  // namespace sluice::rbac
