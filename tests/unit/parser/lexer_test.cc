#include "parser/lexer.h"

#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <vector>

namespace sluice {
namespace {

std::vector<TokenKind> Kinds(const TokenizedText& lexed) {
  std::vector<TokenKind> kinds;
  for (const Token& token : lexed.tokens) kinds.push_back(token.kind);
  return kinds;
}

TEST(LexerTest, EveryOperatorAndPunctuation) {
  TokenizedText lexed = Tokenize("( ) [ ] , . ; + - * / % || -> = <> != < <= > >=");
  ASSERT_TRUE(lexed.error.ok());
  std::vector<TokenKind> expected = {
      TokenKind::kLParen,    TokenKind::kRParen, TokenKind::kLBracket,  TokenKind::kRBracket,
      TokenKind::kComma,     TokenKind::kDot,    TokenKind::kSemicolon, TokenKind::kPlus,
      TokenKind::kMinus,     TokenKind::kStar,   TokenKind::kSlash,     TokenKind::kPercent,
      TokenKind::kConcat,    TokenKind::kArrow,  TokenKind::kEq,        TokenKind::kNotEq,
      TokenKind::kNotEq,     TokenKind::kLess,   TokenKind::kLessEq,    TokenKind::kGreater,
      TokenKind::kGreaterEq, TokenKind::kEnd};
  EXPECT_EQ(Kinds(lexed), expected);
}

TEST(LexerTest, OperatorsWithoutSpaces) {
  TokenizedText lexed = Tokenize("a->b<=c<>d||e");
  ASSERT_TRUE(lexed.error.ok());
  std::vector<TokenKind> expected = {
      TokenKind::kIdentifier, TokenKind::kArrow, TokenKind::kIdentifier, TokenKind::kLessEq,
      TokenKind::kIdentifier, TokenKind::kNotEq, TokenKind::kIdentifier, TokenKind::kConcat,
      TokenKind::kIdentifier, TokenKind::kEnd};
  EXPECT_EQ(Kinds(lexed), expected);
}

TEST(LexerTest, UnquotedIdentifiersFoldToLowerCase) {
  TokenizedText lexed = Tokenize("SeLeCt PageViews _x1$ données");
  ASSERT_TRUE(lexed.error.ok());
  ASSERT_EQ(lexed.tokens.size(), 5u);
  EXPECT_EQ(lexed.tokens[0].text, "select");
  EXPECT_TRUE(lexed.tokens[0].Is("select"));
  EXPECT_EQ(lexed.tokens[1].text, "pageviews");
  EXPECT_EQ(lexed.tokens[2].text, "_x1$");
  EXPECT_EQ(lexed.tokens[3].text, "données");  // non-ASCII bytes are identifier characters
}

TEST(LexerTest, QuotedIdentifiersKeepCaseAndUnescape) {
  TokenizedText lexed = Tokenize(R"("PageViews" "a""b" "select")");
  ASSERT_TRUE(lexed.error.ok());
  EXPECT_EQ(lexed.tokens[0].kind, TokenKind::kQuotedIdentifier);
  EXPECT_EQ(lexed.tokens[0].text, "PageViews");
  EXPECT_EQ(lexed.tokens[1].text, "a\"b");
  EXPECT_EQ(lexed.tokens[1].length, 6);
  // A quoted keyword is a name, not the keyword.
  EXPECT_FALSE(lexed.tokens[2].Is("select"));
}

TEST(LexerTest, StringLiteralsUnescapeDoubledQuotes) {
  TokenizedText lexed = Tokenize("'it''s' '' 'a;b -- c'");
  ASSERT_TRUE(lexed.error.ok());
  EXPECT_EQ(lexed.tokens[0].kind, TokenKind::kString);
  EXPECT_EQ(lexed.tokens[0].text, "it's");
  EXPECT_EQ(lexed.tokens[0].length, 7);
  EXPECT_EQ(lexed.tokens[1].text, "");
  EXPECT_EQ(lexed.tokens[2].text, "a;b -- c");
}

TEST(LexerTest, Numbers) {
  TokenizedText lexed = Tokenize("42 3.14 .5 7. 1e5 2.5E-3 1e+2");
  ASSERT_TRUE(lexed.error.ok());
  std::vector<TokenKind> expected = {TokenKind::kInteger, TokenKind::kDecimal, TokenKind::kDecimal,
                                     TokenKind::kDecimal, TokenKind::kDouble,  TokenKind::kDouble,
                                     TokenKind::kDouble,  TokenKind::kEnd};
  EXPECT_EQ(Kinds(lexed), expected);
  EXPECT_EQ(lexed.tokens[1].text, "3.14");
  EXPECT_EQ(lexed.tokens[5].text, "2.5E-3");
}

TEST(LexerTest, CommentsAreSkipped) {
  TokenizedText lexed = Tokenize("a -- line comment ; 'x\n b /* block\n ; */ c /**/d");
  ASSERT_TRUE(lexed.error.ok());
  ASSERT_EQ(lexed.tokens.size(), 5u);
  EXPECT_EQ(lexed.tokens[1].text, "b");
  EXPECT_EQ(lexed.tokens[2].text, "c");
  EXPECT_EQ(lexed.tokens[3].text, "d");
}

TEST(LexerTest, PositionsAreByteOffsets) {
  std::string text = "SELECT  'é', x\n  FROM t";
  TokenizedText lexed = Tokenize(text);
  ASSERT_TRUE(lexed.error.ok());
  EXPECT_EQ(lexed.tokens[0].position, 0);
  EXPECT_EQ(lexed.tokens[1].position, 8);
  EXPECT_EQ(lexed.tokens[1].length, 4);  // 'é' is two bytes plus the quotes
  EXPECT_EQ(lexed.tokens[2].position, 12);
  EXPECT_EQ(lexed.tokens[3].position, 14);
  EXPECT_EQ(lexed.tokens[4].position, static_cast<int64_t>(text.find("FROM")));
  EXPECT_EQ(lexed.tokens.back().kind, TokenKind::kEnd);
  EXPECT_EQ(lexed.tokens.back().position, static_cast<int64_t>(text.size()));
}

struct LexError {
  const char* text;
  const char* message;
  int64_t position;
};

void PrintTo(const LexError& e, std::ostream* os) { *os << e.text; }

class LexerErrorTest : public ::testing::TestWithParam<LexError> {};

TEST_P(LexerErrorTest, ReportsMessageAndPosition) {
  const LexError& param = GetParam();
  TokenizedText lexed = Tokenize(param.text);
  ASSERT_FALSE(lexed.error.ok()) << param.text;
  EXPECT_EQ(lexed.error.category(), ErrorCategory::kParser);
  EXPECT_EQ(lexed.error.message(), param.message);
  EXPECT_EQ(lexed.error.position(), param.position);
  // The tokens before the error are kept and end at the error.
  EXPECT_EQ(lexed.tokens.back().kind, TokenKind::kEnd);
  EXPECT_EQ(lexed.tokens.back().position, param.position);
}

INSTANTIATE_TEST_SUITE_P(
    All, LexerErrorTest,
    ::testing::Values(
        LexError{"SELECT 'abc", "unterminated quoted string", 7},
        LexError{"SELECT 'it''s", "unterminated quoted string", 7},
        LexError{"SELECT \"abc", "unterminated quoted identifier", 7},
        LexError{"SELECT \"\"", "zero-length delimited identifier at or near \"\"\"\"", 7},
        LexError{"a /* never closed", "unterminated /* comment", 2},
        LexError{"SELECT 12abc", "trailing junk after numeric literal at or near \"12abc\"", 7},
        LexError{"SELECT 1.2.3", "trailing junk after numeric literal at or near \"1.2.3\"", 7},
        LexError{"SELECT a ? b", "syntax error at or near \"?\"", 9},
        LexError{"SELECT a::int", "syntax error at or near \":\"", 8},
        LexError{"a | b", "syntax error at or near \"|\"", 2},
        LexError{"a ! b", "syntax error at or near \"!\"", 2}));

TEST(LexerTest, ReservedKeywords) {
  EXPECT_TRUE(IsReservedKeyword("select"));
  EXPECT_TRUE(IsReservedKeyword("within"));
  EXPECT_FALSE(IsReservedKeyword("timestamp"));
  EXPECT_FALSE(IsReservedKeyword("size"));
  EXPECT_FALSE(IsReservedKeyword("pageviews"));
}

}  // namespace
}  // namespace sluice
