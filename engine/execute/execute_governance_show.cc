// SHOW ROLES, SHOW USERS and SHOW GRANTS [TO ROLE r | TO USER u | ON object]. Every grant row
// says how the subject holds it (`via`: the role chain, as CAN I explains it), and what the
// subject owns is listed as OWNERSHIP rows, since the owner holds every privilege.

#include "engine/execute/statement_executor.h"
#include "engine/governance/load_access_control.h"

namespace sluice {

namespace {

const rbac::ObjectRef kOrganization{rbac::ObjectKind::kOrganization, ""};

std::string Quote(const std::string& name) { return "\"" + name + "\""; }

Schema TextColumns(std::initializer_list<const char*> names) {
  Schema schema;
  for (const char* name : names) schema.Add(Field{name, DataType::Varchar()});
  return schema;
}

Value Text(std::string text) { return Value::Varchar(std::move(text)); }

// "user:bob" reads "bob" in listings.
std::string RoleLabel(const std::string& role) {
  return role.rfind("user:", 0) == 0 ? role.substr(5) : role;
}

std::string Held(const rbac::AccessControl& access, const std::string& member) {
  std::string held;
  auto it = access.roles().memberships().find(member);
  if (it != access.roles().memberships().end()) {
    for (const std::string& name : it->second) held += (held.empty() ? "" : ", ") + name;
  }
  return held;
}

std::vector<Value> GrantRow(const rbac::Grant& grant, const std::string& via) {
  return {Text(std::string(rbac::PrivilegeName(grant.privilege))),
          Text(std::string(rbac::ObjectKindName(grant.object.kind))),
          Text(grant.object.name),
          Text(RoleLabel(grant.grantee)),
          Text(grant.grantor),
          Text(grant.grant_option ? "yes" : "no"),
          Text(via)};
}

std::vector<Value> OwnerRow(const rbac::ObjectRef& object, const std::string& owner,
                            const std::string& via) {
  return {Text("OWNERSHIP"), Text(std::string(rbac::ObjectKindName(object.kind))),
          Text(object.name), Text(owner),
          Text(""),          Text("yes"),
          Text(via)};
}

}  // namespace

Status StatementExecutor::ShowGovernance(const ShowGovernanceStatement& statement) {
  std::lock_guard<std::mutex> lock(engine_.catalog_mutex());
  Catalog& catalog = engine_.catalog();
  ASSIGN_OR_RETURN(std::unique_ptr<rbac::AccessControl> access, LoadAccessControl(catalog));
  const std::string& acting = session_.role();
  const bool manage = access->Check(acting, rbac::Privilege::kManageGrants, kOrganization).allowed;
  std::vector<std::vector<Value>> rows;
  switch (statement.what) {
    case ShowGovernanceKind::kRoles: {
      ASSIGN_OR_RETURN(std::vector<RoleInfo> roles, catalog.ListRoles());
      for (const RoleInfo& role : roles) {
        rows.push_back(
            {Text(role.name), Text(role.builtin ? "yes" : "no"), Text(Held(*access, role.name))});
      }
      return EmitRows(TextColumns({"name", "builtin", "holds"}), rows);
    }
    case ShowGovernanceKind::kUsers: {
      RETURN_NOT_OK(
          AuditGovernance("access SHOW USERS", "ORGANIZATION",
                          access->Require(acting, rbac::Privilege::kCreateUser, kOrganization),
                          statement.position));
      ASSIGN_OR_RETURN(std::vector<UserInfo> users, catalog.ListUsers());
      for (const UserInfo& user : users) {
        rows.push_back({Text(user.name), Text(user.default_role),
                        Text(Held(*access, UserRoleName(user.name))),
                        Text(user.scram_verifier ? "yes" : "no")});
      }
      return EmitRows(TextColumns({"name", "default_role", "roles", "password"}), rows);
    }
    case ShowGovernanceKind::kGrants: break;
  }
  const Schema grant_columns = TextColumns(
      {"privilege", "object_kind", "object", "grantee", "grantor", "grant_option", "via"});

  if (!statement.object_kind.empty()) {
    // SHOW GRANTS ON object: who holds what on it, for its owner and MANAGE_GRANTS; an object the
    // session cannot see reads as missing.
    ASSIGN_OR_RETURN(
        rbac::ObjectRef object,
        BindNamedObject(statement.object_kind, statement.object, statement.object_position));
    RETURN_NOT_OK(RequireVisible(object, statement.object.parts.empty()
                                             ? statement.object_position
                                             : statement.object.position));
    Status decision;
    if (!manage) decision = access->Require(acting, rbac::Privilege::kOwnership, object);
    RETURN_NOT_OK(AuditGovernance("access SHOW GRANTS", rbac::DescribeObject(object), decision,
                                  statement.object_position));
    if (std::optional<std::string> owner = access->OwnerOf(object)) {
      rows.push_back(OwnerRow(object, *owner, *owner));
    }
    std::optional<rbac::ObjectRef> scope = rbac::CoveringScope(object);
    for (const rbac::Grant& grant : access->grants()) {
      if (grant.object == object || (scope && grant.object == *scope)) {
        rows.push_back(GrantRow(grant, RoleLabel(grant.grantee)));
      }
    }
    return EmitRows(grant_columns, rows);
  }

  // SHOW GRANTS: the current role's grants (itself and through the roles it holds), or those of a
  // named role or user, which takes holding that role (being that user) or MANAGE_GRANTS.
  std::string subject = acting;
  if (statement.grantee) {
    if (statement.grantee_is_user) {
      ASSIGN_OR_RETURN(std::optional<UserInfo> user, catalog.FindUser(statement.grantee->name));
      if (!user) {
        return Status::Catalog("user " + Quote(statement.grantee->name) + " does not exist",
                               statement.grantee->position);
      }
      subject = UserRoleName(user->name);
    } else {
      RETURN_NOT_OK(RequireKnownRole(*access, *statement.grantee));
      subject = statement.grantee->name;
    }
    const bool own = statement.grantee_is_user
                         ? statement.grantee->name == session_.user()
                         : access->roles().EffectiveRoles(acting).count(subject);
    Status decision;
    if (!own && !manage) {
      decision = Status::Permission("role " + Quote(acting) + " may not see the grants of " +
                                    (statement.grantee_is_user ? "user " : "role ") +
                                    Quote(statement.grantee->name) +
                                    " (it needs to hold it, or MANAGE_GRANTS)");
    }
    RETURN_NOT_OK(AuditGovernance(
        "access SHOW GRANTS",
        (statement.grantee_is_user ? "USER " : "ROLE ") + Quote(statement.grantee->name), decision,
        statement.grantee->position));
  }
  std::set<std::string> effective = access->roles().EffectiveRoles(subject);
  for (const auto& [object, owner] : access->owners()) {
    if (effective.count(owner) && object.kind != rbac::ObjectKind::kOrganization) {
      rows.push_back(OwnerRow(object, owner, RoleLabel(access->RoleChain(subject, owner))));
    }
  }
  for (const rbac::Grant& grant : access->grants()) {
    if (!effective.count(grant.grantee)) continue;
    std::string via = access->RoleChain(subject, grant.grantee);
    if (subject.rfind("user:", 0) == 0) via = RoleLabel(via);
    rows.push_back(GrantRow(grant, via));
  }
  return EmitRows(grant_columns, rows);
}

}  // namespace sluice
