// Which objects a role may know exist: anything it holds a privilege on or owns, the database
// and schema around those, schema-wide grants, queries through MANAGE_QUERIES, and everything
// for MANAGE_GRANTS.

#include "rbac/visibility.h"

#include <gtest/gtest.h>

namespace sluice::rbac {
namespace {

const ObjectRef kShop{ObjectKind::kDatabase, "shop"};
const ObjectRef kRaw{ObjectKind::kSchema, "shop.raw"};
const ObjectRef kSecret{ObjectKind::kSchema, "shop.secret"};
const ObjectRef kPageviews{ObjectKind::kRelation, "shop.raw.pageviews"};
const ObjectRef kOrders{ObjectKind::kRelation, "shop.raw.orders"};
const ObjectRef kHr{ObjectKind::kDatabase, "hr"};
const ObjectRef kQuery{ObjectKind::kQuery, "7"};

class VisibilityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* role : {"analyst", "lead", "owner"}) {
      ASSERT_TRUE(access_.roles().CreateRole(role).ok());
    }
    for (const ObjectRef& object : {kShop, kRaw, kSecret, kPageviews, kOrders, kHr}) {
      access_.SetOwner(object, kSysAdmin);
    }
    access_.SetOwner(kQuery, "owner");
  }
  bool Sees(const std::string& role, const ObjectRef& object) {
    return CanSee(access_, role, object);
  }
  AccessControl access_;
};

TEST_F(VisibilityTest, NothingWithoutPrivileges) {
  for (const ObjectRef& object : {kShop, kRaw, kPageviews, kHr, kQuery}) {
    EXPECT_FALSE(Sees("analyst", object)) << DescribeObject(object);
  }
  EXPECT_TRUE(Sees("analyst", {ObjectKind::kOrganization, ""}));
}

TEST_F(VisibilityTest, AGrantOnARelationShowsItsContainersOnly) {
  ASSERT_TRUE(
      access_.GrantPrivilege(kSysAdmin, Privilege::kSelect, kPageviews, "analyst", false).ok());
  EXPECT_TRUE(Sees("analyst", kPageviews));
  EXPECT_TRUE(Sees("analyst", kRaw));
  EXPECT_TRUE(Sees("analyst", kShop));
  EXPECT_FALSE(Sees("analyst", kOrders));
  EXPECT_FALSE(Sees("analyst", kSecret));
  EXPECT_FALSE(Sees("analyst", kHr));
  // Through an inherited role too.
  ASSERT_TRUE(access_.roles().Grant("analyst", "lead").ok());
  EXPECT_TRUE(Sees("lead", kPageviews));
  EXPECT_FALSE(Sees("lead", kOrders));
}

TEST_F(VisibilityTest, SchemaWideGrantShowsEveryRelation) {
  ASSERT_TRUE(access_
                  .GrantPrivilege(kSysAdmin, Privilege::kSelect,
                                  {ObjectKind::kAllRelationsInSchema, "shop.raw"}, "analyst", false)
                  .ok());
  EXPECT_TRUE(Sees("analyst", kOrders));
  EXPECT_TRUE(Sees("analyst", {ObjectKind::kRelation, "shop.raw.created_later"}));
  EXPECT_FALSE(Sees("analyst", {ObjectKind::kRelation, "shop.secret.keys"}));
}

TEST_F(VisibilityTest, OwnersAndQueryManagers) {
  EXPECT_TRUE(Sees("owner", kQuery));
  EXPECT_FALSE(Sees("analyst", kQuery));
  EXPECT_TRUE(Sees(kSysAdmin, kQuery));  // MANAGE_QUERIES
  ASSERT_TRUE(access_.GrantPrivilege("owner", Privilege::kMonitor, kQuery, "analyst", false).ok());
  EXPECT_TRUE(Sees("analyst", kQuery));
}

TEST_F(VisibilityTest, ManageGrantsSeesEverything) {
  for (const ObjectRef& object : {kShop, kRaw, kPageviews, kHr, kQuery}) {
    EXPECT_TRUE(Sees(kSecurityAdmin, object)) << DescribeObject(object);
  }
}

}  // namespace
}  // namespace sluice::rbac
