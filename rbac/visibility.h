#pragma once
// Which objects a role may know exist. SHOW lists only these, and a statement naming an object
// the role cannot see fails as if the object did not exist, so denials are no existence oracle.
// A role sees an object when it holds anything on it (a privilege, directly, through a role or a
// schema-wide grant, or ownership) or on something inside it (a database holding a schema or
// relation the role may use); MANAGE_GRANTS sees everything, since it could grant itself access.

#include <string>

#include "rbac/access_control.h"

namespace sluice::rbac {

// REQUIRES: `object` is a concrete kind (DATABASE, SCHEMA, RELATION, STORE, QUERY, ORGANIZATION).
bool CanSee(const AccessControl& access, const std::string& role, const ObjectRef& object);

}  // namespace sluice::rbac
