#include "engine/governance/load_access_control.h"

namespace sluice {

std::string UserRoleName(const std::string& user) { return "user:" + user; }

GrantInfo ToGrantInfo(const rbac::Grant& grant) {
  return GrantInfo{std::string(rbac::PrivilegeName(grant.privilege)),
                   std::string(rbac::ObjectKindName(grant.object.kind)),
                   grant.object.name,
                   grant.grantee,
                   grant.grantor,
                   grant.grant_option};
}

Result<std::unique_ptr<rbac::AccessControl>> LoadAccessControl(Catalog& catalog) {
  auto access = std::make_unique<rbac::AccessControl>();
  rbac::RoleGraph& roles = access->roles();
  ASSIGN_OR_RETURN(std::vector<RoleInfo> stored_roles, catalog.ListRoles());
  for (const RoleInfo& role : stored_roles) {
    if (!role.builtin) RETURN_NOT_OK(roles.CreateRole(role.name));
  }
  ASSIGN_OR_RETURN(std::vector<UserInfo> users, catalog.ListUsers());
  for (const UserInfo& user : users) RETURN_NOT_OK(roles.CreateRole(UserRoleName(user.name)));
  ASSIGN_OR_RETURN(std::vector<RoleMembershipInfo> memberships, catalog.ListRoleMembers());
  for (const RoleMembershipInfo& membership : memberships) {
    std::string member =
        membership.member_kind == "USER" ? UserRoleName(membership.member) : membership.member;
    // The built-in inheritance is already in the graph; a stored copy of it is not an error.
    if (roles.EffectiveRoles(member).count(membership.role)) continue;
    RETURN_NOT_OK(roles.Grant(membership.role, member));
  }
  ASSIGN_OR_RETURN(std::vector<GrantInfo> grants, catalog.ListGrants());
  for (const GrantInfo& grant : grants) {
    ASSIGN_OR_RETURN(rbac::Privilege privilege, rbac::ParsePrivilege(grant.privilege));
    ASSIGN_OR_RETURN(rbac::ObjectKind kind, rbac::ParseObjectKind(grant.object_kind));
    access->RestoreGrant(
        {privilege, {kind, grant.object_name}, grant.grantee, grant.grantor, grant.grant_option});
  }

  ASSIGN_OR_RETURN(std::vector<DatabaseInfo> databases, catalog.ListDatabases());
  for (const DatabaseInfo& database : databases) {
    access->SetOwner({rbac::ObjectKind::kDatabase, database.name}, database.owner);
    ASSIGN_OR_RETURN(std::vector<SchemaInfo> schemas, catalog.ListSchemas(database.id));
    for (const SchemaInfo& schema : schemas) {
      std::string schema_name = database.name + "." + schema.name;
      access->SetOwner({rbac::ObjectKind::kSchema, schema_name}, schema.owner);
      ASSIGN_OR_RETURN(std::vector<RelationInfo> relations, catalog.ListRelations(schema.id));
      for (const RelationInfo& relation : relations) {
        access->SetOwner({rbac::ObjectKind::kRelation, schema_name + "." + relation.name},
                         relation.owner);
      }
    }
  }
  ASSIGN_OR_RETURN(std::vector<StoreInfo> stores, catalog.ListStores());
  for (const StoreInfo& store : stores) {
    access->SetOwner({rbac::ObjectKind::kStore, store.name}, store.owner);
  }
  ASSIGN_OR_RETURN(std::vector<QueryInfo> queries, catalog.ListQueries());
  for (const QueryInfo& query : queries) {
    access->SetOwner({rbac::ObjectKind::kQuery, std::to_string(query.id)}, query.owner);
  }
  return access;
}

}  // namespace sluice
