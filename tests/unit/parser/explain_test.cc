#include <gtest/gtest.h>

#include <string>

#include "parser/parser.h"

namespace sluice {
namespace {

const ExplainStatement& ParseExplain(const std::string& text, StatementPtr& holder) {
  Result<StatementPtr> statement = ParseStatement(text);
  EXPECT_TRUE(statement.ok()) << text << ": " << statement.status().ToString();
  holder = statement.ok() ? std::move(statement).value() : nullptr;
  EXPECT_NE(holder, nullptr);
  EXPECT_EQ(holder->kind, StatementKind::kExplain);
  return holder->As<ExplainStatement>();
}

// The statement EXPLAIN explains (null for EXPLAIN QUERY).
const Statement* Explained(const std::string& text, StatementPtr& holder) {
  return ParseExplain(text, holder).statement.get();
}

TEST(ExplainTest, QueryStatementsKeepTheirPositions) {
  StatementPtr holder;
  const Statement* select = Explained("EXPLAIN SELECT a FROM t WHERE a > 1", holder);
  ASSERT_NE(select, nullptr);
  EXPECT_EQ(select->kind, StatementKind::kSelect);
  // The explained statement's positions are into the EXPLAIN's text.
  EXPECT_EQ(select->begin, 8);
  EXPECT_EQ(select->end, 35);
  EXPECT_EQ(select->As<SelectStatement>().from->position, 22);

  const Statement* create = Explained(
      "explain create changelog c with ('parallelism'=2) as select k, count(*) "
      "from s group by k",
      holder);
  ASSERT_NE(create, nullptr);
  EXPECT_EQ(create->As<CreateRelationAsSelectStatement>().relation_kind, RelationKind::kChangelog);

  const Statement* view =
      Explained("EXPLAIN CREATE MATERIALIZED VIEW v AS SELECT k, n FROM c", holder);
  ASSERT_NE(view, nullptr);
  EXPECT_EQ(view->As<CreateRelationAsSelectStatement>().relation_kind,
            RelationKind::kMaterializedView);

  const Statement* insert = Explained("EXPLAIN INSERT INTO out SELECT a FROM t", holder);
  ASSERT_NE(insert, nullptr);
  EXPECT_EQ(insert->kind, StatementKind::kInsertSelect);

  // Flink SQL's spelling.
  const Statement* plan_for = Explained("EXPLAIN PLAN FOR SELECT 1", holder);
  ASSERT_NE(plan_for, nullptr);
  EXPECT_EQ(plan_for->begin, 17);
}

TEST(ExplainTest, QueryId) {
  StatementPtr holder;
  const auto& query = ParseExplain("EXPLAIN QUERY 42", holder);
  EXPECT_EQ(query.statement, nullptr);
  EXPECT_EQ(query.query_id.name, "42");
  EXPECT_EQ(query.query_id.position, 14);

  Result<StatementPtr> missing = ParseStatement("EXPLAIN QUERY (1)");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().message(), "expected a query id, found \"(\"");
  EXPECT_EQ(missing.status().position(), 14);
}

TEST(ExplainTest, OnlyQueriesAreExplained) {
  Result<StatementPtr> drop = ParseStatement("EXPLAIN DROP STREAM s");
  ASSERT_FALSE(drop.ok());
  EXPECT_EQ(drop.status().position(), 8);
  EXPECT_NE(drop.status().message().find("EXPLAIN takes a query"), std::string::npos);

  Result<StatementPtr> values = ParseStatement("EXPLAIN INSERT INTO s VALUES (1)");
  ASSERT_FALSE(values.ok());
  EXPECT_EQ(values.status().position(), 8);

  Result<StatementPtr> twice = ParseStatement("EXPLAIN EXPLAIN SELECT 1");
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.status().position(), 8);

  Result<StatementPtr> empty = ParseStatement("EXPLAIN");
  ASSERT_FALSE(empty.ok());
  EXPECT_NE(empty.status().message().find("end of input"), std::string::npos);

  // A syntax error inside the explained statement points where it would without EXPLAIN.
  Result<StatementPtr> bad = ParseStatement("EXPLAIN SELECT a FROM");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().position(), 21);
}

TEST(ExplainTest, RoundTrip) {
  for (const auto& [input, canonical] :
       {std::make_pair("explain select a from t", "EXPLAIN SELECT a FROM t"),
        std::make_pair("explain plan for insert into o select a from t",
                       "EXPLAIN INSERT INTO o SELECT a FROM t"),
        std::make_pair("explain query 7", "EXPLAIN QUERY 7")}) {
    Result<StatementPtr> statement = ParseStatement(input);
    ASSERT_TRUE(statement.ok()) << statement.status().ToString();
    EXPECT_EQ(ToSql(**statement), canonical);
    Result<StatementPtr> again = ParseStatement(canonical);
    ASSERT_TRUE(again.ok()) << again.status().ToString();
    EXPECT_EQ(ToSql(**again), canonical);
  }
}

}  // namespace
}  // namespace sluice
