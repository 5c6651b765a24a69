// Catalog statements: CREATE, DROP, SHOW, DESCRIBE, USE, ALTER STORE.

#include "parser/sql_parser.h"

namespace sluice {

Result<StatementPtr> SqlParser::ParseCreate() {
  int64_t start = Advance().position;  // CREATE
  if (AcceptKeyword("database")) {
    auto statement = std::make_unique<CreateDatabaseStatement>(start);
    statement->if_not_exists = ParseIfNotExists();
    ASSIGN_OR_RETURN(statement->name, ParseQualifiedName(1, "database name"));
    return StatementPtr(std::move(statement));
  }
  if (AcceptKeyword("schema")) {
    auto statement = std::make_unique<CreateSchemaStatement>(start);
    statement->if_not_exists = ParseIfNotExists();
    ASSIGN_OR_RETURN(statement->name, ParseQualifiedName(2, "schema name"));
    return StatementPtr(std::move(statement));
  }
  if (AcceptKeyword("stream")) return ParseCreateRelation(start, RelationKind::kStream);
  if (AcceptKeyword("changelog")) return ParseCreateRelation(start, RelationKind::kChangelog);
  if (AcceptKeyword("materialized")) {
    RETURN_NOT_OK(ExpectKeyword("view"));
    return ParseCreateRelation(start, RelationKind::kMaterializedView);
  }
  if (AcceptKeyword("role")) return ParseCreateRole(start);
  if (AcceptKeyword("user")) return ParseCreateUser(start);
  if (AcceptKeyword("store")) {
    auto statement = std::make_unique<CreateStoreStatement>(start);
    ASSIGN_OR_RETURN(statement->name, ParseIdentifier("store name"));
    RETURN_NOT_OK(ExpectKeyword("with"));
    ASSIGN_OR_RETURN(statement->properties, ParseProperties());
    return StatementPtr(std::move(statement));
  }
  return SyntaxError();
}

Result<StatementPtr> SqlParser::ParseCreateRelation(int64_t start, RelationKind kind) {
  bool if_not_exists = ParseIfNotExists();
  ASSIGN_OR_RETURN(QualifiedName name, ParseQualifiedName(3, "relation name"));

  if (kind != RelationKind::kMaterializedView && Accept(TokenKind::kLParen)) {
    auto statement = std::make_unique<CreateRelationStatement>(start);
    statement->relation_kind = kind;
    statement->if_not_exists = if_not_exists;
    statement->name = std::move(name);
    do {
      if (PeekKeyword("primary") && PeekKeyword("key", 1)) {
        if (!statement->primary_key.empty()) return SyntaxError();
        statement->primary_key_position = Peek().position;
        index_ += 2;
        RETURN_NOT_OK(Expect(TokenKind::kLParen));
        do {
          ASSIGN_OR_RETURN(Identifier column, ParseIdentifier("column name"));
          statement->primary_key.push_back(std::move(column));
        } while (Accept(TokenKind::kComma));
        RETURN_NOT_OK(Expect(TokenKind::kRParen, "after primary key columns"));
        // The key comes last: anything but ")" next is reported by the check below.
        break;
      }
      ASSIGN_OR_RETURN(ColumnDef column, ParseColumnDef());
      statement->columns.push_back(std::move(column));
    } while (Accept(TokenKind::kComma));
    RETURN_NOT_OK(Expect(TokenKind::kRParen, "after column list"));
    if (statement->columns.empty()) {
      return Status::Parser("a relation needs at least one column",
                            statement->primary_key_position);
    }
    if (AcceptKeyword("with")) {
      ASSIGN_OR_RETURN(statement->properties, ParseProperties());
    }
    return StatementPtr(std::move(statement));
  }

  auto statement = std::make_unique<CreateRelationAsSelectStatement>(start);
  statement->relation_kind = kind;
  statement->if_not_exists = if_not_exists;
  statement->name = std::move(name);
  if (AcceptKeyword("with")) {
    ASSIGN_OR_RETURN(statement->properties, ParseProperties());
  }
  RETURN_NOT_OK(ExpectKeyword("as"));
  if (!PeekKeyword("select")) return SyntaxError();
  ASSIGN_OR_RETURN(statement->query, ParseSelect());
  return StatementPtr(std::move(statement));
}

Result<ColumnDef> SqlParser::ParseColumnDef() {
  ColumnDef column;
  ASSIGN_OR_RETURN(Identifier name, ParseIdentifier("column name"));
  column.name = std::move(name.name);
  column.position = name.position;
  ASSIGN_OR_RETURN(column.type, ParseType());
  if (AcceptKeyword("not")) {
    RETURN_NOT_OK(ExpectKeyword("null"));
    column.not_null = true;
  }
  return column;
}

namespace {

struct ObjectWord {
  std::string_view word;
  ObjectType type;
};

// Object-type words of DROP and DESCRIBE; MATERIALIZED is followed by VIEW.
constexpr ObjectWord kObjectWords[] = {
    {"database", ObjectType::kDatabase},   {"schema", ObjectType::kSchema},
    {"relation", ObjectType::kRelation},   {"stream", ObjectType::kStream},
    {"changelog", ObjectType::kChangelog}, {"materialized", ObjectType::kMaterializedView},
    {"store", ObjectType::kStore},         {"query", ObjectType::kQuery},
};

size_t MaxNameParts(ObjectType type) {
  switch (type) {
    case ObjectType::kDatabase:
    case ObjectType::kStore:
    case ObjectType::kQuery: return 1;
    case ObjectType::kSchema: return 2;
    default: return 3;
  }
}

}  // namespace

Result<StatementPtr> SqlParser::ParseDrop() {
  int64_t start = Advance().position;
  if (AcceptKeyword("role")) return ParseDropRole(start, /*is_user=*/false);
  if (AcceptKeyword("user")) return ParseDropRole(start, /*is_user=*/true);
  auto statement = std::make_unique<DropStatement>(start);
  bool found = false;
  for (const ObjectWord& object : kObjectWords) {
    if (object.type != ObjectType::kQuery && AcceptKeyword(object.word)) {
      statement->object_type = object.type;
      found = true;
      break;
    }
  }
  if (!found) return SyntaxError();
  if (statement->object_type == ObjectType::kMaterializedView) {
    RETURN_NOT_OK(ExpectKeyword("view"));
  }
  statement->if_exists = ParseIfExists();
  ASSIGN_OR_RETURN(statement->name,
                   ParseQualifiedName(MaxNameParts(statement->object_type), "object name"));
  if (AcceptKeyword("cascade")) {
    statement->behavior = DropBehavior::kCascade;
  } else if (AcceptKeyword("restrict")) {
    statement->behavior = DropBehavior::kRestrict;
  }
  return StatementPtr(std::move(statement));
}

Result<StatementPtr> SqlParser::ParseShow() {
  int64_t start = Advance().position;
  if (PeekKeyword("roles") || PeekKeyword("users") || PeekKeyword("grants")) {
    return ParseShowGovernance(start);
  }
  auto statement = std::make_unique<ShowStatement>(start);
  std::string_view scope_word;  // optional word after IN
  size_t max_parts = 0;         // 0: no IN clause allowed
  if (AcceptKeyword("databases")) {
    statement->what = ShowKind::kDatabases;
  } else if (AcceptKeyword("schemas")) {
    statement->what = ShowKind::kSchemas, scope_word = "database", max_parts = 1;
  } else if (AcceptKeyword("relations")) {
    statement->what = ShowKind::kRelations, scope_word = "schema", max_parts = 2;
  } else if (AcceptKeyword("streams")) {
    statement->what = ShowKind::kStreams, scope_word = "schema", max_parts = 2;
  } else if (AcceptKeyword("changelogs")) {
    statement->what = ShowKind::kChangelogs, scope_word = "schema", max_parts = 2;
  } else if (PeekKeyword("materialized") && PeekKeyword("views", 1)) {
    index_ += 2;
    statement->what = ShowKind::kMaterializedViews, scope_word = "schema", max_parts = 2;
  } else if (AcceptKeyword("stores")) {
    statement->what = ShowKind::kStores;
  } else if (AcceptKeyword("queries")) {
    statement->what = ShowKind::kQueries;
  } else if (AcceptKeyword("topics")) {
    statement->what = ShowKind::kTopics, scope_word = "store", max_parts = 1;
  } else {
    return SyntaxError();
  }
  if (max_parts > 0 && AcceptKeyword("in")) {
    // "IN schema" alone names a schema called "schema"; the word is a keyword only before a name.
    if (PeekKeyword(scope_word) && Peek(1).is_identifier()) Advance();
    ASSIGN_OR_RETURN(QualifiedName scope, ParseQualifiedName(max_parts, "name"));
    statement->scope = std::move(scope);
  }
  return StatementPtr(std::move(statement));
}

Result<StatementPtr> SqlParser::ParseDescribe() {
  auto statement = std::make_unique<DescribeStatement>(Advance().position);
  for (const ObjectWord& object : kObjectWords) {
    if (object.type == ObjectType::kDatabase || object.type == ObjectType::kSchema) continue;
    if (!PeekKeyword(object.word)) continue;
    bool materialized = object.type == ObjectType::kMaterializedView;
    if (materialized && !PeekKeyword("view", 1)) continue;
    const Token& after = Peek(materialized ? 2 : 1);
    bool is_query = object.type == ObjectType::kQuery;
    // A type word followed by no name is itself the name: DESCRIBE stream.
    if (!after.is_identifier() &&
        !(is_query && (after.kind == TokenKind::kInteger || after.kind == TokenKind::kString))) {
      continue;
    }
    index_ += materialized ? 2 : 1;
    statement->object_type = object.type;
    break;
  }
  if (statement->object_type == ObjectType::kQuery) {
    ASSIGN_OR_RETURN(statement->query_id, ParseQueryId());
  } else {
    ASSIGN_OR_RETURN(statement->name,
                     ParseQualifiedName(MaxNameParts(statement->object_type), "object name"));
  }
  return StatementPtr(std::move(statement));
}

Result<StatementPtr> SqlParser::ParseUse() {
  int64_t start = Advance().position;
  if (AcceptKeyword("role")) return ParseUseRole(start);
  if (AcceptKeyword("database")) {
    auto statement = std::make_unique<UseDatabaseStatement>(start);
    ASSIGN_OR_RETURN(statement->name, ParseQualifiedName(1, "database name"));
    return StatementPtr(std::move(statement));
  }
  if (AcceptKeyword("schema")) {
    auto statement = std::make_unique<UseSchemaStatement>(start);
    ASSIGN_OR_RETURN(statement->name, ParseQualifiedName(2, "schema name"));
    return StatementPtr(std::move(statement));
  }
  return SyntaxError();
}

Result<StatementPtr> SqlParser::ParseAlter() {
  const int64_t start = Advance().position;
  if (AcceptKeyword("user")) return ParseAlterUser(start);
  auto statement = std::make_unique<AlterStoreStatement>(start);
  RETURN_NOT_OK(ExpectKeyword("store"));
  ASSIGN_OR_RETURN(statement->name, ParseIdentifier("store name"));
  // SET (...) as DeltaStream writes it; WITH (...) as CREATE STORE does.
  if (!AcceptKeyword("set")) RETURN_NOT_OK(ExpectKeyword("with"));
  ASSIGN_OR_RETURN(statement->properties, ParseProperties());
  return StatementPtr(std::move(statement));
}

}  // namespace sluice
