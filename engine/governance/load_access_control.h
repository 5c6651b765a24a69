#pragma once
// Builds the rbac model from what the catalog stores: roles and role memberships (users hold
// roles like roles do, under their own name), grants, and the owner of every database, schema,
// relation, store and query. The engine rebuilds it whenever governance rows change.

#include <memory>

#include "catalog/catalog.h"
#include "rbac/access_control.h"

namespace sluice {

// REQUIRES: the catalog mutex is held. Users appear as roles named "user:<name>" so that a user
// and a role may share a name without sharing privileges.
Result<std::unique_ptr<rbac::AccessControl>> LoadAccessControl(Catalog& catalog);

// A grant as the catalog stores it.
GrantInfo ToGrantInfo(const rbac::Grant& grant);

// The rbac role that stands for `user`.
std::string UserRoleName(const std::string& user);

}  // namespace sluice
