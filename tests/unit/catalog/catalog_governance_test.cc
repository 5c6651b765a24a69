// Users, roles, memberships and grants in the catalog: the bootstrap rows, durability across
// reopen, and the migration that brings a layout-1 file (before governance) up to date.

#include <sqlite3.h>

#include "tests/unit/catalog/catalog_test_util.h"

namespace sluice {
namespace {

void RawExec(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  char* error = nullptr;
  EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error), SQLITE_OK)
      << (error ? error : "");
  sqlite3_free(error);
  sqlite3_close(db);
}

TEST_F(CatalogTest, NewCatalogHasAdminHoldingOrgadminAndTheBuiltinRoles) {
  Result<std::optional<UserInfo>> admin = catalog_->FindUser("admin");
  ASSERT_TRUE(admin.ok());
  ASSERT_TRUE(admin->has_value());
  EXPECT_FALSE((*admin)->scram_verifier.has_value());  // local trust only
  EXPECT_EQ((*admin)->default_role, "orgadmin");
  std::vector<std::string> names;
  Result<std::vector<RoleInfo>> roles = catalog_->ListRoles();
  ASSERT_TRUE(roles.ok());
  for (const RoleInfo& role : *roles) names.push_back(role.name);
  EXPECT_EQ(names, (std::vector<std::string>{"orgadmin", "public", "securityadmin", "sysadmin",
                                             "useradmin"}));
  std::vector<RoleMembershipInfo> members = *catalog_->ListRoleMembers();
  auto holds = [&](const std::string& role, const std::string& kind, const std::string& member) {
    for (const RoleMembershipInfo& row : members) {
      if (row.role == role && row.member_kind == kind && row.member == member) return true;
    }
    return false;
  };
  EXPECT_TRUE(holds("orgadmin", "USER", "admin"));
  EXPECT_TRUE(holds("sysadmin", "ROLE", "orgadmin"));
  EXPECT_TRUE(holds("securityadmin", "ROLE", "orgadmin"));
  EXPECT_TRUE(holds("useradmin", "ROLE", "securityadmin"));
}

TEST_F(CatalogTest, GovernanceRowsSurviveReopen) {
  ASSERT_TRUE(catalog_->CreateRole("analyst").ok());
  EXPECT_EQ(catalog_->CreateRole("analyst").message(), "role \"analyst\" already exists");
  ASSERT_TRUE(catalog_->CreateUser({"alice", std::string("SCRAM-SHA-256$4096:x$y:z"), ""}).ok());
  EXPECT_FALSE(catalog_->CreateUser({"alice", std::nullopt, ""}).ok());
  ASSERT_TRUE(catalog_->AddRoleMember({"analyst", "USER", "alice"}).ok());
  GrantInfo grant{"SELECT", "ALL RELATIONS IN SCHEMA", "shop.raw", "analyst", "sysadmin", false};
  ASSERT_TRUE(catalog_->PutGrant(grant).ok());
  grant.grant_option = true;
  ASSERT_TRUE(catalog_->PutGrant(grant).ok());  // upgrades, no second row
  Reopen();
  std::vector<GrantInfo> grants = *catalog_->ListGrants();
  ASSERT_EQ(grants.size(), 1u);
  EXPECT_TRUE(grants[0].grant_option);
  EXPECT_EQ((*catalog_->FindUser("alice"))->scram_verifier, "SCRAM-SHA-256$4096:x$y:z");

  ASSERT_TRUE(catalog_->DropRole("analyst").ok());  // takes its memberships and grants along
  EXPECT_TRUE(catalog_->ListGrants()->empty());
  EXPECT_FALSE(catalog_->DropRole("sysadmin").ok());
  ASSERT_TRUE(catalog_->DropUser("alice").ok());
  EXPECT_FALSE(catalog_->FindUser("alice")->has_value());
  EXPECT_FALSE(catalog_->DropUser("alice").ok());
}

TEST_F(CatalogTest, LayoutOneFileMigratesWithItsObjectsIntact) {
  ASSERT_TRUE(catalog_->CreateDatabase("shop", "sysadmin").ok());
  catalog_.reset();
  // Turn the file back into what a build before governance wrote.
  RawExec(path_,
          "DROP TABLE grants; DROP TABLE role_members; DROP TABLE users; DROP TABLE roles;"
          "DELETE FROM schema_version WHERE version = 2;");
  Reopen();
  EXPECT_EQ(*catalog_->SchemaVersion(), 2);
  EXPECT_TRUE(catalog_->FindDatabase("shop")->has_value());
  EXPECT_TRUE(catalog_->FindUser("admin")->has_value());
  EXPECT_EQ(catalog_->ListRoles()->size(), 5u);
}

}  // namespace
}  // namespace sluice
