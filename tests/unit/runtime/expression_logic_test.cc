// The evaluator's non-function nodes: three-valued AND / OR / NOT, CASE, CAST errors, LIKE, IN and
// BETWEEN, including the promise that skipped rows never raise errors.

#include <gtest/gtest.h>

#include "tests/unit/runtime/expression_test_util.h"

namespace sluice {
namespace {

using testing::Col;
using testing::Lit;
using testing::Text;

const Value kTrue = Value::Boolean(true);
const Value kFalse = Value::Boolean(false);
const Value kNull = Value::Null(DataType::Boolean());

template <typename T>
T Ok(Result<T> result) {
  EXPECT_TRUE(result.ok()) << result.status().ToString();
  return std::move(result).value();
}

std::vector<Value> Rows(const Expression& expr, const RecordBatch& batch) {
  return Ok(testing::EvalRows(expr, batch));
}

// Every combination of two three-valued booleans, a-major: TT TF TN FT FF FN NT NF NN.
RecordBatch TruthTable() {
  Schema schema({Field{"a", DataType::Boolean()}, Field{"b", DataType::Boolean()}});
  std::vector<std::vector<Value>> rows;
  for (const Value& a : {kTrue, kFalse, kNull}) {
    for (const Value& b : {kTrue, kFalse, kNull}) rows.push_back({a, b});
  }
  return testing::MakeBatch(schema, rows);
}

TEST(ExpressionLogicTest, AndIsThreeValued) {
  ExpressionPtr expr = Ok(MakeAnd(Col(0, DataType::Boolean()), Col(1, DataType::Boolean())));
  EXPECT_EQ(Rows(*expr, TruthTable()), (std::vector<Value>{kTrue, kFalse, kNull, kFalse, kFalse,
                                                           kFalse, kNull, kFalse, kNull}));
}

TEST(ExpressionLogicTest, OrIsThreeValued) {
  ExpressionPtr expr = Ok(MakeOr(Col(0, DataType::Boolean()), Col(1, DataType::Boolean())));
  EXPECT_EQ(Rows(*expr, TruthTable()),
            (std::vector<Value>{kTrue, kTrue, kTrue, kTrue, kFalse, kNull, kTrue, kNull, kNull}));
}

TEST(ExpressionLogicTest, NotAndFilterDropNull) {
  ExpressionPtr expr = Ok(MakeNot(Col(0, DataType::Boolean())));
  RecordBatch batch = testing::OneColumn(DataType::Boolean(), {kTrue, kFalse, kNull});
  EXPECT_EQ(Rows(*expr, batch), (std::vector<Value>{kFalse, kTrue, kNull}));
  std::vector<uint8_t> keep;
  EvalContext context;
  ASSERT_TRUE(EvaluateFilter(*expr, batch, &keep, context).ok());
  EXPECT_EQ(keep, (std::vector<uint8_t>{0, 1, 0}));
}

TEST(ExpressionLogicTest, AndSkipsRowsAlreadyFalse) {
  // x <> 0 AND 10 / x > 1: the division never sees x = 0.
  ExpressionPtr nonzero = Ok(
      MakeComparison(ComparisonOp::kNotEqual, Col(0, DataType::Integer()), Lit(Value::Integer(0))));
  ExpressionPtr quotient = Ok(
      MakeArithmetic(ArithmeticOp::kDivide, Lit(Value::Integer(10)), Col(0, DataType::Integer())));
  ExpressionPtr big =
      Ok(MakeComparison(ComparisonOp::kGreater, std::move(quotient), Lit(Value::Integer(1))));
  ExpressionPtr expr = Ok(MakeAnd(std::move(nonzero), std::move(big)));
  RecordBatch batch = testing::OneColumn(
      DataType::Integer(), {Value::Integer(0), Value::Integer(2), Value::Integer(20)});
  EXPECT_EQ(Rows(*expr, batch), (std::vector<Value>{kFalse, kTrue, kFalse}));
}

TEST(ExpressionLogicTest, AndRejectsNonBoolean) {
  Result<ExpressionPtr> expr =
      MakeAnd(Col(0, DataType::Boolean()), MakeColumnRef(1, DataType::Bigint(), 12));
  ASSERT_FALSE(expr.ok());
  EXPECT_EQ(expr.status().category(), ErrorCategory::kBinder);
  EXPECT_EQ(expr.status().message(), "argument of AND must be BOOLEAN, not BIGINT");
  EXPECT_EQ(expr.status().position(), 12);
}

TEST(ExpressionLogicTest, CaseTakesTheFirstTrueBranch) {
  ExpressionPtr x = Col(0, DataType::Integer());
  std::vector<CaseBranch> branches;
  branches.push_back(
      {Ok(MakeComparison(ComparisonOp::kGreater, x->Clone(), Lit(Value::Integer(0)))),
       Text("pos")});
  branches.push_back(
      {Ok(MakeComparison(ComparisonOp::kLess, x->Clone(), Lit(Value::Integer(0)))), Text("neg")});
  ExpressionPtr no_else = Ok(MakeCase(std::move(branches), nullptr));
  RecordBatch batch = testing::OneColumn(
      DataType::Integer(),
      {Value::Integer(5), Value::Integer(-5), Value::Integer(0), Value::Null(DataType::Integer())});
  std::vector<Value> rows = Rows(*no_else, batch);
  EXPECT_EQ(rows[0], Value::Varchar("pos"));
  EXPECT_EQ(rows[1], Value::Varchar("neg"));
  EXPECT_TRUE(rows[2].is_null());  // no ELSE: NULL
  EXPECT_TRUE(rows[3].is_null());  // NULL > 0 is not TRUE
}

TEST(ExpressionLogicTest, CaseEvaluatesBranchesOnlyForTheirRows) {
  // CASE WHEN x = 0 THEN 0 ELSE 100 / x END
  std::vector<CaseBranch> branches;
  branches.push_back({Ok(MakeComparison(ComparisonOp::kEqual, Col(0, DataType::Integer()),
                                        Lit(Value::Integer(0)))),
                      Lit(Value::Integer(0))});
  ExpressionPtr otherwise = Ok(
      MakeArithmetic(ArithmeticOp::kDivide, Lit(Value::Integer(100)), Col(0, DataType::Integer())));
  ExpressionPtr expr = Ok(MakeCase(std::move(branches), std::move(otherwise)));
  RecordBatch batch =
      testing::OneColumn(DataType::Integer(), {Value::Integer(0), Value::Integer(4)});
  EXPECT_EQ(Rows(*expr, batch), (std::vector<Value>{Value::Integer(0), Value::Integer(25)}));
}

TEST(ExpressionLogicTest, CaseBranchTypesMustMatch) {
  std::vector<CaseBranch> branches;
  branches.push_back({Lit(kTrue), Text("a")});
  Result<ExpressionPtr> expr = MakeCase(std::move(branches), Lit(Value::Bigint(1)));
  ASSERT_FALSE(expr.ok());
  EXPECT_EQ(expr.status().message(), "CASE types VARCHAR and BIGINT cannot be matched");
}

TEST(ExpressionLogicTest, CastErrors) {
  // A literal that cannot convert is caught while binding.
  Result<ExpressionPtr> literal = MakeCast(Text("abc"), DataType::Integer(), 9);
  ASSERT_FALSE(literal.ok());
  EXPECT_EQ(literal.status().category(), ErrorCategory::kBinder);
  EXPECT_EQ(literal.status().message(), "cannot cast 'abc' to INTEGER");
  // Some casts do not exist at all.
  Result<ExpressionPtr> impossible = MakeCast(Col(0, DataType::Boolean()), DataType::Date(), 4);
  ASSERT_FALSE(impossible.ok());
  EXPECT_EQ(impossible.status().message(), "cannot cast BOOLEAN to DATE");
  // A value from the data fails its row at run time.
  ExpressionPtr cast = Ok(MakeCast(Col(0, DataType::Varchar()), DataType::Integer(), 5));
  RecordBatch batch =
      testing::OneColumn(DataType::Varchar(), {Value::Varchar(" 42 "), Value::Varchar("4x")});
  EvalContext context;
  Result<std::vector<Value>> rows = testing::EvalRows(*cast, batch, &context);
  ASSERT_FALSE(rows.ok());
  EXPECT_EQ(rows.status().category(), ErrorCategory::kExecution);
  EXPECT_EQ(rows.status().message(), "cannot cast '4x' to INTEGER");
  EXPECT_EQ(rows.status().position(), 5);
  EXPECT_EQ(context.error_row, 1);
  // ... and the good row alone converts.
  batch = testing::OneColumn(DataType::Varchar(),
                             {Value::Varchar(" 42 "), Value::Null(DataType::Varchar())});
  EXPECT_EQ(Rows(*cast, batch),
            (std::vector<Value>{Value::Integer(42), Value::Null(DataType::Integer())}));
}

TEST(ExpressionLogicTest, LikeWithLiteralAndColumnPatterns) {
  ExpressionPtr starts = Ok(MakeLike(Col(0, DataType::Varchar()), Text("A%"), false));
  ExpressionPtr not_underscore = Ok(MakeLike(Col(0, DataType::Varchar()), Text("_b%"), true));
  ExpressionPtr escaped = Ok(MakeLike(Col(0, DataType::Varchar()), Text("100\\%"), false));
  RecordBatch batch = testing::OneColumn(
      DataType::Varchar(), {Value::Varchar("Abc"), Value::Varchar("abc"), Value::Varchar("100%"),
                            Value::Varchar("1000"), Value::Null(DataType::Varchar())});
  EXPECT_EQ(Rows(*starts, batch), (std::vector<Value>{kTrue, kFalse, kFalse, kFalse, kNull}));
  EXPECT_EQ(Rows(*not_underscore, batch),
            (std::vector<Value>{kFalse, kFalse, kTrue, kTrue, kNull}));
  EXPECT_EQ(Rows(*escaped, batch), (std::vector<Value>{kFalse, kFalse, kTrue, kFalse, kNull}));

  Schema schema({Field{"s", DataType::Varchar()}, Field{"p", DataType::Varchar()}});
  RecordBatch pairs =
      testing::MakeBatch(schema, {{Value::Varchar("héllo"), Value::Varchar("h_llo")},
                                  {Value::Varchar("hello"), Value::Varchar("%z%")}});
  ExpressionPtr per_row =
      Ok(MakeLike(Col(0, DataType::Varchar()), Col(1, DataType::Varchar()), false));
  EXPECT_EQ(Rows(*per_row, pairs), (std::vector<Value>{kTrue, kFalse}));

  Result<ExpressionPtr> bad =
      MakeLike(Col(0, DataType::Varchar()), MakeLiteral(Value::Varchar("ab\\"), 14), false, 2);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().category(), ErrorCategory::kBinder);
  EXPECT_EQ(bad.status().position(), 14);
}

std::vector<ExpressionPtr> Items(std::vector<Value> values) {
  std::vector<ExpressionPtr> items;
  for (Value& value : values) items.push_back(Lit(std::move(value)));
  return items;
}

TEST(ExpressionLogicTest, InListWithNullItem) {
  RecordBatch batch = testing::OneColumn(DataType::Integer(), {Value::Integer(1), Value::Integer(3),
                                                               Value::Null(DataType::Integer())});
  ExpressionPtr in = Ok(MakeInList(Col(0, DataType::Integer()),
                                   Items({Value::Integer(1), Value::Integer(2)}), false));
  EXPECT_EQ(Rows(*in, batch), (std::vector<Value>{kTrue, kFalse, kNull}));
  ExpressionPtr with_null =
      Ok(MakeInList(Col(0, DataType::Integer()), Items({Value::Integer(1), Value::Null()}), false));
  EXPECT_EQ(Rows(*with_null, batch), (std::vector<Value>{kTrue, kNull, kNull}));
  ExpressionPtr not_in =
      Ok(MakeInList(Col(0, DataType::Integer()), Items({Value::Integer(1), Value::Null()}), true));
  EXPECT_EQ(Rows(*not_in, batch), (std::vector<Value>{kFalse, kNull, kNull}));
  // Items promote with the operand: INTEGER IN (DOUBLE) compares as DOUBLE.
  ExpressionPtr promoted =
      Ok(MakeInList(Col(0, DataType::Integer()), Items({Value::Double(3.0)}), false));
  EXPECT_EQ(Rows(*promoted, batch), (std::vector<Value>{kFalse, kTrue, kNull}));
}

TEST(ExpressionLogicTest, InListOfColumnsAndTypeErrors) {
  Schema schema({Field{"s", DataType::Varchar()}, Field{"t", DataType::Varchar()}});
  RecordBatch batch = testing::MakeBatch(schema, {{Value::Varchar("a"), Value::Varchar("a")},
                                                  {Value::Varchar("a"), Value::Varchar("b")}});
  std::vector<ExpressionPtr> items;
  items.push_back(Col(1, DataType::Varchar()));
  items.push_back(Text("z"));
  ExpressionPtr in = Ok(MakeInList(Col(0, DataType::Varchar()), std::move(items), false));
  EXPECT_EQ(Rows(*in, batch), (std::vector<Value>{kTrue, kFalse}));

  Result<ExpressionPtr> mismatch =
      MakeInList(Col(0, DataType::Varchar()), Items({Value::Integer(1)}), false, 3);
  ASSERT_FALSE(mismatch.ok());
  EXPECT_EQ(mismatch.status().message(), "operator IN cannot compare VARCHAR with INTEGER");
}

TEST(ExpressionLogicTest, BetweenIsInclusiveAndThreeValued) {
  RecordBatch batch =
      testing::OneColumn(DataType::Bigint(), {Value::Bigint(1), Value::Bigint(5), Value::Bigint(10),
                                              Value::Bigint(11), Value::Null(DataType::Bigint())});
  ExpressionPtr between = Ok(MakeBetween(Col(0, DataType::Bigint()), Lit(Value::Integer(5)),
                                         Lit(Value::Integer(10)), false));
  EXPECT_EQ(Rows(*between, batch), (std::vector<Value>{kFalse, kTrue, kTrue, kFalse, kNull}));
  ExpressionPtr outside = Ok(MakeBetween(Col(0, DataType::Bigint()), Lit(Value::Integer(5)),
                                         Lit(Value::Integer(10)), true));
  EXPECT_EQ(Rows(*outside, batch), (std::vector<Value>{kTrue, kFalse, kFalse, kTrue, kNull}));
  // An unknown upper bound: x BETWEEN 5 AND NULL is FALSE below 5, NULL from 5 on.
  ExpressionPtr open = Ok(
      MakeBetween(Col(0, DataType::Bigint()), Lit(Value::Integer(5)), Lit(Value::Null()), false));
  EXPECT_EQ(Rows(*open, batch), (std::vector<Value>{kFalse, kNull, kNull, kNull, kNull}));
}

}  // namespace
}  // namespace sluice
