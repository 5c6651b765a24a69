#include <gtest/gtest.h>

#include <string>

#include "parser/parser.h"

namespace sluice {
namespace {

StatementPtr Parse(const std::string& text) {
  Result<StatementPtr> statement = ParseStatement(text);
  EXPECT_TRUE(statement.ok()) << text << ": " << statement.status().ToString();
  if (!statement.ok()) return nullptr;
  return std::move(statement).value();
}

TEST(GovernanceParseTest, CreateAndDropRoleAndUser) {
  StatementPtr role = Parse("CREATE ROLE Analyst");
  ASSERT_EQ(role->kind, StatementKind::kCreateRole);
  EXPECT_EQ(role->As<CreateRoleStatement>().name.name, "analyst");
  EXPECT_EQ(role->As<CreateRoleStatement>().name.position, 12);

  StatementPtr user = Parse("create user bob with password 'it''s'");
  ASSERT_EQ(user->kind, StatementKind::kCreateUser);
  EXPECT_EQ(user->As<CreateUserStatement>().name.name, "bob");
  EXPECT_EQ(user->As<CreateUserStatement>().password, "it's");
  EXPECT_FALSE(Parse("CREATE USER carol")->As<CreateUserStatement>().password.has_value());

  StatementPtr drop = Parse("DROP USER IF EXISTS bob");
  ASSERT_EQ(drop->kind, StatementKind::kDropRole);
  EXPECT_TRUE(drop->As<DropRoleStatement>().is_user);
  EXPECT_TRUE(drop->As<DropRoleStatement>().if_exists);
  EXPECT_FALSE(Parse("DROP ROLE analyst")->As<DropRoleStatement>().is_user);
}

TEST(GovernanceParseTest, UnquotedPasswordIsNotEchoed) {
  Result<StatementPtr> parsed = ParseStatement("CREATE USER bob WITH PASSWORD hunter2");
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().category(), ErrorCategory::kParser);
  EXPECT_EQ(parsed.status().position(), 30);
  EXPECT_EQ(parsed.status().message().find("hunter2"), std::string::npos);
}

TEST(GovernanceParseTest, GrantAndRevokeRole) {
  StatementPtr grant = Parse("GRANT ROLE analyst TO USER bob");
  ASSERT_EQ(grant->kind, StatementKind::kGrantRole);
  const auto& membership = grant->As<GrantRoleStatement>();
  EXPECT_FALSE(membership.revoke);
  EXPECT_EQ(membership.role.name, "analyst");
  EXPECT_TRUE(membership.member_is_user);
  EXPECT_EQ(membership.member.name, "bob");
  StatementPtr revoke_statement = Parse("REVOKE ROLE a FROM ROLE b");
  const auto& revoke = revoke_statement->As<GrantRoleStatement>();
  EXPECT_TRUE(revoke.revoke);
  EXPECT_FALSE(revoke.member_is_user);
  EXPECT_FALSE(ParseStatement("GRANT ROLE a TO b").ok());        // ROLE or USER is required
  EXPECT_FALSE(ParseStatement("REVOKE ROLE a TO ROLE b").ok());  // REVOKE ... FROM
}

TEST(GovernanceParseTest, GrantPrivileges) {
  StatementPtr statement = Parse(
      "grant select, insert on all relations in schema shop.raw to role analyst "
      "with grant option");
  ASSERT_EQ(statement->kind, StatementKind::kGrantPrivileges);
  const auto& grant = statement->As<GrantPrivilegesStatement>();
  ASSERT_EQ(grant.privileges.size(), 2u);
  EXPECT_EQ(grant.privileges[0].name, "SELECT");
  EXPECT_EQ(grant.privileges[1].name, "INSERT");
  EXPECT_EQ(grant.privileges[1].position, 14);
  EXPECT_EQ(grant.object_kind, "ALL RELATIONS IN SCHEMA");
  EXPECT_EQ(grant.object.parts, (std::vector<std::string>{"shop", "raw"}));
  EXPECT_EQ(grant.grantee.name, "analyst");
  EXPECT_TRUE(grant.with_grant_option);

  StatementPtr revoke_statement = Parse("REVOKE usage ON DATABASE shop FROM ROLE a CASCADE");
  const auto& revoke = revoke_statement->As<GrantPrivilegesStatement>();
  EXPECT_TRUE(revoke.revoke);
  EXPECT_EQ(revoke.object_kind, "DATABASE");
  EXPECT_EQ(revoke.behavior, DropBehavior::kCascade);
  EXPECT_EQ(Parse("GRANT CREATE_DATABASE ON ORGANIZATION TO ROLE a")
                ->As<GrantPrivilegesStatement>()
                .object.parts.size(),
            0u);
  EXPECT_EQ(
      Parse("GRANT SELECT ON STREAM pv TO ROLE a")->As<GrantPrivilegesStatement>().object_kind,
      "RELATION");
  EXPECT_FALSE(ParseStatement("GRANT SELECT ON pv TO ROLE a").ok());  // object kind required
  EXPECT_FALSE(ParseStatement("REVOKE SELECT ON STREAM pv FROM ROLE a WITH GRANT OPTION").ok());
  EXPECT_FALSE(ParseStatement("GRANT SELECT ON STREAM pv TO ROLE a CASCADE").ok());
}

TEST(GovernanceParseTest, UseRoleAndShow) {
  StatementPtr use = Parse("USE ROLE sysadmin");
  ASSERT_EQ(use->kind, StatementKind::kUseRole);
  EXPECT_EQ(use->As<UseRoleStatement>().role.name, "sysadmin");
  EXPECT_EQ(Parse("SHOW ROLES")->As<ShowGovernanceStatement>().what, ShowGovernanceKind::kRoles);
  EXPECT_EQ(Parse("SHOW USERS")->As<ShowGovernanceStatement>().what, ShowGovernanceKind::kUsers);
  StatementPtr show = Parse("SHOW GRANTS TO ROLE a");
  const auto& grants = show->As<ShowGovernanceStatement>();
  EXPECT_EQ(grants.what, ShowGovernanceKind::kGrants);
  ASSERT_TRUE(grants.grantee.has_value());
  EXPECT_EQ(grants.grantee->name, "a");
  EXPECT_FALSE(Parse("SHOW GRANTS")->As<ShowGovernanceStatement>().grantee.has_value());
}

TEST(GovernanceParseTest, AlterUser) {
  StatementPtr password = Parse("ALTER USER bob WITH PASSWORD 'new'");
  ASSERT_EQ(password->kind, StatementKind::kAlterUser);
  EXPECT_EQ(password->As<AlterUserStatement>().name.name, "bob");
  EXPECT_EQ(password->As<AlterUserStatement>().password, "new");
  EXPECT_EQ(ToSql(*password), "ALTER USER bob WITH PASSWORD 'new'");
  for (const char* text :
       {"ALTER USER bob SET DEFAULT_ROLE = analyst", "ALTER USER bob SET DEFAULT ROLE analyst"}) {
    StatementPtr role = Parse(text);
    ASSERT_TRUE(role->As<AlterUserStatement>().default_role.has_value()) << text;
    EXPECT_EQ(role->As<AlterUserStatement>().default_role->name, "analyst");
    EXPECT_EQ(ToSql(*role), "ALTER USER bob SET DEFAULT_ROLE = analyst");
  }
  Result<StatementPtr> unquoted = ParseStatement("ALTER USER bob WITH PASSWORD hunter2");
  ASSERT_FALSE(unquoted.ok());
  EXPECT_EQ(unquoted.status().message().find("hunter2"), std::string::npos);
  EXPECT_FALSE(ParseStatement("ALTER USER bob").ok());
}

TEST(GovernanceParseTest, OwnershipQueriesAndGrantOption) {
  StatementPtr owner = Parse("GRANT OWNERSHIP ON QUERY 3 TO ROLE etl");
  const auto& grant = owner->As<GrantPrivilegesStatement>();
  EXPECT_EQ(grant.object_kind, "QUERY");
  ASSERT_EQ(grant.object.parts.size(), 1u);
  EXPECT_EQ(grant.object.parts[0], "3");
  EXPECT_EQ(ToSql(*owner), "GRANT OWNERSHIP ON QUERY 3 TO ROLE etl");

  StatementPtr option = Parse("REVOKE GRANT OPTION FOR SELECT ON STREAM pv FROM ROLE a CASCADE");
  const auto& revoke = option->As<GrantPrivilegesStatement>();
  EXPECT_TRUE(revoke.revoke);
  EXPECT_TRUE(revoke.grant_option_only);
  ASSERT_EQ(revoke.privileges.size(), 1u);
  EXPECT_EQ(revoke.privileges[0].name, "SELECT");
  EXPECT_EQ(ToSql(*option), "REVOKE GRANT OPTION FOR SELECT ON RELATION pv FROM ROLE a CASCADE");
  EXPECT_FALSE(ParseStatement("GRANT GRANT OPTION FOR SELECT ON STREAM pv TO ROLE a").ok());
}

TEST(GovernanceParseTest, CanIAndShowGrantsOn) {
  StatementPtr can = Parse("can i select on relation shop.raw.pv");
  ASSERT_EQ(can->kind, StatementKind::kCanI);
  const auto& question = can->As<CanIStatement>();
  EXPECT_EQ(question.privilege.name, "SELECT");
  EXPECT_EQ(question.privilege.position, 6);
  EXPECT_EQ(question.object_kind, "RELATION");
  EXPECT_EQ(question.object.ToString(), "shop.raw.pv");
  EXPECT_EQ(ToSql(*can), "CAN I SELECT ON RELATION shop.raw.pv");
  EXPECT_FALSE(ParseStatement("CAN I SELECT shop.raw.pv").ok());
  EXPECT_FALSE(ParseStatement("CAN YOU SELECT ON RELATION pv").ok());

  StatementPtr on = Parse("SHOW GRANTS ON SCHEMA shop.raw");
  const auto& show = on->As<ShowGovernanceStatement>();
  EXPECT_EQ(show.object_kind, "SCHEMA");
  EXPECT_EQ(ToSql(*on), "SHOW GRANTS ON SCHEMA shop.raw");
  StatementPtr user = Parse("SHOW GRANTS TO USER bob");
  EXPECT_TRUE(user->As<ShowGovernanceStatement>().grantee_is_user);
  EXPECT_EQ(ToSql(*user), "SHOW GRANTS TO USER bob");
}

}  // namespace
}  // namespace sluice
