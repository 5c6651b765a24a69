// ExpressionToJson -> ExpressionFromJson: every node kind and literal type survives the trip and
// evaluates to the same values; prepared state (regexes, LIKE matchers, EXTRACT units) is rebuilt;
// plans that no longer bind are INTERNAL errors.

#include "runtime/expression/expression_json.h"

#include <gtest/gtest.h>

#include <cmath>

#include "tests/unit/runtime/expression_test_util.h"

namespace sluice {
namespace {

using testing::Args;
using testing::Bind;
using testing::Col;
using testing::Lit;
using testing::Text;

template <typename T>
T Ok(Result<T> result) {
  EXPECT_TRUE(result.ok()) << result.status().ToString();
  return std::move(result).value();
}

const DataType kPoint = DataType::Struct({"x", "label"}, {DataType::Double(), DataType::Varchar()});
const DataType kTags = DataType::Array(DataType::Varchar());
const DataType kAttrs = DataType::Map(DataType::Bigint());

Schema OrderSchema() {
  return Schema({{"price", DataType::Bigint()},
                 {"name", DataType::Varchar()},
                 {"ts", DataType::Timestamp()},
                 {"point", kPoint},
                 {"tags", kTags},
                 {"attrs", kAttrs},
                 {"amount", DataType::Decimal(8, 2)},
                 {"flag", DataType::Boolean()}});
}

RecordBatch Orders() {
  auto row = [](int64_t price, Value name, int64_t ts, double x, std::vector<std::string> tags,
                int64_t attr, int64_t cents, Value flag) {
    std::vector<Value> tag_values;
    for (std::string& tag : tags) tag_values.push_back(Value::Varchar(std::move(tag)));
    return std::vector<Value>{Value::Bigint(price),
                              std::move(name),
                              Value::Timestamp(ts),
                              Value::Struct(kPoint, {Value::Double(x), Value::Varchar("p")}),
                              Value::Array(kTags, std::move(tag_values)),
                              Value::Map(kAttrs, {"k"}, {Value::Bigint(attr)}),
                              Value::Decimal(cents, 8, 2),
                              std::move(flag)};
  };
  std::vector<std::vector<Value>> rows = {
      row(150, Value::Varchar("Ada"), 1'700'000'000'000, 1.5, {"vip", "new"}, 7, 1999,
          Value::Boolean(true)),
      row(2, Value::Varchar("bob"), 0, -2.0, {}, 0, -5, Value::Boolean(false)),
      row(300, Value::Varchar("Alan \"T\" ü"), -86'400'000, 0.0, {"x"}, 9, 0,
          Value::Null(DataType::Boolean())),
      row(1, Value::Null(DataType::Varchar()), 1'000, 3.25, {"a", "b", "c"}, -1, 100,
          Value::Boolean(true)),
  };
  return testing::MakeBatch(OrderSchema(), rows);
}

ExpressionPtr C(int index) {
  return Col(index, OrderSchema().field(static_cast<size_t>(index)).type);
}

// One expression per line of the plan shapes we care about; together they use every kind.
std::vector<ExpressionPtr> Expressions() {
  std::vector<ExpressionPtr> all;
  // price > 100 AND upper(name) LIKE 'A%'
  all.push_back(
      Ok(MakeAnd(Ok(MakeComparison(ComparisonOp::kGreater, C(0), Lit(Value::Integer(100)))),
                 Ok(MakeLike(Bind("upper", Args(C(1))), Text("A%"), false)))));
  // CASE WHEN name IS NULL THEN 'none' WHEN price IN (1, 2, NULL) THEN 'small' ELSE name || '!' END
  std::vector<CaseBranch> branches;
  branches.push_back({Ok(MakeIsNull(C(1), false)), Text("none")});
  std::vector<ExpressionPtr> items;
  items.push_back(Lit(Value::Integer(1)));
  items.push_back(Lit(Value::Integer(2)));
  items.push_back(Lit(Value::Null()));
  branches.push_back({Ok(MakeInList(C(0), std::move(items), false)), Text("small")});
  all.push_back(Ok(MakeCase(std::move(branches), Ok(MakeConcat(C(1), Text("!"))))));
  // COALESCE(NULLIF(name, 'bob'), 'default')
  std::vector<ExpressionPtr> coalesce_args;
  coalesce_args.push_back(Ok(MakeNullIf(C(1), Text("bob"))));
  coalesce_args.push_back(Text("default"));
  all.push_back(Ok(MakeCoalesce(std::move(coalesce_args))));
  // regexp_extract(name, '(\w)\w*', 1) and regexp_replace with a pattern from the data
  all.push_back(Bind("regexp_extract", Args(C(1), Text("(\\w)\\w*"), Lit(Value::Integer(1)))));
  all.push_back(Bind("regexp_replace", Args(C(1), C(1), Text("<\\0>"))));
  // EXTRACT(YEAR FROM ts) + CAST(amount AS BIGINT)
  all.push_back(Ok(MakeArithmetic(ArithmeticOp::kAdd, Bind("extract", Args(Text("YEAR"), C(2))),
                                  Ok(MakeCast(C(6), DataType::Bigint())))));
  // point.x * 2, tags[1], attrs['k'], attrs->k
  all.push_back(Ok(MakeArithmetic(ArithmeticOp::kMultiply, Ok(MakeStructField(C(3), 0)),
                                  Lit(Value::Double(2)))));
  all.push_back(Ok(MakeSubscript(C(4), Lit(Value::Integer(1)))));
  all.push_back(Ok(MakeSubscript(C(5), Text("k"))));
  // NOT flag OR price NOT BETWEEN 1 AND 10
  all.push_back(Ok(MakeOr(Ok(MakeNot(C(7))), Ok(MakeBetween(C(0), Lit(Value::Integer(1)),
                                                            Lit(Value::Integer(10)), true)))));
  // date_format(ts, 'yyyy-MM-dd'), round(amount, 1), greatest(price, 5), now() > ts
  all.push_back(Bind("date_format", Args(C(2), Text("yyyy-MM-dd"))));
  all.push_back(Bind("round", Args(C(6), Lit(Value::Integer(1)))));
  all.push_back(Bind("greatest", Args(C(0), Lit(Value::Integer(5)), Lit(Value::Null()))));
  all.push_back(Ok(MakeComparison(ComparisonOp::kGreater, Bind("now", {}), C(2))));
  // name NOT IN ('bob', 'x'), name IS NOT NULL, name NOT LIKE '%o%'
  std::vector<ExpressionPtr> names;
  names.push_back(Text("bob"));
  names.push_back(Text("x"));
  all.push_back(Ok(MakeInList(C(1), std::move(names), true)));
  all.push_back(Ok(MakeIsNull(C(1), true)));
  all.push_back(Ok(MakeLike(C(1), Text("%o%"), true)));
  // json_value over a string built from the row
  all.push_back(
      Bind("json_value",
           Args(Ok(MakeConcat(Ok(MakeConcat(Text("{\"p\":"), C(0))), Text("}"))), Text("$.p"))));
  return all;
}

ExpressionPtr RoundTrip(const Expression& expr, std::string* json_out = nullptr) {
  std::string json;
  ExpressionToJson(expr, json);
  if (json_out != nullptr) *json_out = json;
  Result<ExpressionPtr> back = ExpressionFromJson(json);
  EXPECT_TRUE(back.ok()) << back.status().ToString() << "\n" << json;
  return back.ok() ? std::move(back).value() : nullptr;
}

TEST(ExpressionJsonTest, RoundTripEvaluatesIdentically) {
  RecordBatch batch = Orders();
  std::vector<ExpressionPtr> expressions = Expressions();
  for (const ExpressionPtr& expr : expressions) {
    std::string json;
    ExpressionPtr back = RoundTrip(*expr, &json);
    ASSERT_NE(back, nullptr);
    EXPECT_EQ(back->ToString(), expr->ToString());
    EXPECT_EQ(back->type(), expr->type());
    std::string again;
    ExpressionToJson(*back, again);
    EXPECT_EQ(again, json);

    EvalContext context;
    context.now_millis = 1'000'000;
    Result<std::vector<Value>> original = testing::EvalRows(*expr, batch, &context);
    Result<std::vector<Value>> rebuilt = testing::EvalRows(*back, batch, &context);
    ASSERT_TRUE(original.ok()) << expr->ToString() << ": " << original.status().ToString();
    ASSERT_TRUE(rebuilt.ok()) << back->ToString() << ": " << rebuilt.status().ToString();
    EXPECT_EQ(*rebuilt, *original) << json;
  }
}

TEST(ExpressionJsonTest, ResultsOfTheFirstExpressionAreTheExpectedOnes) {
  // Guards the round-trip test against both sides being wrong the same way.
  ExpressionPtr back = RoundTrip(*Expressions()[0]);
  ASSERT_NE(back, nullptr);
  std::vector<Value> rows = Ok(testing::EvalRows(*back, Orders()));
  EXPECT_EQ(rows, (std::vector<Value>{Value::Boolean(true), Value::Boolean(false),
                                      Value::Boolean(true), Value::Boolean(false)}));
}

TEST(ExpressionJsonTest, ShapeOfACall) {
  ExpressionPtr expr = Ok(MakeArithmetic(
      ArithmeticOp::kAdd, MakeColumnRef(0, DataType::Bigint(), 7), Lit(Value::Bigint(1)), 12));
  std::string json;
  ExpressionToJson(*expr, json);
  EXPECT_EQ(json, R"({"kind":"call","type":"BIGINT","pos":12,"name":"+","args":[)"
                  R"({"kind":"column","type":"BIGINT","pos":7,"index":0},)"
                  R"({"kind":"literal","type":"BIGINT","pos":-1,"value":1}]})");
}

TEST(ExpressionJsonTest, LiteralsOfEveryType) {
  std::vector<Value> values = {
      Value::Null(),
      Value::Null(DataType::Varchar()),
      Value::Boolean(true),
      Value::Integer(-7),
      Value::Bigint(INT64_MIN),
      Value::Double(0.1),
      Value::Double(-HUGE_VAL),
      Value::Decimal(-12345, 9, 3),
      Value::Varchar("quote \" backslash \\ newline \n ü"),
      Value::Timestamp(-1),
      Value::Date(19675),
      Value::Bytes(std::string("\0\xff\x01", 3)),
      Value::Array(kTags, {Value::Varchar("a"), Value::Null(DataType::Varchar())}),
      Value::Struct(kPoint, {Value::Double(1.5), Value::Varchar("p")}),
      Value::Map(kAttrs, {"a", "b"}, {Value::Bigint(1), Value::Bigint(2)}),
  };
  for (const Value& value : values) {
    ExpressionPtr back = RoundTrip(*MakeLiteral(value, 3));
    ASSERT_NE(back, nullptr);
    ASSERT_NE(back->literal(), nullptr);
    EXPECT_EQ(*back->literal(), value);
    EXPECT_EQ(back->position(), 3);
  }
  ExpressionPtr nan = RoundTrip(*MakeLiteral(Value::Double(std::nan(""))));
  ASSERT_NE(nan, nullptr);
  EXPECT_TRUE(std::isnan(nan->literal()->double_value()));
}

TEST(ExpressionJsonTest, PreparedStateIsRebuilt) {
  // The regex is compiled again on load: a rebuilt call works without the original's state.
  std::string json;
  {
    ExpressionPtr expr = Bind("regexp_like", Args(C(1), Text("^A")));
    ExpressionToJson(*expr, json);
  }
  ExpressionPtr back = Ok(ExpressionFromJson(json));
  ASSERT_EQ(back->kind(), ExpressionKind::kFunctionCall);
  EXPECT_NE(back->As<FunctionCallExpression>().state(), nullptr);
  std::vector<Value> rows = Ok(testing::EvalRows(*back, Orders()));
  EXPECT_EQ(rows[0], Value::Boolean(true));
  EXPECT_EQ(rows[1], Value::Boolean(false));
}

TEST(ExpressionJsonTest, BrokenPlansAreInternalErrors) {
  const char* cases[] = {
      R"({"kind":"call","type":"BIGINT","pos":1)",  // truncated
      R"({"kind":"call","type":"BIGINT","pos":1,"name":"no_such_fn","args":[]})",
      R"({"kind":"call","type":"VARCHAR","pos":1,"name":"+","args":[)"
      R"({"kind":"literal","type":"BIGINT","pos":-1,"value":1},)"
      R"({"kind":"literal","type":"BIGINT","pos":-1,"value":2}]})",  // + returns BIGINT
      R"({"kind":"teleport","type":"BIGINT","pos":1})",
      R"({"kind":"literal","type":"NOT A TYPE","pos":1,"value":1})",
      R"({"kind":"literal","type":"BIGINT","pos":1,"value":"one"})",
      R"({"kind":"call","type":"BOOLEAN","pos":1,"name":"regexp_like","args":[)"
      R"({"kind":"literal","type":"VARCHAR","pos":-1,"value":"a"},)"
      R"({"kind":"literal","type":"VARCHAR","pos":-1,"value":"("}]})",  // pattern no longer
                                                                        // compiles
  };
  for (const char* json : cases) {
    Result<ExpressionPtr> expr = ExpressionFromJson(json);
    ASSERT_FALSE(expr.ok()) << json;
    EXPECT_EQ(expr.status().category(), ErrorCategory::kInternal) << expr.status().ToString();
  }
}

}  // namespace
}  // namespace sluice
