// The rbac model built from a real catalog: DeltaStream's "3 users x 50 relations" scenario with
// one schema-wide grant and three role memberships, a relation created after the grant, and one
// REVOKE (a removed grant row) that takes all access away.

#include "engine/governance/load_access_control.h"

#include "tests/unit/catalog/catalog_test_util.h"

namespace sluice {
namespace {

constexpr const char* kSchemaName = "default_db.public";

class LoadAccessControlTest : public CatalogTest {
 protected:
  std::unique_ptr<rbac::AccessControl> Load() {
    Result<std::unique_ptr<rbac::AccessControl>> loaded = LoadAccessControl(*catalog_);
    EXPECT_TRUE(loaded.ok()) << loaded.status().ToString();
    return loaded.ok() ? std::move(loaded).value() : nullptr;
  }
  int CountAllowed(const rbac::AccessControl& access, rbac::Privilege privilege, int relations) {
    int allowed = 0;
    for (const char* user : {"alice", "bob", "carol"}) {
      for (int relation_idx = 0; relation_idx < relations; ++relation_idx) {
        allowed +=
            access
                .RequireOnRelation(UserRoleName(user), privilege,
                                   std::string(kSchemaName) + ".t" + std::to_string(relation_idx))
                .ok();
      }
    }
    return allowed;
  }
};

TEST_F(LoadAccessControlTest, ThreeUsersFiftyRelationsFromTheCatalog) {
  for (int relation_idx = 0; relation_idx < 49; ++relation_idx) {
    CreateStream("t" + std::to_string(relation_idx));
  }
  ASSERT_TRUE(catalog_->CreateRole("analyst").ok());
  for (const char* user : {"alice", "bob", "carol", "dave"}) {
    ASSERT_TRUE(catalog_->CreateUser({user, std::nullopt, "public"}).ok());
  }
  for (const char* user : {"alice", "bob", "carol"}) {
    ASSERT_TRUE(catalog_->AddRoleMember({"analyst", "USER", user}).ok());
  }
  const GrantInfo schema_wide{
      "SELECT", "ALL RELATIONS IN SCHEMA", kSchemaName, "analyst", "sysadmin", false};
  ASSERT_TRUE(catalog_->PutGrant({"USAGE", "DATABASE", "default_db", "analyst", "sysadmin"}).ok());
  ASSERT_TRUE(catalog_->PutGrant({"USAGE", "SCHEMA", kSchemaName, "analyst", "sysadmin"}).ok());
  ASSERT_TRUE(catalog_->PutGrant(schema_wide).ok());
  CreateStream("t49");  // created after the grant: covered all the same

  std::unique_ptr<rbac::AccessControl> access = Load();
  ASSERT_NE(access, nullptr);
  EXPECT_EQ(CountAllowed(*access, rbac::Privilege::kSelect, 50), 150);
  EXPECT_EQ(CountAllowed(*access, rbac::Privilege::kInsert, 50), 0);
  Status outsider = access->RequireOnRelation(UserRoleName("dave"), rbac::Privilege::kSelect,
                                              "default_db.public.t0");
  EXPECT_EQ(outsider.message(), "role \"user:dave\" lacks USAGE on DATABASE default_db");
  // Owners come from the catalog rows: sysadmin created everything.
  EXPECT_TRUE(access
                  ->Check("sysadmin", rbac::Privilege::kOwnership,
                          {rbac::ObjectKind::kRelation, "default_db.public.t7"})
                  .allowed);
  // admin holds ORGADMIN, which holds SYSADMIN: it reaches everything.
  EXPECT_TRUE(access
                  ->RequireOnRelation(UserRoleName("admin"), rbac::Privilege::kInsert,
                                      "default_db.public.t3")
                  .ok());

  ASSERT_TRUE(catalog_->RemoveGrant(schema_wide).ok());
  access = Load();
  ASSERT_NE(access, nullptr);
  EXPECT_EQ(CountAllowed(*access, rbac::Privilege::kSelect, 50), 0);
}

}  // namespace
}  // namespace sluice
