// Governance statements: CREATE/DROP ROLE and USER, GRANT/REVOKE of roles and privileges,
// USE ROLE, SHOW ROLES/USERS/GRANTS. Privilege words are checked by the engine (rbac), so a
// misspelt privilege is reported with the list of valid ones.

#include <algorithm>
#include <cctype>

#include "parser/sql_parser.h"

namespace sluice {

namespace {

std::string Upper(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return text;
}

}  // namespace

Result<StatementPtr> SqlParser::ParseCreateRole(int64_t start) {
  auto statement = std::make_unique<CreateRoleStatement>(start);
  ASSIGN_OR_RETURN(statement->name, ParseIdentifier("role name"));
  return StatementPtr(std::move(statement));
}

Result<StatementPtr> SqlParser::ParseCreateUser(int64_t start) {
  auto statement = std::make_unique<CreateUserStatement>(start);
  ASSIGN_OR_RETURN(statement->name, ParseIdentifier("user name"));
  if (AcceptKeyword("with")) {
    RETURN_NOT_OK(ExpectKeyword("password"));
    // The message never echoes the token: it may be a password written without quotes.
    if (Peek().kind != TokenKind::kString) {
      return Status::Parser("PASSWORD must be followed by a quoted string", Peek().position);
    }
    statement->password = Advance().text;
  }
  return StatementPtr(std::move(statement));
}

Result<StatementPtr> SqlParser::ParseDropRole(int64_t start, bool is_user) {
  auto statement = std::make_unique<DropRoleStatement>(start);
  statement->is_user = is_user;
  statement->if_exists = ParseIfExists();
  ASSIGN_OR_RETURN(statement->name, ParseIdentifier(is_user ? "user name" : "role name"));
  return StatementPtr(std::move(statement));
}

Result<StatementPtr> SqlParser::ParseGrantOrRevoke() {
  const Token& first = Advance();  // GRANT or REVOKE
  const bool revoke = first.Is("revoke");
  const std::string_view direction = revoke ? "from" : "to";
  if (PeekKeyword("role") && Peek(1).is_identifier()) {
    Advance();
    auto statement = std::make_unique<GrantRoleStatement>(first.position);
    statement->revoke = revoke;
    ASSIGN_OR_RETURN(statement->role, ParseIdentifier("role name"));
    RETURN_NOT_OK(ExpectKeyword(direction));
    if (AcceptKeyword("user")) {
      statement->member_is_user = true;
    } else {
      RETURN_NOT_OK(ExpectKeyword("role"));
    }
    ASSIGN_OR_RETURN(statement->member,
                     ParseIdentifier(statement->member_is_user ? "user name" : "role name"));
    return StatementPtr(std::move(statement));
  }

  auto statement = std::make_unique<GrantPrivilegesStatement>(first.position);
  statement->revoke = revoke;
  if (revoke && PeekKeyword("grant") && PeekKeyword("option", 1)) {
    index_ += 2;
    RETURN_NOT_OK(ExpectKeyword("for"));
    statement->grant_option_only = true;
  }
  do {
    // Privileges are words, some of them reserved elsewhere (SELECT, INSERT).
    if (Peek().kind != TokenKind::kIdentifier) return SyntaxError();
    const Token& word = Advance();
    statement->privileges.push_back(Identifier{Upper(word.text), word.position});
  } while (Accept(TokenKind::kComma));
  RETURN_NOT_OK(ExpectKeyword("on"));
  RETURN_NOT_OK(
      ParseGrantObject(&statement->object_kind, &statement->object_position, &statement->object));
  RETURN_NOT_OK(ExpectKeyword(direction));
  RETURN_NOT_OK(ExpectKeyword("role"));
  ASSIGN_OR_RETURN(statement->grantee, ParseIdentifier("role name"));
  if (!revoke && AcceptKeyword("with")) {
    RETURN_NOT_OK(ExpectKeyword("grant"));
    RETURN_NOT_OK(ExpectKeyword("option"));
    statement->with_grant_option = true;
  }
  if (revoke && AcceptKeyword("cascade")) {
    statement->behavior = DropBehavior::kCascade;
  } else if (revoke && AcceptKeyword("restrict")) {
    statement->behavior = DropBehavior::kRestrict;
  }
  return StatementPtr(std::move(statement));
}

Status SqlParser::ParseGrantObject(std::string* kind, int64_t* position, QualifiedName* name) {
  *position = Peek().position;
  size_t max_parts = 0;
  if (AcceptKeyword("organization")) {
    *kind = "ORGANIZATION";
  } else if (AcceptKeyword("database")) {
    *kind = "DATABASE", max_parts = 1;
  } else if (AcceptKeyword("schema")) {
    *kind = "SCHEMA", max_parts = 2;
  } else if (AcceptKeyword("relation") || AcceptKeyword("stream") || AcceptKeyword("changelog")) {
    *kind = "RELATION", max_parts = 3;
  } else if (AcceptKeyword("store")) {
    *kind = "STORE", max_parts = 1;
  } else if (AcceptKeyword("query")) {
    *kind = "QUERY";
    ASSIGN_OR_RETURN(Identifier id, ParseQueryId());
    name->parts = {id.name};
    name->position = id.position;
  } else if (AcceptKeyword("all")) {
    if (AcceptKeyword("relations")) {
      RETURN_NOT_OK(ExpectKeyword("in"));
      RETURN_NOT_OK(ExpectKeyword("schema"));
      *kind = "ALL RELATIONS IN SCHEMA", max_parts = 2;
    } else {
      RETURN_NOT_OK(ExpectKeyword("schemas"));
      RETURN_NOT_OK(ExpectKeyword("in"));
      RETURN_NOT_OK(ExpectKeyword("database"));
      *kind = "ALL SCHEMAS IN DATABASE", max_parts = 1;
    }
  } else {
    return SyntaxError();
  }
  if (max_parts > 0) {
    ASSIGN_OR_RETURN(*name, ParseQualifiedName(max_parts, "object name"));
  }
  return Status::OK();
}

Result<StatementPtr> SqlParser::ParseAlterUser(int64_t start) {
  auto statement = std::make_unique<AlterUserStatement>(start);
  ASSIGN_OR_RETURN(statement->name, ParseIdentifier("user name"));
  if (AcceptKeyword("set")) {
    if (!AcceptKeyword("default_role")) {
      RETURN_NOT_OK(ExpectKeyword("default"));
      RETURN_NOT_OK(ExpectKeyword("role"));
    }
    Accept(TokenKind::kEq);
    ASSIGN_OR_RETURN(statement->default_role, ParseIdentifier("role name"));
    return StatementPtr(std::move(statement));
  }
  RETURN_NOT_OK(ExpectKeyword("with"));
  RETURN_NOT_OK(ExpectKeyword("password"));
  // The message never echoes the token: it may be a password written without quotes.
  if (Peek().kind != TokenKind::kString) {
    return Status::Parser("PASSWORD must be followed by a quoted string", Peek().position);
  }
  statement->password = Advance().text;
  return StatementPtr(std::move(statement));
}

Result<StatementPtr> SqlParser::ParseCanI() {
  auto statement = std::make_unique<CanIStatement>(Advance().position);  // CAN
  RETURN_NOT_OK(ExpectKeyword("i"));
  if (Peek().kind != TokenKind::kIdentifier) return SyntaxError();
  const Token& word = Advance();
  statement->privilege = Identifier{Upper(word.text), word.position};
  RETURN_NOT_OK(ExpectKeyword("on"));
  RETURN_NOT_OK(
      ParseGrantObject(&statement->object_kind, &statement->object_position, &statement->object));
  return StatementPtr(std::move(statement));
}

Result<StatementPtr> SqlParser::ParseUseRole(int64_t start) {
  auto statement = std::make_unique<UseRoleStatement>(start);
  ASSIGN_OR_RETURN(statement->role, ParseIdentifier("role name"));
  return StatementPtr(std::move(statement));
}

Result<StatementPtr> SqlParser::ParseShowGovernance(int64_t start) {
  auto statement = std::make_unique<ShowGovernanceStatement>(start);
  if (AcceptKeyword("roles")) {
    statement->what = ShowGovernanceKind::kRoles;
  } else if (AcceptKeyword("users")) {
    statement->what = ShowGovernanceKind::kUsers;
  } else {
    RETURN_NOT_OK(ExpectKeyword("grants"));
    statement->what = ShowGovernanceKind::kGrants;
    if (AcceptKeyword("to")) {
      if (AcceptKeyword("user")) {
        statement->grantee_is_user = true;
      } else {
        RETURN_NOT_OK(ExpectKeyword("role"));
      }
      ASSIGN_OR_RETURN(statement->grantee,
                       ParseIdentifier(statement->grantee_is_user ? "user name" : "role name"));
    } else if (AcceptKeyword("on")) {
      RETURN_NOT_OK(ParseGrantObject(&statement->object_kind, &statement->object_position,
                                     &statement->object));
    }
  }
  return StatementPtr(std::move(statement));
}

}  // namespace sluice
