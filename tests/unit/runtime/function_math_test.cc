// Math functions: values, exact DECIMAL rounding, NULL propagation and domain errors.

#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "tests/unit/runtime/expression_test_util.h"

namespace sluice {
namespace {

using testing::CallOnColumn;
using testing::CallScalar;

Value Scalar(std::string_view name, std::vector<Value> args) {
  Result<Value> result = CallScalar(name, std::move(args));
  EXPECT_TRUE(result.ok()) << result.status().ToString();
  return result.ok() ? *result : Value();
}

TEST(FunctionMathTest, AbsKeepsTheType) {
  EXPECT_EQ(Scalar("abs", {Value::Integer(-5)}), Value::Integer(5));
  EXPECT_EQ(Scalar("abs", {Value::Bigint(-7)}), Value::Bigint(7));
  EXPECT_EQ(Scalar("abs", {Value::Double(-1.5)}), Value::Double(1.5));
  EXPECT_EQ(Scalar("abs", {Value::Decimal(-1250, 6, 2)}), Value::Decimal(1250, 6, 2));
}

TEST(FunctionMathTest, AbsOfMinimumOverflows) {
  Result<std::vector<Value>> result =
      CallOnColumn("abs", DataType::Bigint(), {Value::Bigint(1), Value::Bigint(INT64_MIN)});
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().category(), ErrorCategory::kExecution);
  EXPECT_NE(result.status().message().find("BIGINT overflow in abs("), std::string::npos)
      << result.status().message();
}

TEST(FunctionMathTest, RoundHalfAwayFromZero) {
  EXPECT_EQ(Scalar("round", {Value::Double(2.5)}), Value::Double(3.0));
  EXPECT_EQ(Scalar("round", {Value::Double(-2.5)}), Value::Double(-3.0));
  EXPECT_EQ(Scalar("round", {Value::Double(3.14159), Value::Integer(2)}), Value::Double(3.14));
  EXPECT_EQ(Scalar("round", {Value::Double(1234.5), Value::Integer(-2)}), Value::Double(1200.0));
  // DECIMAL(4, 2) 12.35 -> DECIMAL(3, 0) 12; 9.50 -> 10 needs the carry digit.
  EXPECT_EQ(Scalar("round", {Value::Decimal(1235, 4, 2)}), Value::Decimal(12, 3, 0));
  EXPECT_EQ(Scalar("round", {Value::Decimal(950, 3, 2)}), Value::Decimal(10, 2, 0));
  EXPECT_EQ(Scalar("round", {Value::Decimal(-1255, 4, 2), Value::Integer(1)}),
            Value::Decimal(-1260, 5, 2));
  EXPECT_EQ(Scalar("round", {Value::Integer(17)}), Value::Integer(17));
}

TEST(FunctionMathTest, FloorAndCeil) {
  EXPECT_EQ(Scalar("floor", {Value::Double(-1.5)}), Value::Double(-2.0));
  EXPECT_EQ(Scalar("ceil", {Value::Double(-1.5)}), Value::Double(-1.0));
  EXPECT_EQ(Scalar("ceiling", {Value::Double(1.2)}), Value::Double(2.0));
  EXPECT_EQ(Scalar("floor", {Value::Decimal(-125, 3, 2)}), Value::Decimal(-2, 2, 0));
  EXPECT_EQ(Scalar("ceil", {Value::Decimal(125, 3, 2)}), Value::Decimal(2, 2, 0));
}

TEST(FunctionMathTest, PowerSqrtExpLog) {
  EXPECT_EQ(Scalar("power", {Value::Integer(2), Value::Integer(10)}), Value::Double(1024.0));
  EXPECT_EQ(Scalar("pow", {Value::Double(9), Value::Double(0.5)}), Value::Double(3.0));
  EXPECT_EQ(Scalar("sqrt", {Value::Bigint(16)}), Value::Double(4.0));
  EXPECT_DOUBLE_EQ(Scalar("exp", {Value::Integer(1)}).double_value(), std::exp(1.0));
  EXPECT_DOUBLE_EQ(Scalar("ln", {Value::Double(std::exp(2.0))}).double_value(), 2.0);
  EXPECT_EQ(Scalar("log10", {Value::Integer(1000)}), Value::Double(3.0));
}

TEST(FunctionMathTest, DomainErrorsAreExecutionErrors) {
  struct Case {
    const char* name;
    std::vector<Value> args;
    const char* message;
  };
  std::vector<Case> cases = {
      {"sqrt", {Value::Double(-4)}, "cannot take the square root of a negative number"},
      {"ln", {Value::Double(0)}, "cannot take the logarithm of zero"},
      {"log10", {Value::Double(-1)}, "cannot take the logarithm of a negative number"},
      {"power", {Value::Double(0), Value::Double(-1)}, "zero raised to a negative power"},
      {"power", {Value::Double(-8), Value::Double(0.5)}, "non-integer power"},
      {"exp", {Value::Double(1000)}, "out of DOUBLE range"},
  };
  for (const Case& test : cases) {
    Result<Value> result = CallScalar(test.name, test.args);
    ASSERT_FALSE(result.ok()) << test.name;
    EXPECT_EQ(result.status().category(), ErrorCategory::kExecution) << test.name;
    EXPECT_NE(result.status().message().find(test.message), std::string::npos)
        << result.status().message();
  }
}

TEST(FunctionMathTest, ErrorNamesTheFailingRow) {
  EvalContext context;
  ExpressionPtr call = testing::Bind("sqrt", testing::Args(testing::Col(0, DataType::Double())));
  RecordBatch batch = testing::OneColumn(
      DataType::Double(), {Value::Double(4), Value::Null(DataType::Double()), Value::Double(-1)});
  Result<std::vector<Value>> result = testing::EvalRows(*call, batch, &context);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(context.error_row, 2);
  EXPECT_EQ(result.status().position(), 7);
}

TEST(FunctionMathTest, NullInNullOut) {
  Result<std::vector<Value>> result =
      CallOnColumn("sign", DataType::Double(),
                   {Value::Double(-3), Value::Null(DataType::Double()), Value::Double(0)});
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ((*result)[0], Value::Double(-1));
  EXPECT_TRUE((*result)[1].is_null());
  EXPECT_EQ((*result)[2], Value::Double(0));
  EXPECT_TRUE(Scalar("round", {Value::Null(DataType::Double()), Value::Integer(1)}).is_null());
  EXPECT_TRUE(Scalar("abs", {Value::Null()}).is_null());
}

TEST(FunctionMathTest, GreatestAndLeastSkipNulls) {
  EXPECT_EQ(Scalar("greatest", {Value::Integer(1), Value::Bigint(5), Value::Integer(3)}),
            Value::Bigint(5));
  EXPECT_EQ(Scalar("least", {Value::Integer(4), Value::Null(), Value::Integer(2)}),
            Value::Integer(2));
  EXPECT_EQ(Scalar("greatest", {Value::Varchar("apple"), Value::Varchar("pear")}),
            Value::Varchar("pear"));
  EXPECT_TRUE(Scalar("least", {Value::Null(DataType::Integer()), Value::Null()}).is_null());
  // Mixed types unify: INTEGER and DOUBLE -> DOUBLE.
  EXPECT_EQ(Scalar("greatest", {Value::Integer(2), Value::Double(1.5)}), Value::Double(2.0));

  Result<Value> mismatch = CallScalar("greatest", {Value::Integer(1), Value::Varchar("a")});
  ASSERT_FALSE(mismatch.ok());
  EXPECT_EQ(mismatch.status().category(), ErrorCategory::kBinder);
}

TEST(FunctionMathTest, GreatestOverColumns) {
  Schema schema({Field{"a", DataType::Varchar()}, Field{"b", DataType::Varchar()}});
  RecordBatch batch = testing::MakeBatch(
      schema, {{Value::Varchar("x"), Value::Varchar("y")},
               {Value::Null(DataType::Varchar()), Value::Varchar("only")},
               {Value::Null(DataType::Varchar()), Value::Null(DataType::Varchar())}});
  ExpressionPtr call = testing::Bind(
      "greatest",
      testing::Args(testing::Col(0, DataType::Varchar()), testing::Col(1, DataType::Varchar())));
  Result<std::vector<Value>> result = testing::EvalRows(*call, batch);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ((*result)[0], Value::Varchar("y"));
  EXPECT_EQ((*result)[1], Value::Varchar("only"));
  EXPECT_TRUE((*result)[2].is_null());
}

TEST(FunctionMathTest, RandomIsPerRowAndInRange) {
  ExpressionPtr call = testing::Bind("random", {});
  ASSERT_EQ(call->kind(), ExpressionKind::kFunctionCall);  // never folded
  RecordBatch batch =
      testing::OneColumn(DataType::Integer(), std::vector<Value>(64, Value::Integer(0)));
  Result<std::vector<Value>> result = testing::EvalRows(*call, batch);
  ASSERT_TRUE(result.ok());
  std::set<double> distinct;
  for (const Value& value : *result) {
    EXPECT_GE(value.double_value(), 0.0);
    EXPECT_LT(value.double_value(), 1.0);
    distinct.insert(value.double_value());
  }
  EXPECT_GT(distinct.size(), 60u);
}

TEST(FunctionMathTest, ModIsRegistered) {
  EXPECT_EQ(Scalar("mod", {Value::Integer(-7), Value::Integer(3)}), Value::Integer(-1));
}

}  // namespace
}  // namespace sluice
