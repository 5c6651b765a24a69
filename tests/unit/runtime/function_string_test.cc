// String functions: character (not byte) semantics on UTF-8, NULL handling (CONCAT skips NULLs,
// || does not), errors, and kernels run on columns whose results share the input's bytes.

#include <gtest/gtest.h>

#include "tests/unit/runtime/expression_test_util.h"

namespace sluice {
namespace {

using testing::Args;
using testing::Col;
using testing::Lit;
using testing::Text;

Value Scalar(std::string_view name, std::vector<Value> args) {
  Result<Value> result = testing::CallScalar(name, std::move(args));
  EXPECT_TRUE(result.ok()) << result.status().ToString();
  return result.ok() ? *result : Value();
}

Value V(const char* text) { return Value::Varchar(text); }

TEST(FunctionStringTest, CaseMappingIsUnicodeAware) {
  // Simple one-to-one mappings only: sharp s has no single upper-case letter and stays.
  EXPECT_EQ(Scalar("upper", {V("straße ñ ω")}), V("STRAßE Ñ Ω"));
  EXPECT_EQ(Scalar("lower", {V("ÀÉÎ Abc")}), V("àéî abc"));
  EXPECT_EQ(Scalar("initcap", {V("hello wORLD")}), V("Hello World"));
}

TEST(FunctionStringTest, TrimVariants) {
  EXPECT_EQ(Scalar("trim", {V("  a b  ")}), V("a b"));
  EXPECT_EQ(Scalar("ltrim", {V("  a  ")}), V("a  "));
  EXPECT_EQ(Scalar("rtrim", {V("  a  ")}), V("  a"));
  EXPECT_EQ(Scalar("trim", {V("xxhixx"), V("x")}), V("hi"));
  EXPECT_EQ(Scalar("btrim", {V("éaé"), V("é")}), V("a"));
}

TEST(FunctionStringTest, SubstringCountsCharacters) {
  EXPECT_EQ(Scalar("substring", {V("héllo"), Value::Integer(2), Value::Integer(3)}), V("éll"));
  EXPECT_EQ(Scalar("substr", {V("héllo"), Value::Integer(3)}), V("llo"));
  EXPECT_EQ(Scalar("substring", {V("hello"), Value::Integer(0), Value::Integer(2)}), V("h"));
  EXPECT_EQ(Scalar("substring", {V("hello"), Value::Integer(9)}), V(""));
  Result<Value> negative =
      testing::CallScalar("substring", {V("hello"), Value::Integer(1), Value::Integer(-1)});
  ASSERT_FALSE(negative.ok());
  EXPECT_EQ(negative.status().category(), ErrorCategory::kExecution);
  EXPECT_EQ(negative.status().message(), "substring: negative length -1");
}

TEST(FunctionStringTest, LengthPositionAffixes) {
  EXPECT_EQ(Scalar("length", {V("héllo")}), Value::Integer(5));
  EXPECT_EQ(Scalar("char_length", {V("")}), Value::Integer(0));
  EXPECT_EQ(Scalar("position", {V("l"), V("héllo")}), Value::Integer(3));
  EXPECT_EQ(Scalar("instr", {V("héllo"), V("z")}), Value::Integer(0));
  EXPECT_EQ(Scalar("strpos", {V("héllo"), V("lo")}), Value::Integer(4));
  EXPECT_EQ(Scalar("starts_with", {V("sluice"), V("slu")}), Value::Boolean(true));
  EXPECT_EQ(Scalar("ends_with", {V("sluice"), V("slu")}), Value::Boolean(false));
}

TEST(FunctionStringTest, ReplaceSplitPad) {
  EXPECT_EQ(Scalar("replace", {V("a-b-c"), V("-"), V("+")}), V("a+b+c"));
  EXPECT_EQ(Scalar("replace", {V("abc"), V(""), V("x")}), V("abc"));
  DataType tags = DataType::Array(DataType::Varchar());
  EXPECT_EQ(Scalar("split", {V("a,b,,c"), V(",")}),
            Value::Array(tags, {V("a"), V("b"), V(""), V("c")}));
  EXPECT_EQ(Scalar("split", {V(""), V(",")}), Value::Array(tags, {}));
  EXPECT_EQ(Scalar("lpad", {V("7"), Value::Integer(3), V("0")}), V("007"));
  EXPECT_EQ(Scalar("rpad", {V("ab"), Value::Integer(5), V("xy")}), V("abxyx"));
  EXPECT_EQ(Scalar("lpad", {V("hello"), Value::Integer(2)}), V("he"));
  Result<Value> huge = testing::CallScalar("lpad", {V("a"), Value::Bigint(1'000'000'000'000)});
  ASSERT_FALSE(huge.ok());
  EXPECT_NE(huge.status().message().find("lpad: length 1000000000000 is too large"),
            std::string::npos);
}

TEST(FunctionStringTest, ConcatSkipsNullsButTheOperatorDoesNot) {
  EXPECT_EQ(Scalar("concat", {V("a"), Value::Null(DataType::Varchar()), Value::Integer(1)}),
            V("a1"));
  Result<ExpressionPtr> pipe = MakeConcat(Text("a"), Lit(Value::Null(DataType::Varchar())));
  ASSERT_TRUE(pipe.ok());
  EvalContext context;
  Result<Value> value = EvaluateScalar(**pipe, context);
  ASSERT_TRUE(value.ok());
  EXPECT_TRUE(value->is_null());
}

TEST(FunctionStringTest, WrongArgumentsAreBinderErrors) {
  Result<Value> arity = testing::CallScalar(
      "substring", {V("a"), Value::Integer(1), Value::Integer(1), Value::Integer(1)});
  ASSERT_FALSE(arity.ok());
  EXPECT_EQ(arity.status().message(), "function substring expects 2 or 3 arguments, got 4");
  Result<Value> type = testing::CallScalar("upper", {Value::Bigint(1)});
  ASSERT_FALSE(type.ok());
  EXPECT_EQ(type.status().message(),
            "function upper(BIGINT) does not exist; expected upper(VARCHAR)");
  Result<Value> unknown = testing::CallScalar("uper", {V("a")});
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().message(), "function uper does not exist (did you mean \"upper\"?)");
}

TEST(FunctionStringTest, KernelsOnColumnsWithNulls) {
  Result<std::vector<Value>> rows = testing::CallOnColumn(
      "substring", DataType::Varchar(), {V("abcdef"), Value::Null(DataType::Varchar()), V("xy")},
      Args(Lit(Value::Integer(2)), Lit(Value::Integer(3))));
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  EXPECT_EQ((*rows)[0], V("bcd"));
  EXPECT_TRUE((*rows)[1].is_null());
  EXPECT_EQ((*rows)[2], V("y"));
}

}  // namespace
}  // namespace sluice
