#include "rbac/privilege.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <utility>

namespace sluice::rbac {

namespace {

constexpr std::array<std::pair<Privilege, std::string_view>, 15> kPrivilegeNames = {{
    {Privilege::kCreateDatabase, "CREATE_DATABASE"},
    {Privilege::kCreateStore, "CREATE_STORE"},
    {Privilege::kCreateRole, "CREATE_ROLE"},
    {Privilege::kCreateUser, "CREATE_USER"},
    {Privilege::kManageGrants, "MANAGE_GRANTS"},
    {Privilege::kManageQueries, "MANAGE_QUERIES"},
    {Privilege::kReadAudit, "READ_AUDIT"},
    {Privilege::kUsage, "USAGE"},
    {Privilege::kCreateSchema, "CREATE_SCHEMA"},
    {Privilege::kCreate, "CREATE"},
    {Privilege::kSelect, "SELECT"},
    {Privilege::kInsert, "INSERT"},
    {Privilege::kOperate, "OPERATE"},
    {Privilege::kMonitor, "MONITOR"},
    {Privilege::kOwnership, "OWNERSHIP"},
}};

// The object kind whose privileges a scope kind grants.
ObjectKind MemberKind(ObjectKind kind) {
  switch (kind) {
    case ObjectKind::kAllRelationsInSchema: return ObjectKind::kRelation;
    case ObjectKind::kAllSchemasInDatabase: return ObjectKind::kSchema;
    default: return kind;
  }
}

}  // namespace

std::string_view PrivilegeName(Privilege privilege) {
  for (const auto& [value, name] : kPrivilegeNames) {
    if (value == privilege) return name;
  }
  return "?";
}

Result<Privilege> ParsePrivilege(std::string_view name) {
  std::string upper(name);
  std::transform(upper.begin(), upper.end(), upper.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  for (const auto& [value, known] : kPrivilegeNames) {
    if (known == upper) return value;
  }
  return Status::Binder("unknown privilege \"" + std::string(name) + "\"");
}

std::string_view ObjectKindName(ObjectKind kind) {
  switch (kind) {
    case ObjectKind::kOrganization: return "ORGANIZATION";
    case ObjectKind::kDatabase: return "DATABASE";
    case ObjectKind::kSchema: return "SCHEMA";
    case ObjectKind::kRelation: return "RELATION";
    case ObjectKind::kStore: return "STORE";
    case ObjectKind::kQuery: return "QUERY";
    case ObjectKind::kRole: return "ROLE";
    case ObjectKind::kUser: return "USER";
    case ObjectKind::kAllRelationsInSchema: return "ALL RELATIONS IN SCHEMA";
    case ObjectKind::kAllSchemasInDatabase: return "ALL SCHEMAS IN DATABASE";
  }
  return "?";
}

Result<ObjectKind> ParseObjectKind(std::string_view name) {
  for (int kind = 0; kind <= static_cast<int>(ObjectKind::kAllSchemasInDatabase); ++kind) {
    if (ObjectKindName(static_cast<ObjectKind>(kind)) == name) return static_cast<ObjectKind>(kind);
  }
  return Status::Internal("unknown object kind \"" + std::string(name) + "\" in a stored grant");
}

bool PrivilegeAppliesTo(Privilege privilege, ObjectKind kind) {
  ObjectKind member = MemberKind(kind);
  if (privilege == Privilege::kOwnership) return member == kind;  // no schema-wide ownership
  switch (member) {
    case ObjectKind::kOrganization: return privilege <= Privilege::kReadAudit;
    case ObjectKind::kDatabase:
      return privilege == Privilege::kUsage || privilege == Privilege::kCreateSchema;
    case ObjectKind::kSchema:
      return privilege == Privilege::kUsage || privilege == Privilege::kCreate;
    case ObjectKind::kRelation:
      return privilege == Privilege::kSelect || privilege == Privilege::kInsert;
    case ObjectKind::kStore: return privilege == Privilege::kUsage;
    case ObjectKind::kQuery:
      return privilege == Privilege::kOperate || privilege == Privilege::kMonitor;
    default: return false;
  }
}

std::string DescribeObject(const ObjectRef& object) {
  switch (object.kind) {
    case ObjectKind::kOrganization: return "ORGANIZATION";
    case ObjectKind::kAllRelationsInSchema:
    case ObjectKind::kAllSchemasInDatabase:
      return std::string(ObjectKindName(object.kind)) + " " + object.name;
    case ObjectKind::kRelation:
      return object.name;  // messages read "lacks SELECT on shop.raw.pageviews"
    case ObjectKind::kRole:
    case ObjectKind::kUser:
      return std::string(ObjectKindName(object.kind)) + " \"" + object.name + "\"";
    default: return std::string(ObjectKindName(object.kind)) + " " + object.name;
  }
}

std::optional<ObjectRef> CoveringScope(const ObjectRef& object) {
  size_t dot = object.name.rfind('.');
  if (dot == std::string::npos) return std::nullopt;
  if (object.kind == ObjectKind::kRelation) {
    return ObjectRef{ObjectKind::kAllRelationsInSchema, object.name.substr(0, dot)};
  }
  if (object.kind == ObjectKind::kSchema) {
    return ObjectRef{ObjectKind::kAllSchemasInDatabase, object.name.substr(0, dot)};
  }
  return std::nullopt;
}

}  // namespace sluice::rbac
