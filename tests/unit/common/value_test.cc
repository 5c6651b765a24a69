#include "common/value.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace sluice {
namespace {

TEST(ValueTest, NullKeepsItsType) {
  Value null;
  EXPECT_TRUE(null.is_null());
  EXPECT_EQ(null.type(), DataType::Null());
  Value typed = Value::Null(DataType::Bigint());
  EXPECT_TRUE(typed.is_null());
  EXPECT_EQ(typed.type(), DataType::Bigint());
  EXPECT_EQ(typed.ToString(), "NULL");
  EXPECT_EQ(typed.ToSqlLiteral(), "NULL");
}

TEST(ValueTest, ScalarFactoriesAndAccessors) {
  EXPECT_TRUE(Value::Boolean(true).bool_value());
  EXPECT_EQ(Value::Integer(-7).int_value(), -7);
  EXPECT_EQ(Value::Integer(-7).type(), DataType::Integer());
  EXPECT_EQ(Value::Bigint(1LL << 40).int_value(), 1LL << 40);
  EXPECT_EQ(Value::Double(2.5).double_value(), 2.5);
  EXPECT_EQ(Value::Decimal(1250, 10, 2).type(), DataType::Decimal(10, 2));
  EXPECT_EQ(Value::Varchar("abc").string_value(), "abc");
  EXPECT_EQ(Value::Timestamp(5).type(), DataType::Timestamp());
  EXPECT_EQ(Value::Date(3).int_value(), 3);
  EXPECT_EQ(Value::Bytes(std::string("\0\1", 2)).string_value().size(), 2u);
  EXPECT_FALSE(Value::Varchar("").is_null());
}

TEST(ValueTest, ToStringDisplayForms) {
  EXPECT_EQ(Value::Boolean(false).ToString(), "false");
  EXPECT_EQ(Value::Bigint(-42).ToString(), "-42");
  EXPECT_EQ(Value::Double(1.5).ToString(), "1.5");
  EXPECT_EQ(Value::Decimal(1250, 10, 2).ToString(), "12.50");
  EXPECT_EQ(Value::Varchar("it's").ToString(), "it's");
  EXPECT_EQ(Value::Timestamp(1700000000000).ToString(), "2023-11-14 22:13:20.000");
  EXPECT_EQ(Value::Date(19675).ToString(), "2023-11-14");
  EXPECT_EQ(Value::Bytes("\x01\xff").ToString(), "\\x01ff");
}

TEST(ValueTest, ToSqlLiteralForms) {
  EXPECT_EQ(Value::Varchar("it's").ToSqlLiteral(), "'it''s'");
  EXPECT_EQ(Value::Boolean(true).ToSqlLiteral(), "TRUE");
  EXPECT_EQ(Value::Decimal(1250, 10, 2).ToSqlLiteral(), "12.50");
  EXPECT_EQ(Value::Bigint(3).ToSqlLiteral(), "3");
  EXPECT_EQ(Value::Timestamp(0).ToSqlLiteral(), "TIMESTAMP '1970-01-01 00:00:00.000'");
  EXPECT_EQ(Value::Date(0).ToSqlLiteral(), "DATE '1970-01-01'");
  EXPECT_EQ(Value::Bytes("\x0a").ToSqlLiteral(), "X'0a'");
  DataType array_type = DataType::Array(DataType::Varchar());
  EXPECT_EQ(Value::Array(array_type, {Value::Varchar("a"), Value::Null(DataType::Varchar())})
                .ToSqlLiteral(),
            "ARRAY['a', NULL]");
  DataType struct_type = DataType::Struct({"x"}, {DataType::Bigint()});
  EXPECT_EQ(Value::Struct(struct_type, {Value::Bigint(1)}).ToSqlLiteral(), "{'x': 1}");
}

TEST(ValueTest, NestedValuesDisplayAsJson) {
  DataType struct_type = DataType::Struct({"a", "b"}, {DataType::Bigint(), DataType::Varchar()});
  Value s = Value::Struct(struct_type, {Value::Bigint(1), Value::Varchar("x\"y")});
  EXPECT_EQ(s.ToString(), "{\"a\":1,\"b\":\"x\\\"y\"}");
  DataType map_type = DataType::Map(DataType::Double());
  Value m =
      Value::Map(map_type, {"k1", "k2"}, {Value::Double(0.5), Value::Null(DataType::Double())});
  EXPECT_EQ(m.ToString(), "{\"k1\":0.5,\"k2\":null}");
  EXPECT_EQ(m.nested().keys[1], "k2");
  DataType array_type = DataType::Array(struct_type);
  EXPECT_EQ(Value::Array(array_type, {s, s}).ToString(),
            "[{\"a\":1,\"b\":\"x\\\"y\"},{\"a\":1,\"b\":\"x\\\"y\"}]");
}

TEST(ValueTest, EqualityComparesTypeAndContent) {
  EXPECT_EQ(Value::Bigint(1), Value::Bigint(1));
  EXPECT_NE(Value::Bigint(1), Value::Integer(1));
  EXPECT_NE(Value::Bigint(1), Value::Bigint(2));
  EXPECT_EQ(Value::Null(DataType::Bigint()), Value::Null(DataType::Bigint()));
  EXPECT_NE(Value::Null(DataType::Bigint()), Value::Bigint(0));
  EXPECT_NE(Value::Decimal(100, 5, 2), Value::Decimal(100, 5, 1));
  EXPECT_EQ(Value::Double(std::nan("")), Value::Double(std::nan("")));
  EXPECT_NE(Value::Varchar("a"), Value::Bytes("a"));
  DataType array_type = DataType::Array(DataType::Bigint());
  EXPECT_EQ(Value::Array(array_type, {Value::Bigint(1)}),
            Value::Array(array_type, {Value::Bigint(1)}));
  EXPECT_NE(Value::Array(array_type, {Value::Bigint(1)}),
            Value::Array(array_type, {Value::Bigint(2)}));
  DataType map_type = DataType::Map(DataType::Bigint());
  EXPECT_NE(Value::Map(map_type, {"a"}, {Value::Bigint(1)}),
            Value::Map(map_type, {"b"}, {Value::Bigint(1)}));
}

TEST(ValueTest, FromInt64FollowsTheType) {
  EXPECT_EQ(Value::FromInt64(DataType::Boolean(), 1), Value::Boolean(true));
  EXPECT_EQ(Value::FromInt64(DataType::Integer(), 5), Value::Integer(5));
  EXPECT_EQ(Value::FromInt64(DataType::Bigint(), 5), Value::Bigint(5));
  EXPECT_EQ(Value::FromInt64(DataType::Decimal(6, 3), 1500), Value::Decimal(1500, 6, 3));
  EXPECT_EQ(Value::FromInt64(DataType::Timestamp(), 9), Value::Timestamp(9));
  EXPECT_EQ(Value::FromInt64(DataType::Date(), -1), Value::Date(-1));
}

TEST(FormatTest, Timestamps) {
  EXPECT_EQ(FormatTimestamp(0), "1970-01-01 00:00:00.000");
  EXPECT_EQ(FormatTimestamp(1700000000123), "2023-11-14 22:13:20.123");
  EXPECT_EQ(FormatTimestamp(-1), "1969-12-31 23:59:59.999");
  EXPECT_EQ(FormatTimestamp(951782400000), "2000-02-29 00:00:00.000");
}

TEST(FormatTest, Dates) {
  EXPECT_EQ(FormatDate(0), "1970-01-01");
  EXPECT_EQ(FormatDate(-1), "1969-12-31");
  EXPECT_EQ(FormatDate(11016), "2000-02-29");
  std::string out = "d=";
  AppendDateText(19675, out);
  EXPECT_EQ(out, "d=2023-11-14");
}

TEST(FormatTest, Decimals) {
  EXPECT_EQ(FormatDecimal(1250, 2), "12.50");
  EXPECT_EQ(FormatDecimal(-5, 2), "-0.05");
  EXPECT_EQ(FormatDecimal(0, 3), "0.000");
  EXPECT_EQ(FormatDecimal(7, 0), "7");
  EXPECT_EQ(FormatDecimal(-100, 2), "-1.00");
  EXPECT_EQ(FormatDecimal(std::numeric_limits<int64_t>::min(), 18), "-9.223372036854775808");
}

TEST(FormatTest, DoublesRoundTripInShortestForm) {
  EXPECT_EQ(FormatDouble(1.5), "1.5");
  EXPECT_EQ(FormatDouble(0.1), "0.1");
  EXPECT_EQ(FormatDouble(1e20), "1e+20");
  EXPECT_EQ(FormatDouble(-2), "-2");
  EXPECT_EQ(FormatDouble(std::nan("")), "NaN");
  EXPECT_EQ(FormatDouble(std::numeric_limits<double>::infinity()), "Infinity");
  EXPECT_EQ(FormatDouble(-std::numeric_limits<double>::infinity()), "-Infinity");
  double third = 1.0 / 3;
  EXPECT_EQ(std::stod(FormatDouble(third)), third);
}

TEST(ParseTest, TimestampForms) {
  EXPECT_EQ(*ParseTimestamp("2023-11-14 22:13:20"), 1700000000000);
  EXPECT_EQ(*ParseTimestamp("2023-11-14T22:13:20.5Z"), 1700000000500);
  EXPECT_EQ(*ParseTimestamp("2023-11-14T22:13:20.123456"), 1700000000123);
  EXPECT_EQ(*ParseTimestamp("2023-11-14 22:13"), 1699999980000);
  EXPECT_EQ(*ParseTimestamp("1970-01-01"), 0);
  EXPECT_EQ(*ParseTimestamp("1969-12-31 23:59:59.999"), -1);
  EXPECT_EQ(*ParseTimestamp(FormatTimestamp(1234567890123)), 1234567890123);
}

TEST(ParseTest, BadTimestampsAreExecutionErrors) {
  for (std::string_view text :
       {"", "2023-11-14 25:00:00", "2023-13-01", "2023-02-30", "2023-11-14 22:13:20.",
        "2023-11-14 22:13:20+01:00", "now", "2023-11-14x"}) {
    Result<int64_t> parsed = ParseTimestamp(text);
    ASSERT_FALSE(parsed.ok()) << text;
    EXPECT_EQ(parsed.status().category(), ErrorCategory::kExecution);
  }
  EXPECT_EQ(ParseTimestamp("x").status().message(),
            "invalid timestamp 'x': expected 'YYYY-MM-DD HH:MM:SS[.fff]'");
}

TEST(ParseTest, Dates) {
  EXPECT_EQ(*ParseDate("1970-01-02"), 1);
  EXPECT_EQ(*ParseDate("2000-02-29"), 11016);
  EXPECT_EQ(*ParseDate("1969-12-31"), -1);
  EXPECT_FALSE(ParseDate("2001-02-29").ok());
  EXPECT_FALSE(ParseDate("2001-2-3").ok());
  EXPECT_FALSE(ParseDate("2001-02-03 00:00").ok());
  EXPECT_EQ(ParseDate("bad").status().message(), "invalid date 'bad': expected 'YYYY-MM-DD'");
}

}  // namespace
}  // namespace sluice
