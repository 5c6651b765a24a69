// Data and query-control statements: INSERT, TERMINATE/RESTART QUERY, PRINT TOPIC, EXPLAIN.

#include "parser/sql_parser.h"

namespace sluice {

Result<StatementPtr> SqlParser::ParseInsert() {
  int64_t start = Advance().position;  // INSERT
  RETURN_NOT_OK(ExpectKeyword("into"));
  ASSIGN_OR_RETURN(QualifiedName target, ParseQualifiedName(3, "relation name"));

  if (PeekKeyword("with") || PeekKeyword("select")) {
    auto statement = std::make_unique<InsertSelectStatement>(start);
    statement->target = std::move(target);
    if (AcceptKeyword("with")) {
      ASSIGN_OR_RETURN(statement->properties, ParseProperties());
    }
    if (!PeekKeyword("select")) return SyntaxError();
    ASSIGN_OR_RETURN(statement->query, ParseSelect());
    return StatementPtr(std::move(statement));
  }

  auto statement = std::make_unique<InsertValuesStatement>(start);
  statement->target = std::move(target);
  if (Accept(TokenKind::kLParen)) {
    do {
      ASSIGN_OR_RETURN(Identifier column, ParseIdentifier("column name"));
      statement->columns.push_back(std::move(column));
    } while (Accept(TokenKind::kComma));
    RETURN_NOT_OK(Expect(TokenKind::kRParen, "after column list"));
  }
  RETURN_NOT_OK(ExpectKeyword("values"));
  do {
    statement->row_positions.push_back(Peek().position);
    RETURN_NOT_OK(Expect(TokenKind::kLParen));
    ASSIGN_OR_RETURN(ExprList row, ParseExprList("after VALUES row"));
    statement->rows.push_back(std::move(row));
  } while (Accept(TokenKind::kComma));
  return StatementPtr(std::move(statement));
}

Result<StatementPtr> SqlParser::ParseQueryCommand() {
  const Token& verb = Advance();
  RETURN_NOT_OK(ExpectKeyword("query"));
  ASSIGN_OR_RETURN(Identifier id, ParseQueryId());
  if (verb.Is("terminate")) {
    auto statement = std::make_unique<TerminateQueryStatement>(verb.position);
    statement->query_id = std::move(id);
    return StatementPtr(std::move(statement));
  }
  auto statement = std::make_unique<RestartQueryStatement>(verb.position);
  statement->query_id = std::move(id);
  return StatementPtr(std::move(statement));
}

Result<StatementPtr> SqlParser::ParseExplain() {
  auto statement = std::make_unique<ExplainStatement>(Advance().position);
  // Flink SQL's spelling: EXPLAIN PLAN FOR statement.
  if (PeekKeyword("plan") && PeekKeyword("for", 1)) index_ += 2;
  // No statement starts with QUERY: what follows is the id.
  if (AcceptKeyword("query")) {
    ASSIGN_OR_RETURN(statement->query_id, ParseQueryId());
    return StatementPtr(std::move(statement));
  }
  ASSIGN_OR_RETURN(statement->statement, ParseOneStatement());
  switch (statement->statement->kind) {
    case StatementKind::kSelect:
    case StatementKind::kCreateRelationAsSelect:
    case StatementKind::kInsertSelect: return StatementPtr(std::move(statement));
    default:
      return Status::Parser(
          "EXPLAIN takes a query: SELECT, CREATE STREAM|CHANGELOG|MATERIALIZED VIEW ... AS "
          "SELECT, or INSERT INTO ... SELECT (EXPLAIN QUERY id shows a running query's plan)",
          statement->statement->position);
  }
}

Result<StatementPtr> SqlParser::ParsePrint() {
  auto statement = std::make_unique<PrintTopicStatement>(Advance().position);
  RETURN_NOT_OK(ExpectKeyword("topic"));
  const Token& topic = Peek();
  if (topic.kind == TokenKind::kString) {
    Advance();
    statement->topic = Identifier{topic.text, topic.position};
  } else {
    ASSIGN_OR_RETURN(statement->topic, ParseIdentifier("topic name"));
  }
  if (AcceptKeyword("in")) {
    RETURN_NOT_OK(ExpectKeyword("store"));
    ASSIGN_OR_RETURN(Identifier store, ParseIdentifier("store name"));
    statement->store = std::move(store);
  }
  if (AcceptKeyword("from")) {
    RETURN_NOT_OK(ExpectKeyword("beginning"));
    statement->from_beginning = true;
  }
  if (PeekKeyword("limit")) {
    statement->limit_position = Advance().position;
    ASSIGN_OR_RETURN(int64_t limit, ParseNonNegativeInteger("after LIMIT"));
    statement->limit = limit;
  }
  return StatementPtr(std::move(statement));
}

}  // namespace sluice
