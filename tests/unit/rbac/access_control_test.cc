// PostgreSQL-style governance cases: role cycles, grant option chains, REVOKE RESTRICT vs CASCADE
// with a second grantor, DROP ROLE refusals, ownership transfer, PUBLIC, future relations, and the
// "3 users x 50 relations" scenario.

#include "rbac/access_control.h"

#include <gtest/gtest.h>

namespace sluice::rbac {
namespace {

const ObjectRef kPageviews{ObjectKind::kRelation, "shop.raw.pageviews"};

class AccessControlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* role : {"a", "b", "c", "d", "analyst"}) {
      ASSERT_TRUE(access_.roles().CreateRole(role).ok());
    }
    access_.SetOwner({ObjectKind::kDatabase, "shop"}, kSysAdmin);
    access_.SetOwner({ObjectKind::kSchema, "shop.raw"}, kSysAdmin);
    access_.SetOwner(kPageviews, kSysAdmin);
  }
  bool CanSelect(const std::string& role) {
    return access_.Check(role, Privilege::kSelect, kPageviews).allowed;
  }
  AccessControl access_;
};

TEST_F(AccessControlTest, RoleCycleIsRejectedWithThePath) {
  ASSERT_TRUE(access_.roles().Grant("a", "b").ok());  // b holds a
  ASSERT_TRUE(access_.roles().Grant("b", "c").ok());  // c holds b
  Status status = access_.roles().Grant("c", "a");    // a would hold c: a -> c -> b -> a
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.message(),
            "granting role \"c\" to \"a\" would create a cycle: a -> c -> b -> a");
  EXPECT_FALSE(access_.roles().Grant("a", "a").ok());
}

TEST_F(AccessControlTest, BuiltinRolesInherit) {
  const ObjectRef org{ObjectKind::kOrganization, ""};
  EXPECT_TRUE(access_.Check(kOrgAdmin, Privilege::kCreateUser, org).allowed);
  EXPECT_TRUE(access_.Check(kSecurityAdmin, Privilege::kCreateRole, org).allowed);
  EXPECT_TRUE(access_.Check(kSecurityAdmin, Privilege::kManageGrants, org).allowed);
  EXPECT_FALSE(access_.Check(kSysAdmin, Privilege::kManageGrants, org).allowed);
  EXPECT_FALSE(access_.Check(kUserAdmin, Privilege::kCreateDatabase, org).allowed);
  EXPECT_TRUE(access_.Check(kOrgAdmin, Privilege::kCreateDatabase, org).allowed);
}

TEST_F(AccessControlTest, GrantOptionChainAndRestrictVersusCascade) {
  // sysadmin -> a (option), a -> b (option), b -> c.
  ASSERT_TRUE(access_.GrantPrivilege(kSysAdmin, Privilege::kSelect, kPageviews, "a", true).ok());
  ASSERT_TRUE(access_.GrantPrivilege("a", Privilege::kSelect, kPageviews, "b", true).ok());
  ASSERT_TRUE(access_.GrantPrivilege("b", Privilege::kSelect, kPageviews, "c", false).ok());
  // c has no grant option: it may not pass the privilege on.
  Status denied = access_.GrantPrivilege("c", Privilege::kSelect, kPageviews, "d", false);
  EXPECT_EQ(denied.category(), ErrorCategory::kPermission);

  Result<std::vector<Grant>> restrict = access_.RevokePrivilege(
      kSysAdmin, Privilege::kSelect, kPageviews, "a", DropBehavior::kRestrict);
  ASSERT_FALSE(restrict.ok());
  EXPECT_NE(restrict.status().message().find("SELECT ON shop.raw.pageviews TO b WITH GRANT OPTION "
                                             "(granted by a)"),
            std::string::npos)
      << restrict.status().message();
  EXPECT_TRUE(CanSelect("c"));  // RESTRICT changed nothing

  Result<std::vector<Grant>> cascade = access_.RevokePrivilege(
      kSysAdmin, Privilege::kSelect, kPageviews, "a", DropBehavior::kCascade);
  ASSERT_TRUE(cascade.ok());
  EXPECT_EQ(cascade->size(), 3u);
  EXPECT_FALSE(CanSelect("a"));
  EXPECT_FALSE(CanSelect("b"));
  EXPECT_FALSE(CanSelect("c"));
}

TEST_F(AccessControlTest, CascadeKeepsGrantsBackedBySecondGrantor) {
  // b holds the grant option from both a and d; b's grant to c survives losing a's.
  ASSERT_TRUE(access_.GrantPrivilege(kSysAdmin, Privilege::kSelect, kPageviews, "a", true).ok());
  ASSERT_TRUE(access_.GrantPrivilege(kSysAdmin, Privilege::kSelect, kPageviews, "d", true).ok());
  ASSERT_TRUE(access_.GrantPrivilege("a", Privilege::kSelect, kPageviews, "b", true).ok());
  ASSERT_TRUE(access_.GrantPrivilege("d", Privilege::kSelect, kPageviews, "b", true).ok());
  ASSERT_TRUE(access_.GrantPrivilege("b", Privilege::kSelect, kPageviews, "c", false).ok());
  Result<std::vector<Grant>> removed = access_.RevokePrivilege(
      kSysAdmin, Privilege::kSelect, kPageviews, "a", DropBehavior::kCascade);
  ASSERT_TRUE(removed.ok());
  EXPECT_EQ(removed->size(), 2u);  // sysadmin->a and a->b
  EXPECT_FALSE(CanSelect("a"));
  EXPECT_TRUE(CanSelect("b"));
  EXPECT_TRUE(CanSelect("c"));
}

TEST_F(AccessControlTest, GrantsSupportingOnlyEachOtherFallTogether) {
  ASSERT_TRUE(access_.GrantPrivilege(kSysAdmin, Privilege::kSelect, kPageviews, "a", true).ok());
  ASSERT_TRUE(access_.GrantPrivilege("a", Privilege::kSelect, kPageviews, "b", true).ok());
  ASSERT_TRUE(access_.GrantPrivilege("b", Privilege::kSelect, kPageviews, "a", true).ok());
  ASSERT_TRUE(
      access_
          .RevokePrivilege(kSysAdmin, Privilege::kSelect, kPageviews, "a", DropBehavior::kCascade)
          .ok());
  EXPECT_FALSE(CanSelect("a"));
  EXPECT_FALSE(CanSelect("b"));
}

TEST_F(AccessControlTest, DropRoleRefusedWhileOwningOrGranting) {
  access_.SetOwner({ObjectKind::kRelation, "shop.raw.mine"}, "a");
  Status owning = access_.DropRole("a");
  ASSERT_FALSE(owning.ok());
  EXPECT_NE(owning.message().find("owns shop.raw.mine"), std::string::npos) << owning.message();
  ASSERT_TRUE(access_.TransferOwnership("a", {ObjectKind::kRelation, "shop.raw.mine"}, "b").ok());

  ASSERT_TRUE(access_.GrantPrivilege(kSysAdmin, Privilege::kSelect, kPageviews, "a", true).ok());
  ASSERT_TRUE(access_.GrantPrivilege("a", Privilege::kSelect, kPageviews, "c", false).ok());
  Status granting = access_.DropRole("a");
  ASSERT_FALSE(granting.ok());
  EXPECT_NE(granting.message().find("granted SELECT ON shop.raw.pageviews TO c"), std::string::npos)
      << granting.message();
  ASSERT_TRUE(
      access_.RevokePrivilege("a", Privilege::kSelect, kPageviews, "c", DropBehavior::kRestrict)
          .ok());
  ASSERT_TRUE(access_.DropRole("a").ok());
  EXPECT_FALSE(access_.roles().HasRole("a"));
  EXPECT_FALSE(access_.DropRole(kSysAdmin).ok());
}

TEST_F(AccessControlTest, OwnershipTransferMovesPrivilegesAndGrantorship) {
  ASSERT_TRUE(access_.GrantPrivilege(kSysAdmin, Privilege::kSelect, kPageviews, "c", false).ok());
  EXPECT_FALSE(access_.TransferOwnership("a", kPageviews, "a").ok());  // a does not own it
  ASSERT_TRUE(access_.TransferOwnership(kSysAdmin, kPageviews, "a").ok());
  EXPECT_EQ(access_.OwnerOf(kPageviews), "a");
  EXPECT_TRUE(access_.Check("a", Privilege::kInsert, kPageviews).allowed);
  EXPECT_TRUE(access_.Check("a", Privilege::kOwnership, kPageviews).allowed);
  EXPECT_FALSE(access_.Check(kSysAdmin, Privilege::kOwnership, kPageviews).allowed);
  // The grant sysadmin made as owner is now the new owner's.
  EXPECT_TRUE(
      access_.RevokePrivilege("a", Privilege::kSelect, kPageviews, "c", DropBehavior::kRestrict)
          .ok());
  EXPECT_FALSE(CanSelect("c"));
}

TEST_F(AccessControlTest, PublicGrantsReachEveryone) {
  EXPECT_FALSE(CanSelect("d"));
  ASSERT_TRUE(
      access_.GrantPrivilege(kSysAdmin, Privilege::kSelect, kPageviews, kPublic, false).ok());
  EXPECT_TRUE(CanSelect("d"));
  EXPECT_TRUE(CanSelect("analyst"));
  EXPECT_FALSE(access_.roles().Grant(kPublic, "d").ok());
}

TEST_F(AccessControlTest, SchemaWideGrantCoversFutureRelations) {
  const ObjectRef scope{ObjectKind::kAllRelationsInSchema, "shop.raw"};
  ASSERT_TRUE(access_.GrantPrivilege(kSysAdmin, Privilege::kSelect, scope, "analyst", false).ok());
  const ObjectRef later{ObjectKind::kRelation, "shop.raw.created_later"};
  access_.SetOwner(later, kSysAdmin);
  AccessDecision decision = access_.Check("analyst", Privilege::kSelect, later);
  ASSERT_TRUE(decision.allowed);
  ASSERT_EQ(decision.path.size(), 2u);
  EXPECT_EQ(decision.path[1],
            "grant: SELECT ON ALL RELATIONS IN SCHEMA shop.raw TO analyst (granted by sysadmin)");
  EXPECT_FALSE(access_.Check("analyst", Privilege::kSelect, {ObjectKind::kRelation, "shop.other.x"})
                   .allowed);
}

TEST_F(AccessControlTest, ExplanationNamesTheRoleChain) {
  ASSERT_TRUE(access_.roles().Grant("a", "b").ok());
  ASSERT_TRUE(access_.roles().Grant("b", "c").ok());
  ASSERT_TRUE(access_.GrantPrivilege(kSysAdmin, Privilege::kSelect, kPageviews, "a", false).ok());
  AccessDecision decision = access_.Check("c", Privilege::kSelect, kPageviews);
  ASSERT_TRUE(decision.allowed);
  EXPECT_EQ(decision.path[0], "role chain: c -> b -> a");
}

TEST_F(AccessControlTest, RelationNeedsUsageOnDatabaseAndSchema) {
  ASSERT_TRUE(access_.GrantPrivilege(kSysAdmin, Privilege::kSelect, kPageviews, "a", false).ok());
  Status status = access_.RequireOnRelation("a", Privilege::kSelect, "shop.raw.pageviews");
  EXPECT_EQ(status.message(), "role \"a\" lacks USAGE on DATABASE shop");
  ASSERT_TRUE(
      access_
          .GrantPrivilege(kSysAdmin, Privilege::kUsage, {ObjectKind::kDatabase, "shop"}, "a", false)
          .ok());
  status = access_.RequireOnRelation("a", Privilege::kSelect, "shop.raw.pageviews");
  EXPECT_EQ(status.message(), "role \"a\" lacks USAGE on SCHEMA shop.raw");
  ASSERT_TRUE(access_
                  .GrantPrivilege(kSysAdmin, Privilege::kUsage, {ObjectKind::kSchema, "shop.raw"},
                                  "a", false)
                  .ok());
  EXPECT_TRUE(access_.RequireOnRelation("a", Privilege::kSelect, "shop.raw.pageviews").ok());
  EXPECT_FALSE(access_.RequireOnRelation("a", Privilege::kInsert, "shop.raw.pageviews").ok());
}

// DeltaStream's promise: 3 users x 50 relations needs one schema-wide grant and three role
// grants, not 150 ACLs, and one REVOKE takes it all away.
TEST_F(AccessControlTest, ThreeUsersFiftyRelations) {
  for (int relation_idx = 0; relation_idx < 50; ++relation_idx) {
    access_.SetOwner({ObjectKind::kRelation, "shop.raw.t" + std::to_string(relation_idx)},
                     kSysAdmin);
  }
  access_.SetOwner({ObjectKind::kRelation, "shop.secret.t0"}, kSysAdmin);
  const std::vector<std::string> users = {"u_alice", "u_bob", "u_carol"};
  for (const std::string& user : users) ASSERT_TRUE(access_.roles().CreateRole(user).ok());
  ASSERT_TRUE(access_.roles().Grant("analyst", "u_alice").ok());
  ASSERT_TRUE(access_.roles().Grant("analyst", "u_bob").ok());
  ASSERT_TRUE(access_.roles().Grant("analyst", "u_carol").ok());
  const ObjectRef scope{ObjectKind::kAllRelationsInSchema, "shop.raw"};
  ASSERT_TRUE(access_.GrantPrivilege(kSysAdmin, Privilege::kSelect, scope, "analyst", false).ok());
  size_t grants_before = access_.grants().size();

  int allowed = 0;
  for (const std::string& user : users) {
    for (int relation_idx = 0; relation_idx < 50; ++relation_idx) {
      ObjectRef relation{ObjectKind::kRelation, "shop.raw.t" + std::to_string(relation_idx)};
      allowed += access_.Check(user, Privilege::kSelect, relation).allowed;
      EXPECT_FALSE(access_.Check(user, Privilege::kInsert, relation).allowed);
    }
    EXPECT_FALSE(
        access_.Check(user, Privilege::kSelect, {ObjectKind::kRelation, "shop.secret.t0"}).allowed);
  }
  EXPECT_EQ(allowed, 150);

  ASSERT_TRUE(
      access_
          .RevokePrivilege(kSysAdmin, Privilege::kSelect, scope, "analyst", DropBehavior::kRestrict)
          .ok());
  EXPECT_EQ(access_.grants().size(), grants_before - 1);
  for (const std::string& user : users) {
    for (int relation_idx = 0; relation_idx < 50; ++relation_idx) {
      EXPECT_FALSE(access_
                       .Check(user, Privilege::kSelect,
                              {ObjectKind::kRelation, "shop.raw.t" + std::to_string(relation_idx)})
                       .allowed);
    }
  }
}

TEST_F(AccessControlTest, OnlyOwnerOrManageGrantsMayGrant) {
  Status status = access_.GrantPrivilege("a", Privilege::kSelect, kPageviews, "b", false);
  EXPECT_EQ(status.category(), ErrorCategory::kPermission);
  ASSERT_TRUE(access_.roles().Grant(kSecurityAdmin, "d").ok());
  EXPECT_TRUE(access_.GrantPrivilege("d", Privilege::kSelect, kPageviews, "b", false).ok());
  EXPECT_FALSE(access_
                   .GrantPrivilege(kSysAdmin, Privilege::kSelect, {ObjectKind::kDatabase, "shop"},
                                   "b", false)
                   .ok());  // SELECT does not apply to a database
}

}  // namespace
}  // namespace sluice::rbac

namespace sluice::rbac {
namespace {

TEST_F(AccessControlTest, RevokeGrantOptionKeepsThePrivilege) {
  ASSERT_TRUE(access_.GrantPrivilege(kSysAdmin, Privilege::kSelect, kPageviews, "a", true).ok());
  ASSERT_TRUE(access_.GrantPrivilege("a", Privilege::kSelect, kPageviews, "b", false).ok());
  // RESTRICT refuses: b's grant rests on a's grant option.
  Result<std::vector<Grant>> refused = access_.RevokeGrantOption(
      kSysAdmin, Privilege::kSelect, kPageviews, "a", DropBehavior::kRestrict);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("cannot revoke the grant option"), std::string::npos);
  EXPECT_TRUE(CanSelect("b"));
  Result<std::vector<Grant>> removed = access_.RevokeGrantOption(
      kSysAdmin, Privilege::kSelect, kPageviews, "a", DropBehavior::kCascade);
  ASSERT_TRUE(removed.ok());
  ASSERT_EQ(removed->size(), 1u);
  EXPECT_EQ((*removed)[0].grantee, "b");
  EXPECT_TRUE(CanSelect("a"));
  EXPECT_FALSE(CanSelect("b"));
  EXPECT_FALSE(access_.CanGrant("a", Privilege::kSelect, kPageviews));
  // Without a grant option there is nothing to revoke.
  EXPECT_FALSE(
      access_
          .RevokeGrantOption(kSysAdmin, Privilege::kSelect, kPageviews, "a", DropBehavior::kCascade)
          .ok());
}

TEST_F(AccessControlTest, RoleChainNamesPublic) {
  ASSERT_TRUE(access_.roles().Grant("a", "b").ok());
  EXPECT_EQ(access_.RoleChain("b", "a"), "b -> a");
  EXPECT_EQ(access_.RoleChain("b", "b"), "b");
  EXPECT_EQ(access_.RoleChain("b", kPublic), "b -> public");
}

}  // namespace
}  // namespace sluice::rbac
