#include <gtest/gtest.h>

#include <string>

#include "parser/parser.h"

namespace sluice {
namespace {

// Fully parenthesized rendering, independent of ToSql, to check the tree's shape.
std::string Tree(const Expr& expr) {
  switch (expr.kind) {
    case ExprKind::kLiteral: {
      const auto& literal = expr.As<LiteralExpr>();
      if (literal.literal_kind == LiteralKind::kString) return "'" + literal.text + "'";
      if (literal.literal_kind == LiteralKind::kInterval) {
        return "interval:" + std::to_string(literal.interval.millis);
      }
      return literal.text;
    }
    case ExprKind::kColumnRef: {
      std::string text;
      for (const std::string& part : expr.As<ColumnRefExpr>().parts) {
        text += (text.empty() ? "" : ".") + part;
      }
      return text;
    }
    case ExprKind::kUnary: {
      const auto& unary = expr.As<UnaryExpr>();
      return std::string("(") + (unary.op == UnaryOp::kNot ? "NOT " : "-") + Tree(*unary.operand) +
             ")";
    }
    case ExprKind::kBinary: {
      const auto& binary = expr.As<BinaryExpr>();
      return "(" + Tree(*binary.left) + " " + BinaryOpName(binary.op) + " " + Tree(*binary.right) +
             ")";
    }
    case ExprKind::kIsNull: {
      const auto& is_null = expr.As<IsNullExpr>();
      return "(" + Tree(*is_null.operand) + (is_null.negated ? " IS NOT NULL)" : " IS NULL)");
    }
    case ExprKind::kBetween: {
      const auto& between = expr.As<BetweenExpr>();
      return "(" + Tree(*between.operand) + (between.negated ? " NOT" : "") + " BETWEEN " +
             Tree(*between.low) + " AND " + Tree(*between.high) + ")";
    }
    case ExprKind::kLike: {
      const auto& like = expr.As<LikeExpr>();
      return "(" + Tree(*like.operand) + (like.negated ? " NOT" : "") + " LIKE " +
             Tree(*like.pattern) + ")";
    }
    case ExprKind::kSubscript: {
      const auto& subscript = expr.As<SubscriptExpr>();
      return "(" + Tree(*subscript.operand) + "[" + Tree(*subscript.index) + "])";
    }
    case ExprKind::kFieldAccess: {
      const auto& access = expr.As<FieldAccessExpr>();
      return "(" + Tree(*access.operand) + "->" + access.field + ")";
    }
    default: return "<" + ToSql(expr) + ">";
  }
}

std::string ParseTree(const std::string& text) {
  Result<ExprPtr> expr = ParseExpression(text);
  if (!expr.ok()) return "error: " + expr.status().message();
  return Tree(**expr);
}

std::string RoundTrip(const std::string& text) {
  Result<ExprPtr> expr = ParseExpression(text);
  if (!expr.ok()) return "error: " + expr.status().message();
  return ToSql(**expr);
}

TEST(ExpressionTest, Precedence) {
  EXPECT_EQ(ParseTree("a OR b AND NOT c = d + e * f"), "(a OR (b AND (NOT (c = (d + (e * f))))))");
  EXPECT_EQ(ParseTree("a * b + c"), "((a * b) + c)");
  EXPECT_EQ(ParseTree("a - b - c"), "((a - b) - c)");
  EXPECT_EQ(ParseTree("a / b % c * d"), "(((a / b) % c) * d)");
  EXPECT_EQ(ParseTree("a || b + c"), "(a || (b + c))");
  EXPECT_EQ(ParseTree("a || b = c"), "((a || b) = c)");
  EXPECT_EQ(ParseTree("a AND b OR c AND d"), "((a AND b) OR (c AND d))");
  EXPECT_EQ(ParseTree("NOT a AND b"), "((NOT a) AND b)");
  EXPECT_EQ(ParseTree("NOT NOT a"), "(NOT (NOT a))");
  EXPECT_EQ(ParseTree("(a OR b) AND c"), "((a OR b) AND c)");
  EXPECT_EQ(ParseTree("-a * b"), "((-a) * b)");
  EXPECT_EQ(ParseTree("-a[1]"), "(-(a[1]))");
  EXPECT_EQ(ParseTree("a->b->c[0]"), "(((a->b)->c)[0])");
  EXPECT_EQ(ParseTree("a < b <> c"), "((a < b) <> c)");
}

TEST(ExpressionTest, Predicates) {
  EXPECT_EQ(ParseTree("a IS NULL"), "(a IS NULL)");
  EXPECT_EQ(ParseTree("a + 1 IS NOT NULL AND b"), "(((a + 1) IS NOT NULL) AND b)");
  EXPECT_EQ(ParseTree("a BETWEEN 1 AND 2 AND b"), "((a BETWEEN 1 AND 2) AND b)");
  EXPECT_EQ(ParseTree("a NOT BETWEEN b - 1 AND b + 1"), "(a NOT BETWEEN (b - 1) AND (b + 1))");
  EXPECT_EQ(ParseTree("name LIKE 'a%' OR name NOT LIKE '%z'"),
            "((name LIKE 'a%') OR (name NOT LIKE '%z'))");
  Result<ExprPtr> in = ParseExpression("x NOT IN (1, 2, 3)");
  ASSERT_TRUE(in.ok());
  ASSERT_EQ((*in)->kind, ExprKind::kInList);
  const auto& list = (*in)->As<InListExpr>();
  EXPECT_TRUE(list.negated);
  EXPECT_EQ(list.list.size(), 3u);
  EXPECT_EQ(list.position, 2);  // NOT
}

TEST(ExpressionTest, Literals) {
  Result<ExprPtr> expr = ParseExpression("-9223372036854775808");
  ASSERT_TRUE(expr.ok());
  const auto& number = (*expr)->As<LiteralExpr>();
  EXPECT_EQ(number.literal_kind, LiteralKind::kInteger);
  EXPECT_EQ(number.text, "-9223372036854775808");

  struct Case {
    const char* text;
    LiteralKind kind;
    const char* literal_text;
  };
  for (const Case& c :
       {Case{"12.50", LiteralKind::kDecimal, "12.50"}, Case{"1e5", LiteralKind::kDouble, "1e5"},
        Case{"'it''s'", LiteralKind::kString, "it's"}, Case{"TRUE", LiteralKind::kBoolean, "true"},
        Case{"null", LiteralKind::kNull, "null"},
        Case{"TIMESTAMP '2023-11-14 22:13:20'", LiteralKind::kTimestamp, "2023-11-14 22:13:20"},
        Case{"DATE '2023-11-14'", LiteralKind::kDate, "2023-11-14"}}) {
    Result<ExprPtr> parsed = ParseExpression(c.text);
    ASSERT_TRUE(parsed.ok()) << c.text;
    const auto& literal = (*parsed)->As<LiteralExpr>();
    EXPECT_EQ(literal.literal_kind, c.kind) << c.text;
    EXPECT_EQ(literal.text, c.literal_text) << c.text;
  }
  Result<ExprPtr> truth = ParseExpression("true");
  EXPECT_TRUE((*truth)->As<LiteralExpr>().bool_value);
}

TEST(ExpressionTest, Intervals) {
  EXPECT_EQ(ParseTree("INTERVAL 5 MINUTES"), "interval:300000");
  EXPECT_EQ(ParseTree("INTERVAL '2' HOUR"), "interval:7200000");
  EXPECT_EQ(ParseTree("INTERVAL 1 day"), "interval:86400000");
  EXPECT_EQ(ParseTree("INTERVAL 250 MILLISECONDS"), "interval:250");
  EXPECT_EQ(RoundTrip("interval 3 seconds"), "INTERVAL 3 SECOND");
  // Without a count, "interval" is an ordinary column name.
  EXPECT_EQ(ParseTree("interval + 1"), "(interval + 1)");
}

TEST(ExpressionTest, TypeWordsAreColumnNames) {
  EXPECT_EQ(ParseTree("timestamp > 5"), "(timestamp > 5)");
  EXPECT_EQ(ParseTree("date"), "date");
  EXPECT_EQ(ParseTree("size + key + value"), "((size + key) + value)");
}

TEST(ExpressionTest, ColumnReferencesKeepAllParts) {
  Result<ExprPtr> expr = ParseExpression("Shop.Raw.\"PageViews\".payload");
  ASSERT_TRUE(expr.ok());
  const auto& column = (*expr)->As<ColumnRefExpr>();
  EXPECT_EQ(column.parts, (std::vector<std::string>{"shop", "raw", "PageViews", "payload"}));
  EXPECT_EQ(column.position, 0);
}

TEST(ExpressionTest, FunctionCalls) {
  Result<ExprPtr> count = ParseExpression("COUNT(*)");
  ASSERT_TRUE(count.ok());
  const auto& star = (*count)->As<FunctionCallExpr>();
  EXPECT_EQ(star.name, "count");
  EXPECT_TRUE(star.star_arg);
  EXPECT_TRUE(star.args.empty());

  Result<ExprPtr> distinct = ParseExpression("count(DISTINCT userid)");
  ASSERT_TRUE(distinct.ok());
  EXPECT_TRUE((*distinct)->As<FunctionCallExpr>().distinct);
  EXPECT_EQ((*distinct)->As<FunctionCallExpr>().args.size(), 1u);

  Result<ExprPtr> none = ParseExpression("now()");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE((*none)->As<FunctionCallExpr>().args.empty());

  Result<ExprPtr> left = ParseExpression("LEFT(name, 3)");
  ASSERT_TRUE(left.ok());
  EXPECT_EQ((*left)->As<FunctionCallExpr>().name, "left");
}

TEST(ExpressionTest, ExtractBecomesAFunctionCall) {
  Result<ExprPtr> expr = ParseExpression("EXTRACT(year FROM ts)");
  ASSERT_TRUE(expr.ok());
  const auto& call = (*expr)->As<FunctionCallExpr>();
  EXPECT_EQ(call.name, "extract");
  ASSERT_EQ(call.args.size(), 2u);
  EXPECT_EQ(call.args[0]->As<LiteralExpr>().literal_kind, LiteralKind::kString);
  EXPECT_EQ(call.args[0]->As<LiteralExpr>().text, "YEAR");
  EXPECT_EQ(call.args[0]->position, 8);
  EXPECT_EQ(ToSql(call), "EXTRACT(YEAR FROM ts)");
}

TEST(ExpressionTest, CastAndCase) {
  Result<ExprPtr> cast = ParseExpression("CAST(x AS DECIMAL(10, 2))");
  ASSERT_TRUE(cast.ok());
  const auto& c = (*cast)->As<CastExpr>();
  EXPECT_EQ(c.target.type.id(), TypeId::kDecimal);
  EXPECT_EQ(c.target.type.precision(), 10);
  EXPECT_EQ(c.target.type.scale(), 2);
  EXPECT_EQ(c.target.position, 10);

  Result<ExprPtr> simple = ParseExpression("CASE x WHEN 1 THEN 'a' WHEN 2 THEN 'b' END");
  ASSERT_TRUE(simple.ok());
  const auto& s = (*simple)->As<CaseExpr>();
  EXPECT_NE(s.operand, nullptr);
  EXPECT_EQ(s.whens.size(), 2u);
  EXPECT_EQ(s.else_result, nullptr);

  Result<ExprPtr> searched = ParseExpression("CASE WHEN x > 0 THEN 1 ELSE 0 END");
  ASSERT_TRUE(searched.ok());
  EXPECT_EQ((*searched)->As<CaseExpr>().operand, nullptr);
  EXPECT_NE((*searched)->As<CaseExpr>().else_result, nullptr);
}

TEST(ExpressionTest, PositionsPointAtOperators) {
  Result<ExprPtr> expr = ParseExpression("a + b * c");
  ASSERT_TRUE(expr.ok());
  const auto& add = (*expr)->As<BinaryExpr>();
  EXPECT_EQ(add.position, 2);
  EXPECT_EQ(add.right->position, 6);
  EXPECT_EQ(add.left->position, 0);
  Result<ExprPtr> access = ParseExpression("payload->user_id");
  ASSERT_TRUE(access.ok());
  EXPECT_EQ((*access)->position, 7);
  EXPECT_EQ((*access)->As<FieldAccessExpr>().field_position, 9);
}

TEST(ExpressionTest, CloneIsDeep) {
  Result<ExprPtr> expr =
      ParseExpression("CASE WHEN a->b[1] IN (1, 2) THEN CAST(x AS BIGINT) ELSE -y END");
  ASSERT_TRUE(expr.ok());
  ExprPtr copy = (*expr)->Clone();
  EXPECT_EQ(ToSql(*copy), ToSql(**expr));
  EXPECT_NE(copy.get(), expr->get());
}

// ToSql is canonical: the output parses back to itself.
class ToSqlTest : public ::testing::TestWithParam<std::pair<const char*, const char*>> {};

TEST_P(ToSqlTest, CanonicalFormAndRoundTrip) {
  const auto& [input, canonical] = GetParam();
  EXPECT_EQ(RoundTrip(input), canonical);
  EXPECT_EQ(RoundTrip(canonical), canonical);
}

INSTANTIATE_TEST_SUITE_P(
    All, ToSqlTest,
    ::testing::Values(
        std::make_pair("upper(name)", "upper(name)"),
        std::make_pair("UPPER( Name )", "upper(name)"), std::make_pair("count(*)", "count(*)"),
        std::make_pair("a+1", "a + 1"), std::make_pair("(a + b) * c", "(a + b) * c"),
        std::make_pair("a - (b - c)", "a - (b - c)"), std::make_pair("(a - b) - c", "a - b - c"),
        std::make_pair("NOT (a AND b)", "NOT (a AND b)"),
        std::make_pair("(NOT a) AND b", "NOT a AND b"),
        std::make_pair("a = (b = c)", "a = (b = c)"), std::make_pair("- -x", "-(-x)"),
        std::make_pair("-(-1)", "-(-1)"), std::make_pair("-(1[2])", "-(1[2])"),
        std::make_pair("(-1)[2]", "(-1)[2]"), std::make_pair("a - -1", "a - -1"),
        std::make_pair("(a + b)[1]->\"Field\"", "(a + b)[1]->\"Field\""),
        std::make_pair("\"Select\" + \"from\" + \"x\"\"y\"", "\"Select\" + \"from\" + \"x\"\"y\""),
        std::make_pair("'it''s'", "'it''s'"),
        std::make_pair("x between 1 and 2", "x BETWEEN 1 AND 2"),
        std::make_pair("x not between (a or b) and c", "x NOT BETWEEN (a OR b) AND c"),
        std::make_pair("x not in (1,2)", "x NOT IN (1, 2)"),
        std::make_pair("x like 'a' || '%'", "x LIKE 'a' || '%'"),
        std::make_pair("(x like 'a') = true", "x LIKE 'a' = TRUE"),
        std::make_pair("x is not null", "x IS NOT NULL"),
        std::make_pair("cast(x as varchar(20))", "CAST(x AS VARCHAR)"),
        std::make_pair("cast(x as struct<a int, \"B\" array<map<string, double>>>)",
                       "CAST(x AS STRUCT<a INTEGER, \"B\" ARRAY<MAP<VARCHAR, DOUBLE>>>)"),
        std::make_pair("case when a then 1 else 2 end", "CASE WHEN a THEN 1 ELSE 2 END"),
        std::make_pair("timestamp '2024-01-01'", "TIMESTAMP '2024-01-01'"),
        std::make_pair("date '2024-01-01'", "DATE '2024-01-01'"),
        std::make_pair("extract(hour from ts) + 1", "EXTRACT(HOUR FROM ts) + 1"),
        std::make_pair("\"extract\"(a, b)", "\"extract\"(a, b)"),
        std::make_pair("right(s, 2)", "right(s, 2)"),
        std::make_pair("sum(distinct x)", "sum(DISTINCT x)"),
        std::make_pair("t.\"Col\".f", "t.\"Col\".f"), std::make_pair("a.\"from\"", "a.\"from\""),
        std::make_pair("null", "NULL"), std::make_pair("+5", "5"), std::make_pair(".5e3", ".5e3")));

}  // namespace
}  // namespace sluice
