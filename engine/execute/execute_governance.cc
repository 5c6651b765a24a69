// Governance statements: roles, users, role membership, privilege grants, USE ROLE and the SHOW
// lists. Each loads the rbac model from the catalog, lets it decide (grant options, cycles,
// RESTRICT/CASCADE), audits the decision, and only then writes the catalog rows.

#include "catalog/name_suggestion.h"
#include "engine/execute/statement_executor.h"
#include "engine/governance/load_access_control.h"
#include "rbac/audit_log.h"
#include "rbac/scram.h"

namespace sluice {

namespace {

const rbac::ObjectRef kOrganization{rbac::ObjectKind::kOrganization, ""};

std::string Quote(const std::string& name) { return "\"" + name + "\""; }

// Roles as users see them: the per-user roles ("user:<name>") stay hidden.
std::vector<std::string> VisibleRoles(const rbac::AccessControl& access) {
  std::vector<std::string> names;
  for (const std::string& role : access.roles().roles()) {
    if (role.find(':') == std::string::npos) names.push_back(role);
  }
  return names;
}

Result<std::vector<std::string>> UserNames(Catalog& catalog) {
  ASSIGN_OR_RETURN(std::vector<UserInfo> users, catalog.ListUsers());
  std::vector<std::string> names;
  for (const UserInfo& user : users) names.push_back(user.name);
  return names;
}

}  // namespace

Status StatementExecutor::UnknownName(const std::string& what, const std::string& name,
                                      const std::vector<std::string>& known, int64_t position) {
  std::string message = what + " " + Quote(name) + " does not exist";
  if (std::optional<std::string> close = ClosestName(name, known)) {
    message += " (did you mean " + Quote(*close) + "?)";
  }
  return Status::Catalog(message, position);
}

Status StatementExecutor::RequireKnownRole(const rbac::AccessControl& access,
                                           const Identifier& role) {
  if (role.name.find(':') == std::string::npos && access.roles().HasRole(role.name)) {
    return Status::OK();
  }
  return UnknownName("role", role.name, VisibleRoles(access), role.position);
}

Status StatementExecutor::AuditGovernance(const std::string& action, const std::string& object,
                                          const Status& decision, int64_t position) {
  rbac::AuditRecord record;
  record.user = session_.user();
  record.role = session_.role();
  record.client = "local";
  record.action = action;
  record.object = object;
  record.result = decision.ok() ? "allowed" : "denied: " + decision.message();
  RETURN_NOT_OK(engine_.audit_log().Append(std::move(record)));
  return decision.ok() ? decision : decision.WithPosition(position);
}

Status StatementExecutor::CreateRole(const CreateRoleStatement& statement) {
  std::lock_guard<std::mutex> lock(engine_.catalog_mutex());
  const std::string& name = statement.name.name;
  RETURN_NOT_OK(RequireStatement(rbac::StatementKind::kCreateRole, {}, "ROLE " + Quote(name),
                                 statement.position));
  // "user:<name>" is how a user appears among roles (load_access_control.h).
  if (name.find(':') != std::string::npos) {
    return Status::Binder("a role name may not contain ':'", statement.name.position);
  }
  RETURN_NOT_OK(engine_.catalog().CreateRole(name).WithPosition(statement.name.position));
  handler_.OnCommandComplete("CREATE ROLE");
  return Status::OK();
}

Status StatementExecutor::CreateUser(const CreateUserStatement& statement) {
  std::lock_guard<std::mutex> lock(engine_.catalog_mutex());
  const std::string& name = statement.name.name;
  RETURN_NOT_OK(RequireStatement(rbac::StatementKind::kCreateUser, {}, "USER " + Quote(name),
                                 statement.position));
  UserInfo user;
  user.name = name;
  if (statement.password) {
    ASSIGN_OR_RETURN(user.scram_verifier, rbac::MakeScramVerifier(*statement.password));
  }
  RETURN_NOT_OK(engine_.catalog().CreateUser(user).WithPosition(statement.name.position));
  handler_.OnCommandComplete("CREATE USER");
  return Status::OK();
}

Status StatementExecutor::DropRole(const DropRoleStatement& statement) {
  std::lock_guard<std::mutex> lock(engine_.catalog_mutex());
  Catalog& catalog = engine_.catalog();
  ASSIGN_OR_RETURN(std::unique_ptr<rbac::AccessControl> access, LoadAccessControl(catalog));
  const std::string& name = statement.name.name;
  const char* tag = statement.is_user ? "DROP USER" : "DROP ROLE";
  rbac::Privilege needed =
      statement.is_user ? rbac::Privilege::kCreateUser : rbac::Privilege::kCreateRole;
  RETURN_NOT_OK(AuditGovernance(
      std::string("access ") + tag, (statement.is_user ? "USER " : "ROLE ") + Quote(name),
      access->Require(session_.role(), needed, kOrganization), statement.position));
  if (statement.is_user) {
    ASSIGN_OR_RETURN(std::optional<UserInfo> user, catalog.FindUser(name));
    if (!user) {
      if (statement.if_exists) {
        handler_.OnNotice("user " + Quote(name) + " does not exist, skipping");
        handler_.OnCommandComplete(tag);
        return Status::OK();
      }
      ASSIGN_OR_RETURN(std::vector<std::string> names, UserNames(catalog));
      return UnknownName("user", name, names, statement.name.position);
    }
    if (name == session_.user()) {
      return Status::Catalog("cannot drop the current user " + Quote(name),
                             statement.name.position);
    }
    RETURN_NOT_OK(catalog.DropUser(name).WithPosition(statement.name.position));
    handler_.OnCommandComplete(tag);
    return Status::OK();
  }
  if (!access->roles().HasRole(name) || name.find(':') != std::string::npos) {
    if (statement.if_exists) {
      handler_.OnNotice("role " + Quote(name) + " does not exist, skipping");
      handler_.OnCommandComplete(tag);
      return Status::OK();
    }
    return RequireKnownRole(*access, statement.name);
  }
  if (rbac::RoleGraph::IsBuiltin(name)) {
    return Status::Catalog("cannot drop built-in role " + Quote(name), statement.name.position);
  }
  // rbac refuses roles that still own objects or granted privileges.
  RETURN_NOT_OK(access->DropRole(name).WithPosition(statement.name.position));
  RETURN_NOT_OK(catalog.DropRole(name).WithPosition(statement.name.position));
  RETURN_NOT_OK(RecheckPersistentQueries("DROP ROLE"));
  handler_.OnCommandComplete(tag);
  return Status::OK();
}

Status StatementExecutor::GrantRole(const GrantRoleStatement& statement) {
  std::lock_guard<std::mutex> lock(engine_.catalog_mutex());
  Catalog& catalog = engine_.catalog();
  ASSIGN_OR_RETURN(std::unique_ptr<rbac::AccessControl> access, LoadAccessControl(catalog));
  const std::string& role = statement.role.name;
  const std::string& member = statement.member.name;
  RETURN_NOT_OK(RequireKnownRole(*access, statement.role));
  std::string member_role = member;
  if (statement.member_is_user) {
    ASSIGN_OR_RETURN(std::optional<UserInfo> user, catalog.FindUser(member));
    if (!user) {
      ASSIGN_OR_RETURN(std::vector<std::string> names, UserNames(catalog));
      return UnknownName("user", member, names, statement.member.position);
    }
    member_role = UserRoleName(member);
  } else {
    RETURN_NOT_OK(RequireKnownRole(*access, statement.member));
  }
  // Handing out a role is handing out everything it holds: it takes MANAGE_GRANTS, or CREATE_ROLE
  // together with holding the role oneself (so USERADMIN cannot hand out ORGADMIN).
  const std::string& acting = session_.role();
  Status decision;
  if (!access->Check(acting, rbac::Privilege::kManageGrants, kOrganization).allowed) {
    decision = access->Require(acting, rbac::Privilege::kCreateRole, kOrganization);
    if (decision.ok() && !access->roles().EffectiveRoles(acting).count(role)) {
      decision =
          Status::Permission("role " + Quote(acting) + " may not " +
                             (statement.revoke ? "revoke" : "grant") + " role " + Quote(role) +
                             " (it needs MANAGE_GRANTS, or CREATE_ROLE and to hold the "
                             "role itself)");
    }
  }
  std::string object = "ROLE " + Quote(role) + (statement.revoke ? " FROM " : " TO ") +
                       (statement.member_is_user ? "USER " : "ROLE ") + Quote(member);
  RETURN_NOT_OK(AuditGovernance(statement.revoke ? "revoke role" : "grant role", object, decision,
                                statement.position));
  if (rbac::RoleGraph::IsBuiltin(role) && rbac::RoleGraph::IsBuiltin(member_role)) {
    return Status::Catalog("the built-in roles' inheritance cannot be changed",
                           statement.member.position);
  }
  RoleMembershipInfo membership{role, statement.member_is_user ? "USER" : "ROLE", member};
  if (statement.revoke) {
    RETURN_NOT_OK(access->roles().Revoke(role, member_role).WithPosition(statement.position));
    RETURN_NOT_OK(catalog.RemoveRoleMember(membership));
    RETURN_NOT_OK(RecheckPersistentQueries("REVOKE ROLE"));
    handler_.OnCommandComplete("REVOKE ROLE");
  } else {
    RETURN_NOT_OK(access->roles().Grant(role, member_role).WithPosition(statement.position));
    RETURN_NOT_OK(catalog.AddRoleMember(membership));
    handler_.OnCommandComplete("GRANT ROLE");
  }
  return Status::OK();
}

Status StatementExecutor::RecheckChosenRole(int64_t position) {
  if (!session_.role_chosen_) return Status::OK();
  std::lock_guard<std::mutex> lock(engine_.catalog_mutex());
  ASSIGN_OR_RETURN(std::shared_ptr<const rbac::AccessControl> access, engine_.access_control());
  if (access->roles().EffectiveRoles(UserRoleName(session_.user())).count(session_.role())) {
    return Status::OK();
  }
  return AuditGovernance(
      "use role", "ROLE " + Quote(session_.role()),
      Status::Permission("user " + Quote(session_.user()) + " no longer holds role " +
                         Quote(session_.role()) + " (USE ROLE another one)"),
      position);
}

Status StatementExecutor::UseRole(const UseRoleStatement& statement) {
  std::lock_guard<std::mutex> lock(engine_.catalog_mutex());
  ASSIGN_OR_RETURN(std::unique_ptr<rbac::AccessControl> access,
                   LoadAccessControl(engine_.catalog()));
  RETURN_NOT_OK(RequireKnownRole(*access, statement.role));
  const std::string& role = statement.role.name;
  Status decision;
  if (!access->roles().EffectiveRoles(UserRoleName(session_.user())).count(role)) {
    decision =
        Status::Permission("user " + Quote(session_.user()) + " does not hold role " + Quote(role) +
                           " (GRANT ROLE " + role + " TO USER " + session_.user() + " first)");
  }
  RETURN_NOT_OK(AuditGovernance("use role", "ROLE " + Quote(role), decision, statement.position));
  session_.role_ = role;
  session_.role_chosen_ = true;
  handler_.OnCommandComplete("USE ROLE");
  return Status::OK();
}

}  // namespace sluice

namespace sluice {

Status StatementExecutor::AlterUser(const AlterUserStatement& statement) {
  std::lock_guard<std::mutex> lock(engine_.catalog_mutex());
  Catalog& catalog = engine_.catalog();
  ASSIGN_OR_RETURN(std::unique_ptr<rbac::AccessControl> access, LoadAccessControl(catalog));
  const std::string& name = statement.name.name;
  // A user may change its own password; anything else about a user takes CREATE_USER.
  Status decision;
  if (statement.default_role || name != session_.user()) {
    decision = access->Require(session_.role(), rbac::Privilege::kCreateUser, kOrganization);
  }
  RETURN_NOT_OK(
      AuditGovernance("access ALTER USER", "USER " + Quote(name), decision, statement.position));
  ASSIGN_OR_RETURN(std::optional<UserInfo> user, catalog.FindUser(name));
  if (!user) {
    ASSIGN_OR_RETURN(std::vector<std::string> names, UserNames(catalog));
    return UnknownName("user", name, names, statement.name.position);
  }
  if (statement.default_role) {
    RETURN_NOT_OK(RequireKnownRole(*access, *statement.default_role));
    const std::string& role = statement.default_role->name;
    if (!access->roles().EffectiveRoles(UserRoleName(name)).count(role)) {
      return Status::Catalog("user " + Quote(name) + " does not hold role " + Quote(role) +
                                 " (GRANT ROLE " + role + " TO USER " + name + " first)",
                             statement.default_role->position);
    }
    RETURN_NOT_OK(catalog.SetUserDefaultRole(name, role));
  } else {
    ASSIGN_OR_RETURN(std::string verifier, rbac::MakeScramVerifier(*statement.password));
    RETURN_NOT_OK(catalog.SetUserVerifier(name, verifier));
  }
  handler_.OnCommandComplete("ALTER USER");
  return Status::OK();
}

}  // namespace sluice
