#include <gtest/gtest.h>

#include <string>

#include "parser/parser.h"

namespace sluice {
namespace {

TEST(IsCompleteStatementTest, NeedsASemicolonOutsideQuotesAndComments) {
  EXPECT_FALSE(IsCompleteStatement(""));
  EXPECT_FALSE(IsCompleteStatement("SELECT * FROM t"));
  EXPECT_TRUE(IsCompleteStatement("SELECT * FROM t;"));
  EXPECT_TRUE(IsCompleteStatement("SELECT * FROM t;  \n"));
  EXPECT_TRUE(IsCompleteStatement(";"));
  EXPECT_FALSE(IsCompleteStatement("SELECT 'a;b"));
  EXPECT_TRUE(IsCompleteStatement("SELECT 'a;b';"));
  EXPECT_FALSE(IsCompleteStatement("SELECT 'it'';s"));
  EXPECT_TRUE(IsCompleteStatement("SELECT 'it'';s';"));
  EXPECT_FALSE(IsCompleteStatement("SELECT \"a;b\" FROM t"));
  EXPECT_FALSE(IsCompleteStatement("SELECT 1 -- comment;"));
  EXPECT_TRUE(IsCompleteStatement("SELECT 1 -- comment;\n;"));
  EXPECT_FALSE(IsCompleteStatement("SELECT 1 /* ; */"));
  EXPECT_FALSE(IsCompleteStatement("SELECT 1 /* ; "));
  EXPECT_TRUE(IsCompleteStatement("SELECT 1 /* ; */;"));
  EXPECT_TRUE(IsCompleteStatement("SELECT a->b;"));
}

TEST(SplitStatementsTest, SplitsAtTopLevelSemicolons) {
  std::string text =
      "CREATE DATABASE shop;\n"
      "  -- a comment; not a boundary\n"
      "INSERT INTO t VALUES ('a;b', \"c;d\") ; ;\n"
      "/* block ; */ FLUSH";
  std::vector<std::string_view> pieces = SplitStatements(text);
  ASSERT_EQ(pieces.size(), 3u);
  EXPECT_EQ(pieces[0], "CREATE DATABASE shop");
  EXPECT_EQ(pieces[1], "-- a comment; not a boundary\nINSERT INTO t VALUES ('a;b', \"c;d\")");
  EXPECT_EQ(pieces[2], "/* block ; */ FLUSH");
  // Pieces are views into the text, so positions inside them map back.
  EXPECT_EQ(pieces[0].data(), text.data());
}

TEST(SplitStatementsTest, DropsBlankAndCommentOnlyPieces) {
  EXPECT_TRUE(SplitStatements("").empty());
  EXPECT_TRUE(SplitStatements(" ; ;\n").empty());
  EXPECT_TRUE(SplitStatements("-- only a comment\n; /* and another */").empty());
}

TEST(SplitStatementsTest, UnterminatedQuoteRunsToTheEnd) {
  std::vector<std::string_view> pieces = SplitStatements("SELECT 1; SELECT 'abc; def");
  ASSERT_EQ(pieces.size(), 2u);
  EXPECT_EQ(pieces[1], "SELECT 'abc; def");
  // The piece still fails to parse with the lexer's message.
  Result<StatementPtr> statement = ParseStatement(pieces[1]);
  ASSERT_FALSE(statement.ok());
  EXPECT_EQ(statement.status().message(), "unterminated quoted string");
}

TEST(SplitStatementsTest, AgreesWithParseScript) {
  std::string text = "SELECT ';' AS x FROM t; CREATE STREAM s (a INT) WITH ('k'='v;w');FLUSH";
  std::vector<std::string_view> pieces = SplitStatements(text);
  Result<std::vector<StatementPtr>> script = ParseScript(text);
  ASSERT_TRUE(script.ok());
  ASSERT_EQ(pieces.size(), script->size());
  for (size_t statement_idx = 0; statement_idx < pieces.size(); ++statement_idx) {
    const Statement& statement = *(*script)[statement_idx];
    EXPECT_EQ(pieces[statement_idx],
              std::string_view(text).substr(statement.begin, statement.end - statement.begin));
  }
}

}  // namespace
}  // namespace sluice
