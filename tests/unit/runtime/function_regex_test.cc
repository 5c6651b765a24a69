// REGEXP_LIKE / REGEXP_EXTRACT / REGEXP_REPLACE and the RegexCache: literal patterns fail at bind
// time with a position, patterns from the data fail their row, and the cache stays bounded.

#include <gtest/gtest.h>
#include <re2/re2.h>

#include "runtime/function/regex_cache.h"
#include "tests/unit/runtime/expression_test_util.h"

namespace sluice {
namespace {

using testing::Args;
using testing::Bind;
using testing::Col;
using testing::Text;

Result<std::vector<Value>> OnColumn(std::string_view name, std::vector<Value> inputs,
                                    std::vector<ExpressionPtr> extra) {
  return testing::CallOnColumn(name, DataType::Varchar(), inputs, std::move(extra));
}

TEST(FunctionRegexTest, RegexpLikeMatchesAnywhere) {
  Result<std::vector<Value>> rows = OnColumn(
      "regexp_like",
      {Value::Varchar("order-123"), Value::Varchar("refund"), Value::Null(DataType::Varchar())},
      Args(Text("\\d+$")));
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  EXPECT_EQ((*rows)[0], Value::Boolean(true));
  EXPECT_EQ((*rows)[1], Value::Boolean(false));
  EXPECT_TRUE((*rows)[2].is_null());
}

TEST(FunctionRegexTest, RegexpExtractWholeMatchOrGroup) {
  std::vector<Value> inputs = {Value::Varchar("user=ada id=7"), Value::Varchar("nothing here"),
                               Value::Varchar("user=bob")};
  Result<std::vector<Value>> rows = OnColumn("regexp_extract", inputs, Args(Text("user=(\\w+)")));
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  EXPECT_EQ((*rows)[0], Value::Varchar("user=ada"));
  EXPECT_TRUE((*rows)[1].is_null());  // no match
  EXPECT_EQ((*rows)[2], Value::Varchar("user=bob"));

  rows = OnColumn("regexp_extract", inputs,
                  Args(Text("user=(\\w+)"), testing::Lit(Value::Integer(1))));
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  EXPECT_EQ((*rows)[0], Value::Varchar("ada"));
  EXPECT_EQ((*rows)[2], Value::Varchar("bob"));

  // A group that does not take part in the match is NULL.
  rows = OnColumn("regexp_extract", {Value::Varchar("b")},
                  Args(Text("(a)|b"), testing::Lit(Value::Integer(1))));
  ASSERT_TRUE(rows.ok());
  EXPECT_TRUE((*rows)[0].is_null());
}

TEST(FunctionRegexTest, RegexpReplaceEveryMatchWithGroups) {
  Result<std::vector<Value>> rows =
      OnColumn("regexp_replace", {Value::Varchar("2023-11-14"), Value::Varchar("none")},
               Args(Text("(\\d+)-(\\d+)-(\\d+)"), Text("\\3/\\2/\\1")));
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  EXPECT_EQ((*rows)[0], Value::Varchar("14/11/2023"));
  EXPECT_EQ((*rows)[1], Value::Varchar("none"));

  Result<Value> value = testing::CallScalar(
      "regexp_replace",
      {Value::Varchar("a1b22c333"), Value::Varchar("[0-9]+"), Value::Varchar("#")});
  ASSERT_TRUE(value.ok());
  EXPECT_EQ(*value, Value::Varchar("a#b#c#"));
}

TEST(FunctionRegexTest, Utf8Aware) {
  Result<Value> value = testing::CallScalar(
      "regexp_extract", {Value::Varchar("café ñandú"), Value::Varchar("\\p{L}+$")});
  ASSERT_TRUE(value.ok());
  EXPECT_EQ(*value, Value::Varchar("ñandú"));
}

TEST(FunctionRegexTest, InvalidLiteralPatternIsABinderErrorAtThePattern) {
  std::vector<ExpressionPtr> args;
  args.push_back(Col(0, DataType::Varchar()));
  args.push_back(MakeLiteral(Value::Varchar("(unclosed"), 25));
  Result<ExpressionPtr> call = MakeFunctionCall("regexp_like", std::move(args), 8);
  ASSERT_FALSE(call.ok());
  EXPECT_EQ(call.status().category(), ErrorCategory::kBinder);
  EXPECT_EQ(call.status().position(), 25);
  EXPECT_NE(call.status().message().find("invalid regular expression '(unclosed'"),
            std::string::npos)
      << call.status().message();
}

TEST(FunctionRegexTest, LiteralGroupAndReplacementAreCheckedAtBindTime) {
  Result<ExpressionPtr> call = MakeFunctionCall(
      "regexp_extract",
      Args(Col(0, DataType::Varchar()), Text("(a)"), testing::Lit(Value::Integer(2))));
  ASSERT_FALSE(call.ok());
  EXPECT_EQ(call.status().message(),
            "regexp_extract: group 2 does not exist; the pattern has 1 group");
  call = MakeFunctionCall("regexp_replace",
                          Args(Col(0, DataType::Varchar()), Text("(a)"), Text("\\2")));
  ASSERT_FALSE(call.ok());
  EXPECT_EQ(call.status().category(), ErrorCategory::kBinder);
}

TEST(FunctionRegexTest, InvalidPatternFromDataFailsItsRow) {
  Schema schema({Field{"text", DataType::Varchar()}, Field{"pattern", DataType::Varchar()}});
  RecordBatch batch =
      testing::MakeBatch(schema, {{Value::Varchar("abc"), Value::Varchar("b")},
                                  {Value::Varchar("abc"), Value::Null(DataType::Varchar())},
                                  {Value::Varchar("abc"), Value::Varchar("a[")}});
  ExpressionPtr call =
      Bind("regexp_like", Args(Col(0, DataType::Varchar()), Col(1, DataType::Varchar())));
  EvalContext context;
  Result<std::vector<Value>> rows = testing::EvalRows(*call, batch, &context);
  ASSERT_FALSE(rows.ok());
  EXPECT_EQ(rows.status().category(), ErrorCategory::kExecution);
  EXPECT_EQ(context.error_row, 2);
  EXPECT_EQ(rows.status().position(), 7);
  EXPECT_NE(rows.status().message().find("regexp_like: invalid regular expression 'a['"),
            std::string::npos);
}

TEST(FunctionRegexTest, PatternsFromDataMatchPerRow) {
  Schema schema({Field{"text", DataType::Varchar()}, Field{"pattern", DataType::Varchar()}});
  RecordBatch batch = testing::MakeBatch(schema, {{Value::Varchar("abc"), Value::Varchar("^a")},
                                                  {Value::Varchar("abc"), Value::Varchar("^b")},
                                                  {Value::Varchar("abc"), Value::Varchar("^b")},
                                                  {Value::Varchar("abc"), Value::Varchar("c$")}});
  ExpressionPtr call =
      Bind("regexp_like", Args(Col(0, DataType::Varchar()), Col(1, DataType::Varchar())));
  EvalContext context;
  Result<std::vector<Value>> rows = testing::EvalRows(*call, batch, &context);
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ((*rows)[0], Value::Boolean(true));
  EXPECT_EQ((*rows)[1], Value::Boolean(false));
  EXPECT_EQ((*rows)[2], Value::Boolean(false));
  EXPECT_EQ((*rows)[3], Value::Boolean(true));
  EXPECT_EQ(context.regex_cache().size(), 3u);
}

TEST(RegexCacheTest, BoundedLeastRecentlyUsed) {
  RegexCache cache(2);
  ASSERT_TRUE(cache.Get("a+").ok());
  ASSERT_TRUE(cache.Get("b+").ok());
  Result<const RE2*> first = cache.Get("a+");  // a hit makes "a+" most recent
  ASSERT_TRUE(first.ok());
  EXPECT_TRUE(RE2::FullMatch("aaa", **first));
  ASSERT_TRUE(cache.Get("c+").ok());  // evicts "b+"
  EXPECT_EQ(cache.size(), 2u);
  Result<const RE2*> again = cache.Get("a+");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *first);  // still the same compiled object
}

TEST(RegexCacheTest, InvalidPatternIsNotCached) {
  RegexCache cache;
  Result<const RE2*> bad = cache.Get("(");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().category(), ErrorCategory::kExecution);
  EXPECT_EQ(cache.size(), 0u);
}

}  // namespace
}  // namespace sluice
