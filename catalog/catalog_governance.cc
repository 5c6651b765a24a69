// Users, roles, role memberships and grants: durable rows for the rbac module. Checks beyond
// existence and uniqueness (cycles, grant options, who may grant) are rbac's.

#include "catalog/catalog.h"
#include "catalog/catalog_internal.h"
#include "common/clock.h"

namespace sluice {

using catalog_internal::Execute;
using catalog_internal::Quote;
using catalog_internal::SelectRow;
using catalog_internal::SelectRows;

namespace {

Result<UserInfo> ReadUser(const SqliteStatement& row) {
  UserInfo user;
  user.name = row.Text(0);
  if (!row.IsNull(1)) user.scram_verifier = row.Text(1);
  user.default_role = row.Text(2);
  return user;
}

Result<RoleInfo> ReadRole(const SqliteStatement& row) {
  return RoleInfo{row.Text(0), row.Int(1) != 0};
}

Result<RoleMembershipInfo> ReadMembership(const SqliteStatement& row) {
  return RoleMembershipInfo{row.Text(0), row.Text(1), row.Text(2)};
}

Result<GrantInfo> ReadGrant(const SqliteStatement& row) {
  return GrantInfo{row.Text(0), row.Text(1), row.Text(2),
                   row.Text(3), row.Text(4), row.Int(5) != 0};
}

}  // namespace

Status Catalog::CreateUser(const UserInfo& user) {
  ASSIGN_OR_RETURN(std::optional<UserInfo> existing, FindUser(user.name));
  if (existing) return Status::Catalog("user " + Quote(user.name) + " already exists");
  ASSIGN_OR_RETURN(SqliteStatement insert,
                   SqliteStatement::Make(*connection_,
                                         "INSERT INTO users (name, scram_verifier, default_role, "
                                         "created_at) VALUES (?, ?, ?, ?)",
                                         user.name, std::nullopt,
                                         user.default_role.empty() ? "public" : user.default_role,
                                         CurrentTimeMillis()));
  RETURN_NOT_OK(insert.Run());
  return SetUserVerifier(user.name, user.scram_verifier);
}

Status Catalog::SetUserVerifier(const std::string& name,
                                const std::optional<std::string>& verifier) {
  ASSIGN_OR_RETURN(
      SqliteStatement update,
      SqliteStatement::Prepare(*connection_, "UPDATE users SET scram_verifier = ? WHERE name = ?"));
  if (verifier) {
    update.Bind(1, *verifier);
  } else {
    update.Bind(1, std::nullopt);
  }
  update.Bind(2, name);
  RETURN_NOT_OK(update.Run());
  if (connection_->changes() == 0)
    return Status::Catalog("user " + Quote(name) + " does not exist");
  return Status::OK();
}

Status Catalog::SetUserDefaultRole(const std::string& name, const std::string& role) {
  RETURN_NOT_OK(
      Execute(*connection_, "UPDATE users SET default_role = ? WHERE name = ?", role, name));
  if (connection_->changes() == 0)
    return Status::Catalog("user " + Quote(name) + " does not exist");
  return Status::OK();
}

Result<std::optional<UserInfo>> Catalog::FindUser(const std::string& name) {
  return SelectRow<UserInfo>(*connection_, ReadUser,
                             "SELECT name, scram_verifier, default_role FROM users WHERE name = ?",
                             name);
}

Result<std::vector<UserInfo>> Catalog::ListUsers() {
  return SelectRows<UserInfo>(*connection_, ReadUser,
                              "SELECT name, scram_verifier, default_role FROM users ORDER BY name");
}

Status Catalog::DropUser(const std::string& name) {
  return RunInTransaction([&]() -> Status {
    RETURN_NOT_OK(Execute(*connection_, "DELETE FROM users WHERE name = ?", name));
    if (connection_->changes() == 0) {
      return Status::Catalog("user " + Quote(name) + " does not exist");
    }
    return Execute(*connection_,
                   "DELETE FROM role_members WHERE member_kind = 'USER' AND member = ?", name);
  });
}

Status Catalog::CreateRole(const std::string& name) {
  ASSIGN_OR_RETURN(std::optional<RoleInfo> existing,
                   SelectRow<RoleInfo>(*connection_, ReadRole,
                                       "SELECT name, builtin FROM roles WHERE name = ?", name));
  if (existing) return Status::Catalog("role " + Quote(name) + " already exists");
  return Execute(*connection_, "INSERT INTO roles (name, builtin, created_at) VALUES (?, 0, ?)",
                 name, CurrentTimeMillis());
}

Result<std::vector<RoleInfo>> Catalog::ListRoles() {
  return SelectRows<RoleInfo>(*connection_, ReadRole,
                              "SELECT name, builtin FROM roles ORDER BY name");
}

Status Catalog::DropRole(const std::string& name) {
  return RunInTransaction([&]() -> Status {
    ASSIGN_OR_RETURN(std::optional<RoleInfo> existing,
                     SelectRow<RoleInfo>(*connection_, ReadRole,
                                         "SELECT name, builtin FROM roles WHERE name = ?", name));
    if (!existing) return Status::Catalog("role " + Quote(name) + " does not exist");
    if (existing->builtin) return Status::Catalog("cannot drop built-in role " + Quote(name));
    // Rows that reference the role go first (foreign keys). Grants it made are rbac's to refuse.
    RETURN_NOT_OK(Execute(*connection_,
                          "DELETE FROM role_members WHERE role = ?1 OR "
                          "(member_kind = 'ROLE' AND member = ?1)",
                          name));
    RETURN_NOT_OK(Execute(*connection_, "DELETE FROM grants WHERE grantee = ?", name));
    return Execute(*connection_, "DELETE FROM roles WHERE name = ?", name);
  });
}

Status Catalog::AddRoleMember(const RoleMembershipInfo& membership) {
  return Execute(*connection_,
                 "INSERT OR IGNORE INTO role_members (role, member_kind, member) VALUES (?, ?, ?)",
                 membership.role, membership.member_kind, membership.member);
}

Status Catalog::RemoveRoleMember(const RoleMembershipInfo& membership) {
  return Execute(*connection_,
                 "DELETE FROM role_members WHERE role = ? AND member_kind = ? AND member = ?",
                 membership.role, membership.member_kind, membership.member);
}

Result<std::vector<RoleMembershipInfo>> Catalog::ListRoleMembers() {
  return SelectRows<RoleMembershipInfo>(
      *connection_, ReadMembership,
      "SELECT role, member_kind, member FROM role_members ORDER BY role, member_kind, member");
}

Status Catalog::PutGrant(const GrantInfo& grant) {
  return Execute(*connection_,
                 "INSERT INTO grants (privilege, object_kind, object_name, grantee, grantor, "
                 "grant_option) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET "
                 "grant_option = MAX(grant_option, excluded.grant_option)",
                 grant.privilege, grant.object_kind, grant.object_name, grant.grantee,
                 grant.grantor, grant.grant_option ? 1 : 0);
}

Status Catalog::RemoveGrant(const GrantInfo& grant) {
  return Execute(*connection_,
                 "DELETE FROM grants WHERE privilege = ? AND object_kind = ? AND object_name = ? "
                 "AND grantee = ? AND grantor = ?",
                 grant.privilege, grant.object_kind, grant.object_name, grant.grantee,
                 grant.grantor);
}

Result<std::vector<GrantInfo>> Catalog::ListGrants() {
  return SelectRows<GrantInfo>(*connection_, ReadGrant,
                               "SELECT privilege, object_kind, object_name, grantee, grantor, "
                               "grant_option FROM grants ORDER BY object_kind, object_name, "
                               "privilege, grantee, grantor");
}

Status Catalog::SetOwner(OwnedObjectKind kind, int64_t id, const std::string& owner) {
  const char* table = "databases";
  switch (kind) {
    case OwnedObjectKind::kDatabase: table = "databases"; break;
    case OwnedObjectKind::kSchema: table = "schemas"; break;
    case OwnedObjectKind::kRelation: table = "relations"; break;
    case OwnedObjectKind::kStore: table = "stores"; break;
    case OwnedObjectKind::kQuery: table = "queries"; break;
  }
  RETURN_NOT_OK(Execute(*connection_,
                        "UPDATE " + std::string(table) + " SET owner = ? WHERE id = ?", owner, id));
  if (connection_->changes() == 0) {
    return Status::Catalog("no " + std::string(table) + " row with id " + std::to_string(id));
  }
  return Status::OK();
}

}  // namespace sluice
