// JSON_VALUE / JSON_QUERY: path steps, scalar rendering, NULL for missing paths and malformed
// documents, and path errors at bind time and per row.

#include <gtest/gtest.h>

#include "tests/unit/runtime/expression_test_util.h"

namespace sluice {
namespace {

using testing::Args;
using testing::Bind;
using testing::Col;
using testing::Text;

constexpr const char* kOrder =
    R"({"id": 42, "price": 9.5, "paid": true, "note": null, "big": 18446744073709551615,
        "customer": {"name": "Ada \"Countess\"", "tags": ["vip", "early"]},
        "items": [{"sku": "A-1", "qty": 2}, {"sku": "B-7", "qty": 1}],
        "odd key": "yes"})";

// JSON_VALUE(doc, path) with the document in a column (the kernel's real path).
Value JsonValue(const char* path, const char* document = kOrder) {
  ExpressionPtr call = Bind("json_value", Args(Col(0, DataType::Varchar()), Text(path)));
  Result<std::vector<Value>> rows =
      testing::EvalRows(*call, testing::OneColumn(DataType::Varchar(), {Value::Varchar(document)}));
  EXPECT_TRUE(rows.ok()) << rows.status().ToString();
  return rows.ok() ? (*rows)[0] : Value();
}

TEST(FunctionJsonTest, ScalarsAsText) {
  EXPECT_EQ(JsonValue("$.id"), Value::Varchar("42"));
  EXPECT_EQ(JsonValue("$.price"), Value::Varchar("9.5"));
  EXPECT_EQ(JsonValue("$.paid"), Value::Varchar("true"));
  EXPECT_EQ(JsonValue("$.big"), Value::Varchar("18446744073709551615"));
  EXPECT_EQ(JsonValue("$.customer.name"), Value::Varchar("Ada \"Countess\""));
  EXPECT_EQ(JsonValue("$.customer.tags[1]"), Value::Varchar("early"));
  EXPECT_EQ(JsonValue("$.items[1].sku"), Value::Varchar("B-7"));
  EXPECT_EQ(JsonValue("$[\"odd key\"]"), Value::Varchar("yes"));
  EXPECT_EQ(JsonValue("lax $['items'][0].qty"), Value::Varchar("2"));
}

TEST(FunctionJsonTest, MissingNonScalarAndMalformedGiveNull) {
  EXPECT_TRUE(JsonValue("$.nope").is_null());
  EXPECT_TRUE(JsonValue("$.items[5].sku").is_null());
  EXPECT_TRUE(JsonValue("$.id.deeper").is_null());
  EXPECT_TRUE(JsonValue("$.note").is_null());      // JSON null
  EXPECT_TRUE(JsonValue("$.customer").is_null());  // objects are not scalars
  EXPECT_TRUE(JsonValue("$.id", "{\"id\": 1").is_null());
  EXPECT_TRUE(JsonValue("$.id", "").is_null());
}

TEST(FunctionJsonTest, JsonQueryReturnsJsonText) {
  ExpressionPtr call =
      Bind("json_query", Args(Col(0, DataType::Varchar()), Text("$.customer.tags")));
  Result<std::vector<Value>> rows = testing::EvalRows(
      *call,
      testing::OneColumn(DataType::Varchar(), {Value::Varchar(kOrder), Value::Varchar("{}")}));
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ((*rows)[0], Value::Varchar(R"(["vip","early"])"));
  EXPECT_TRUE((*rows)[1].is_null());
}

TEST(FunctionJsonTest, NullDocumentOrPathGivesNull) {
  Result<Value> value =
      testing::CallScalar("json_value", {Value::Null(DataType::Varchar()), Value::Varchar("$.a")});
  ASSERT_TRUE(value.ok());
  EXPECT_TRUE(value->is_null());
  value = testing::CallScalar("json_value", {Value::Varchar("{\"a\":1}"), Value::Null()});
  ASSERT_TRUE(value.ok());
  EXPECT_TRUE(value->is_null());
}

TEST(FunctionJsonTest, ConstantArgumentsFold) {
  Result<ExpressionPtr> call =
      MakeFunctionCall("json_value", Args(Text(R"({"a":{"b":[10,20]}})"), Text("$.a.b[1]")));
  ASSERT_TRUE(call.ok());
  ASSERT_NE((*call)->literal(), nullptr);
  EXPECT_EQ(*(*call)->literal(), Value::Varchar("20"));
}

TEST(FunctionJsonTest, InvalidLiteralPathIsABinderError) {
  std::vector<ExpressionPtr> args;
  args.push_back(Col(0, DataType::Varchar()));
  args.push_back(MakeLiteral(Value::Varchar("$.a["), 30));
  Result<ExpressionPtr> call = MakeFunctionCall("json_value", std::move(args), 10);
  ASSERT_FALSE(call.ok());
  EXPECT_EQ(call.status().category(), ErrorCategory::kBinder);
  EXPECT_EQ(call.status().position(), 30);
  EXPECT_EQ(call.status().message(),
            "invalid JSON path '$.a[': expected an array index at character 5");

  Result<ExpressionPtr> no_root =
      MakeFunctionCall("json_value", Args(Col(0, DataType::Varchar()), Text("a.b")));
  ASSERT_FALSE(no_root.ok());
  EXPECT_NE(no_root.status().message().find("expected '$'"), std::string::npos);
}

TEST(FunctionJsonTest, InvalidPathFromDataFailsItsRow) {
  Schema schema({Field{"doc", DataType::Varchar()}, Field{"path", DataType::Varchar()}});
  RecordBatch batch =
      testing::MakeBatch(schema, {{Value::Varchar(R"({"a":1})"), Value::Varchar("$.a")},
                                  {Value::Varchar(R"({"a":2})"), Value::Varchar("$.a")},
                                  {Value::Varchar(R"({"a":3})"), Value::Varchar("$..a")}});
  ExpressionPtr call =
      Bind("json_value", Args(Col(0, DataType::Varchar()), Col(1, DataType::Varchar())));
  EvalContext context;
  Result<std::vector<Value>> rows = testing::EvalRows(*call, batch, &context);
  ASSERT_FALSE(rows.ok());
  EXPECT_EQ(rows.status().category(), ErrorCategory::kExecution);
  EXPECT_EQ(context.error_row, 2);
  EXPECT_NE(rows.status().message().find("json_value: invalid JSON path '$..a'"),
            std::string::npos);

  batch = testing::MakeBatch(schema, {{Value::Varchar(R"({"a":1,"b":2})"), Value::Varchar("$.a")},
                                      {Value::Varchar(R"({"a":1,"b":2})"), Value::Varchar("$.b")}});
  rows = testing::EvalRows(*call, batch);
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ((*rows)[0], Value::Varchar("1"));
  EXPECT_EQ((*rows)[1], Value::Varchar("2"));
}

}  // namespace
}  // namespace sluice
