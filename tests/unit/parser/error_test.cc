#include <gtest/gtest.h>

#include <ostream>
#include <string>

#include "parser/parser.h"

namespace sluice {
namespace {

struct ErrorCase {
  std::string text;
  std::string message;
  // Offset of `at` in `text` (its first occurrence), or the end of the text when empty.
  std::string at;
};

void PrintTo(const ErrorCase& c, std::ostream* os) { *os << c.text; }

int64_t ExpectedPosition(const ErrorCase& c) {
  if (c.at.empty()) return static_cast<int64_t>(c.text.size());
  size_t found = c.text.find(c.at);
  EXPECT_NE(found, std::string::npos) << c.at;
  return static_cast<int64_t>(found);
}

class ParserErrorTest : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(ParserErrorTest, MessageAndPosition) {
  const ErrorCase& c = GetParam();
  Result<std::vector<StatementPtr>> script = ParseScript(c.text);
  ASSERT_FALSE(script.ok()) << c.text;
  EXPECT_EQ(script.status().category(), ErrorCategory::kParser);
  EXPECT_EQ(script.status().message(), c.message) << c.text;
  EXPECT_EQ(script.status().position(), ExpectedPosition(c)) << c.text;
}

INSTANTIATE_TEST_SUITE_P(
    All, ParserErrorTest,
    ::testing::Values(
        ErrorCase{"SELECT a FROM", "syntax error at end of input", ""},
        ErrorCase{"SELECT FROM t", "syntax error at or near \"FROM\"", "FROM"},
        ErrorCase{"BOGUS STUFF", "syntax error at or near \"BOGUS\"", "BOGUS"},
        ErrorCase{"CREATE TABLE t (a INT)", "syntax error at or near \"TABLE\"", "TABLE"},
        ErrorCase{"SELECT 1 SELECT 2", "syntax error at or near \"SELECT\"", "SELECT 2"},
        ErrorCase{"SELECT a NOT b FROM t", "syntax error at or near \"NOT\"", "NOT"},
        ErrorCase{"SELECT CASE END", "syntax error at or near \"END\"", "END"},
        ErrorCase{"SELECT a FROM t EMIT SOMETIMES", "syntax error at or near \"SOMETIMES\"",
                  "SOMETIMES"},
        ErrorCase{"SELECT a FROM t JOIN u", "syntax error at end of input", ""},
        ErrorCase{"SELECT * FROM t AS select", "syntax error at or near \"select\"", "select"},
        ErrorCase{"SELECT a.* + 1 FROM t", "syntax error at or near \"+\"", "+"},
        ErrorCase{"SELECT 1 + a.* FROM t", "syntax error at or near \"*\"", "*"},
        ErrorCase{"CREATE STREAM s (a INT NOT)", "syntax error at or near \")\"", ")"},
        ErrorCase{"PRINT TOPIC 'x' FROM", "syntax error at end of input", ""},
        ErrorCase{"TERMINATE QUERY", "syntax error at end of input", ""},
        ErrorCase{"TERMINATE QUERY ,", "expected a query id, found \",\"", ","},
        ErrorCase{"CREATE STREAM s (a INT, PRIMARY KEY (a), b INT)",
                  "expected \")\" after column list, found \",\"", ", b"},
        ErrorCase{"CREATE STREAM s (a INT b INT)", "expected \")\" after column list, found \"b\"",
                  "b INT"},
        ErrorCase{"CREATE STREAM s (PRIMARY KEY (a))", "a relation needs at least one column",
                  "PRIMARY"},
        ErrorCase{"CREATE STREAM s (1 INT)", "expected column name, found \"1\"", "1"},
        ErrorCase{"CREATE STREAM s (a DECIMAL(19, 2))",
                  "DECIMAL precision must be between 1 and 18", "19"},
        ErrorCase{"CREATE STREAM s (a DECIMAL(0))", "DECIMAL precision must be between 1 and 18",
                  "0"},
        ErrorCase{"CREATE STREAM s (a DECIMAL(10, 11))",
                  "DECIMAL scale must be between 0 and the precision (10)", "11"},
        ErrorCase{"CREATE STREAM s (a VARCHR)",
                  "unknown type \"VARCHR\" (did you mean \"VARCHAR\"?)", "VARCHR"},
        ErrorCase{"CREATE STREAM s (a bigin)", "unknown type \"bigin\" (did you mean \"BIGINT\"?)",
                  "bigin"},
        ErrorCase{"CREATE STREAM s (a FOO)", "unknown type \"FOO\"", "FOO"},
        ErrorCase{"CREATE STREAM s (a MAP<INT, INT>)", "MAP keys must be VARCHAR, not INTEGER",
                  "INT,"},
        ErrorCase{"CREATE STREAM s (a STRUCT<x INT, X BIGINT>)",
                  "duplicate field name \"x\" in STRUCT", "X BIGINT"},
        ErrorCase{"CREATE STREAM s (a STRUCT<x INT)",
                  "expected \">\" after STRUCT fields, found \")\"", ")"},
        ErrorCase{"CREATE STREAM s (a ARRAY(INT))", "expected \"<\" after ARRAY, found \"(\"",
                  "(INT"},
        ErrorCase{"INSERT INTO t (a b) VALUES (1)", "expected \")\" after column list, found \"b\"",
                  "b)"},
        ErrorCase{"INSERT INTO t VALUES (1 2)", "expected \")\" after VALUES row, found \"2\"",
                  "2"},
        ErrorCase{"SELECT f(a b)", "expected \")\" after function arguments, found \"b\"", "b)"},
        ErrorCase{"SELECT a IN (1 2)", "expected \")\" after IN list, found \"2\"", "2"},
        ErrorCase{"SELECT CAST(a AS INT", "expected \")\" after CAST type, found end of input", ""},
        ErrorCase{"SELECT a[1", "expected \"]\" after subscript, found end of input", ""},
        ErrorCase{"CREATE STORE k WITH ('a'='b' 'c'='d')",
                  "expected \")\" after properties, found \"'c'\"", "'c'"},
        ErrorCase{"CREATE STORE k WITH ('a' 'b')",
                  "expected \"=\" after property key, found \"'b'\"", "'b'"},
        ErrorCase{"CREATE STORE k WITH ('a'=x)",
                  "expected a string, number, TRUE or FALSE as value of property 'a', found \"x\"",
                  "x"},
        ErrorCase{"CREATE STORE k WITH ('topic'='a', topic='b')",
                  "property 'topic' is specified more than once", "topic="},
        ErrorCase{"SELECT * FROM t LIMIT -1",
                  "expected a non-negative integer after LIMIT, found \"-\"", "-"},
        ErrorCase{"SELECT * FROM t LIMIT 99999999999999999999",
                  "integer 99999999999999999999 is out of range", "99"},
        ErrorCase{"SELECT * FROM TUMBLE(t, SIZE 1 WEEK)",
                  "expected a time unit (MILLISECOND, SECOND, MINUTE, HOUR or DAY), found \"WEEK\"",
                  "WEEK"},
        ErrorCase{"SELECT * FROM TUMBLE(t, SIZE x MINUTE)",
                  "expected a non-negative integer as a number of time units, found \"x\"", "x M"},
        ErrorCase{"SELECT * FROM TUMBLE(t, SIZE 1 MINUTE",
                  "expected \")\" after window arguments, found end of input", ""},
        ErrorCase{"SELECT * FROM HOP(t, SIZE 1 MINUTE, ADVANCE 1 SECOND)",
                  "syntax error at or near \"1\"", "1 SECOND"},
        ErrorCase{"SELECT * FROM a JOIN b WITHIN (1 SECOND 2 SECOND) ON true",
                  "syntax error at or near \"2\"", "2"},
        ErrorCase{"SELECT * FROM SESSION(t, SIZE 1 MINUTE)", "syntax error at or near \"SIZE\"",
                  "SIZE"},
        ErrorCase{"SELECT * FROM TUMBLE(t, SIZE 9223372036854775807 DAY)",
                  "interval is out of range", "9223"},
        ErrorCase{"SELECT INTERVAL '1x' MINUTE",
                  "invalid interval count '1x' (expected a non-negative integer)", "'1x'"},
        ErrorCase{"DROP DATABASE a.b", "improper qualified name (too many dotted names): a.b",
                  "a.b"},
        ErrorCase{"SELECT * FROM a.b.c.d",
                  "improper qualified name (too many dotted names): a.b.c.d", "a.b"},
        ErrorCase{"SHOW TABLES", "syntax error at or near \"TABLES\"", "TABLES"},
        ErrorCase{"DROP QUERY 1", "syntax error at or near \"QUERY\"", "QUERY"},
        ErrorCase{"USE STORE s", "syntax error at or near \"STORE\"", "STORE"},
        ErrorCase{"USE ROLE", "syntax error at end of input", ""},
        // Lexer errors surface in text order relative to syntax errors.
        ErrorCase{"SELECT 1; SELECT 'abc", "unterminated quoted string", "'abc"},
        ErrorCase{"SELECT 1 'abc", "unterminated quoted string", "'abc"},
        ErrorCase{"SELECT FROM; SELECT 'abc", "syntax error at or near \"FROM\"", "FROM"},
        ErrorCase{"SELECT a /* open", "unterminated /* comment", "/*"},
        ErrorCase{"SELECT \"abc", "unterminated quoted identifier", "\"abc"}));

TEST(ParserErrorTest, ParseStatementRejectsASecondStatement) {
  Result<StatementPtr> statement = ParseStatement("SELECT 1; SELECT 2");
  ASSERT_FALSE(statement.ok());
  EXPECT_EQ(statement.status().message(),
            "only one statement is allowed here, found another at \"SELECT\"");
  EXPECT_EQ(statement.status().position(), 10);
}

TEST(ParserErrorTest, ParseStatementRejectsEmptyText) {
  Result<StatementPtr> statement = ParseStatement("  -- nothing");
  ASSERT_FALSE(statement.ok());
  EXPECT_EQ(statement.status().message(), "syntax error at end of input");
  EXPECT_EQ(statement.status().position(), 12);
}

TEST(ParserErrorTest, DeepNestingIsAnErrorNotACrash) {
  std::string parens = std::string(5000, '(') + "1" + std::string(5000, ')');
  Result<ExprPtr> nested = ParseExpression(parens);
  ASSERT_FALSE(nested.ok());
  EXPECT_EQ(nested.status().message(), "statement is nested too deeply (more than 1000 levels)");

  std::string chain = "1";
  for (int term = 0; term < 5000; ++term) chain += " + 1";
  Result<ExprPtr> long_chain = ParseExpression(chain);
  ASSERT_FALSE(long_chain.ok());
  EXPECT_EQ(long_chain.status().message(),
            "statement is nested too deeply (more than 1000 levels)");

  std::string nots;
  for (int level = 0; level < 5000; ++level) nots += "NOT ";
  EXPECT_FALSE(ParseExpression(nots + "x").ok());

  std::string arrays;
  for (int level = 0; level < 5000; ++level) arrays += "ARRAY<";
  EXPECT_FALSE(ParseStatement("CREATE STREAM s (a " + arrays + "INT").ok());

  // Moderate nesting is fine.
  std::string moderate = std::string(100, '(') + "1" + std::string(100, ')');
  EXPECT_TRUE(ParseExpression(moderate).ok());
  std::string sum = "1";
  for (int term = 0; term < 500; ++term) sum += " + 1";
  EXPECT_TRUE(ParseExpression(sum).ok());
}

TEST(ParserErrorTest, RendersWithLineAndCaret) {
  std::string text = "CREATE STREAM s (\n  a INT,\n  b VARCHR\n)";
  Result<std::vector<StatementPtr>> script = ParseScript(text);
  ASSERT_FALSE(script.ok());
  EXPECT_EQ(RenderError(script.status(), text),
            "ERROR: PARSER: unknown type \"VARCHR\" (did you mean \"VARCHAR\"?)\n"
            "LINE 3:   b VARCHR\n"
            "            ^");
}

}  // namespace
}  // namespace sluice
