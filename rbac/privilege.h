#pragma once
// Privileges and the securable objects they are granted on. A securable is named by its kind and
// its qualified name ("shop", "shop.raw", "shop.raw.pageviews"); two scope kinds stand for every
// relation of a schema and every schema of a database, now and in the future.

#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace sluice::rbac {

enum class Privilege {
  kCreateDatabase,
  kCreateStore,
  kCreateRole,
  kCreateUser,
  kManageGrants,
  kManageQueries,
  kReadAudit,
  kUsage,
  kCreateSchema,
  kCreate,
  kSelect,
  kInsert,
  kOperate,
  kMonitor,
  kOwnership,
};

enum class ObjectKind {
  kOrganization,
  kDatabase,
  kSchema,
  kRelation,
  kStore,
  kQuery,
  kRole,
  kUser,
  kAllRelationsInSchema,  // name is the schema's "db.schema"
  kAllSchemasInDatabase,  // name is the database's name
};

struct ObjectRef {
  ObjectKind kind = ObjectKind::kOrganization;
  std::string name;  // qualified; empty for the organization

  bool operator==(const ObjectRef&) const = default;
  auto operator<=>(const ObjectRef&) const = default;
};

// "SELECT", "CREATE_DATABASE", ... as written in SQL and shown in messages.
std::string_view PrivilegeName(Privilege privilege);
Result<Privilege> ParsePrivilege(std::string_view name);    // case-insensitive
std::string_view ObjectKindName(ObjectKind kind);           // "RELATION", "ALL RELATIONS IN SCHEMA"
Result<ObjectKind> ParseObjectKind(std::string_view name);  // the inverse of ObjectKindName
// Whether `privilege` can be granted on objects of `kind` (OWNERSHIP on every concrete kind; the
// scope kinds take their members' privileges).
bool PrivilegeAppliesTo(Privilege privilege, ObjectKind kind);
// "shop.raw.pageviews", "ORGANIZATION", "ALL RELATIONS IN SCHEMA shop.raw".
std::string DescribeObject(const ObjectRef& object);

// The schema-wide scope that covers `object` (a relation's schema, a schema's database), if any.
std::optional<ObjectRef> CoveringScope(const ObjectRef& object);

}  // namespace sluice::rbac
