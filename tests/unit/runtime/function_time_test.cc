// Time functions: NOW within a batch, UNIX_TIMESTAMP, TO_TIMESTAMP, DATE_FORMAT patterns and
// EXTRACT units, including instants before 1970 and ISO week edges.

#include <gtest/gtest.h>

#include "runtime/function/time_format.h"
#include "tests/unit/runtime/expression_test_util.h"

namespace sluice {
namespace {

using testing::Args;
using testing::Bind;
using testing::CallOnColumn;
using testing::CallScalar;
using testing::Col;
using testing::Text;

constexpr int64_t kTuesday = 1'700'000'000'000;  // 2023-11-14 22:13:20.000 UTC, a Tuesday

Value Scalar(std::string_view name, std::vector<Value> args) {
  Result<Value> result = CallScalar(name, std::move(args));
  EXPECT_TRUE(result.ok()) << result.status().ToString();
  return result.ok() ? *result : Value();
}

int64_t Extract(std::string unit, int64_t millis) {
  Value value = Scalar("extract", {Value::Varchar(std::move(unit)), Value::Timestamp(millis)});
  return value.is_null() ? -999 : value.int_value();
}

TEST(FunctionTimeTest, NowIsFixedWithinABatchAndNotFolded) {
  ExpressionPtr now = Bind("now", {});
  ASSERT_EQ(now->kind(), ExpressionKind::kFunctionCall);
  EvalContext context;
  context.now_millis = kTuesday;
  RecordBatch batch =
      testing::OneColumn(DataType::Integer(), {Value::Integer(1), Value::Integer(2)});
  Result<std::vector<Value>> result = testing::EvalRows(*now, batch, &context);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ((*result)[0], Value::Timestamp(kTuesday));
  EXPECT_EQ((*result)[1], Value::Timestamp(kTuesday));

  ExpressionPtr seconds = Bind("unix_timestamp", {});
  context.now_millis = kTuesday + 999;
  result = testing::EvalRows(*seconds, batch, &context);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ((*result)[1], Value::Bigint(1'700'000'000));
}

TEST(FunctionTimeTest, UnixTimestampFloorsBeforeEpoch) {
  EXPECT_EQ(Scalar("unix_timestamp", {Value::Timestamp(kTuesday)}), Value::Bigint(1'700'000'000));
  EXPECT_EQ(Scalar("unix_timestamp", {Value::Timestamp(-1)}), Value::Bigint(-1));
  EXPECT_TRUE(Scalar("unix_timestamp", {Value::Null(DataType::Timestamp())}).is_null());
}

TEST(FunctionTimeTest, ToTimestampFromMillisAndText) {
  EXPECT_EQ(Scalar("to_timestamp", {Value::Bigint(kTuesday)}), Value::Timestamp(kTuesday));
  EXPECT_EQ(Scalar("to_timestamp", {Value::Varchar("2023-11-14 22:13:20")}),
            Value::Timestamp(kTuesday));
  EXPECT_EQ(Scalar("to_timestamp",
                   {Value::Varchar("14/11/2023 22:13"), Value::Varchar("dd/MM/yyyy HH:mm")}),
            Value::Timestamp(kTuesday - 20'000));
  EXPECT_EQ(Scalar("to_timestamp", {Value::Varchar("20231114"), Value::Varchar("yyyyMMdd")}),
            Value::Timestamp(1'699'920'000'000));
  EXPECT_EQ(Scalar("to_timestamp", {Value::Varchar("Nov 14 2023 10:13:20.5 PM"),
                                    Value::Varchar("MMM d yyyy hh:mm:ss.S a")}),
            Value::Timestamp(kTuesday + 500));
  EXPECT_EQ(Scalar("to_timestamp", {Value::Varchar("1969-12-31T23:59:59.999Z"),
                                    Value::Varchar("yyyy-MM-dd'T'HH:mm:ss.SSSX")}),
            Value::Timestamp(-1));
  EXPECT_TRUE(Scalar("to_timestamp", {Value::Null(DataType::Varchar())}).is_null());
}

TEST(FunctionTimeTest, ToTimestampRejectsTextThatDoesNotFit) {
  Result<std::vector<Value>> result = CallOnColumn(
      "to_timestamp", DataType::Varchar(),
      {Value::Varchar("2023-01-02"), Value::Varchar("2023-13-01")}, Args(Text("yyyy-MM-dd")));
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().category(), ErrorCategory::kExecution);
  EXPECT_EQ(result.status().message(),
            "to_timestamp: '2023-13-01' does not match 'yyyy-MM-dd': month 13 is out of range");

  result = CallOnColumn("to_timestamp", DataType::Varchar(), {Value::Varchar("2023-02-29")},
                        Args(Text("yyyy-MM-dd")));
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.status().message().find("day 29 is out of range"), std::string::npos);

  result = CallOnColumn("to_timestamp", DataType::Varchar(), {Value::Varchar("yesterday")});
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.status().message().find("to_timestamp: "), std::string::npos);
}

TEST(FunctionTimeTest, DateFormatPatterns) {
  auto format = [](const char* pattern, int64_t millis) {
    Value value = Scalar("date_format", {Value::Timestamp(millis), Value::Varchar(pattern)});
    return value.is_null() ? std::string("NULL") : value.string_value();
  };
  EXPECT_EQ(format("yyyy-MM-dd HH:mm:ss", kTuesday), "2023-11-14 22:13:20");
  EXPECT_EQ(format("EEE, d MMM yyyy hh:mm a", kTuesday), "Tue, 14 Nov 2023 10:13 PM");
  EXPECT_EQ(format("EEEE MMMM yy", kTuesday), "Tuesday November 23");
  EXPECT_EQ(format("yyyy-MM-dd'T'HH:mm:ss.SSSX", kTuesday + 7), "2023-11-14T22:13:20.007Z");
  EXPECT_EQ(format("'at' H 'o''clock'", kTuesday), "at 22 o'clock");
  EXPECT_EQ(format("yyyy-MM-dd HH:mm:ss.SSS", -1), "1969-12-31 23:59:59.999");
  EXPECT_EQ(format("D", kTuesday), "318");
}

TEST(FunctionTimeTest, DateFormatAcceptsDates) {
  // DATE converts to TIMESTAMP implicitly: midnight of that day.
  EXPECT_EQ(Scalar("date_format", {Value::Date(19675), Value::Varchar("yyyy/MM/dd HH")}),
            Value::Varchar("2023/11/14 00"));
}

TEST(FunctionTimeTest, InvalidLiteralPatternIsABinderErrorAtThePattern) {
  std::vector<ExpressionPtr> args;
  args.push_back(Col(0, DataType::Timestamp()));
  args.push_back(MakeLiteral(Value::Varchar("yyyy-QQ"), 21));
  Result<ExpressionPtr> call = MakeFunctionCall("date_format", std::move(args), 4);
  ASSERT_FALSE(call.ok());
  EXPECT_EQ(call.status().category(), ErrorCategory::kBinder);
  EXPECT_EQ(call.status().position(), 21);
  EXPECT_NE(call.status().message().find("unknown letter 'Q'"), std::string::npos);
}

TEST(FunctionTimeTest, PatternFromDataFailsPerRow) {
  Schema schema({Field{"ts", DataType::Timestamp()}, Field{"pattern", DataType::Varchar()}});
  RecordBatch batch =
      testing::MakeBatch(schema, {{Value::Timestamp(kTuesday), Value::Varchar("yyyy")},
                                  {Value::Timestamp(kTuesday), Value::Varchar("'unterminated")}});
  ExpressionPtr call =
      Bind("date_format", Args(Col(0, DataType::Timestamp()), Col(1, DataType::Varchar())));
  EvalContext context;
  Result<std::vector<Value>> result = testing::EvalRows(*call, batch, &context);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().category(), ErrorCategory::kExecution);
  EXPECT_EQ(context.error_row, 1);
}

TEST(FunctionTimeTest, ExtractUnits) {
  EXPECT_EQ(Extract("YEAR", kTuesday), 2023);
  EXPECT_EQ(Extract("QUARTER", kTuesday), 4);
  EXPECT_EQ(Extract("MONTH", kTuesday), 11);
  EXPECT_EQ(Extract("DAY", kTuesday), 14);
  EXPECT_EQ(Extract("HOUR", kTuesday), 22);
  EXPECT_EQ(Extract("MINUTE", kTuesday), 13);
  EXPECT_EQ(Extract("SECOND", kTuesday + 456), 20);
  EXPECT_EQ(Extract("MILLISECOND", kTuesday + 456), 20'456);
  EXPECT_EQ(Extract("DOW", kTuesday), 2);
  EXPECT_EQ(Extract("ISODOW", kTuesday - 2 * 86'400'000), 7);  // Sunday
  EXPECT_EQ(Extract("DOY", kTuesday), 318);
  EXPECT_EQ(Extract("WEEK", kTuesday), 46);
  EXPECT_EQ(Extract("EPOCH", kTuesday), 1'700'000'000);
  EXPECT_EQ(Extract("year", -1), 1969);  // lower case works too (extract('year', ts))
  EXPECT_EQ(Extract("DOW", -1), 3);      // 1969-12-31 was a Wednesday
}

TEST(FunctionTimeTest, IsoWeekAtYearEdges) {
  EXPECT_EQ(Extract("WEEK", DaysFromCivil(2021, 1, 1) * kMillisPerDay), 53);   // Friday
  EXPECT_EQ(Extract("WEEK", DaysFromCivil(2024, 12, 30) * kMillisPerDay), 1);  // Monday
  EXPECT_EQ(Extract("WEEK", DaysFromCivil(2020, 12, 31) * kMillisPerDay), 53);
}

TEST(FunctionTimeTest, ExtractOnAColumnWithNulls) {
  ExpressionPtr call = Bind("extract", Args(Text("MONTH"), Col(0, DataType::Date())));
  RecordBatch batch =
      testing::OneColumn(DataType::Date(), {Value::Date(31), Value::Null(DataType::Date())});
  Result<std::vector<Value>> result = testing::EvalRows(*call, batch);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ((*result)[0], Value::Bigint(2));  // 1970-02-01
  EXPECT_TRUE((*result)[1].is_null());
}

TEST(FunctionTimeTest, UnknownExtractUnitIsABinderError) {
  std::vector<ExpressionPtr> args;
  args.push_back(MakeLiteral(Value::Varchar("FORTNIGHT"), 15));
  args.push_back(Col(0, DataType::Timestamp()));
  Result<ExpressionPtr> call = MakeFunctionCall("extract", std::move(args), 7);
  ASSERT_FALSE(call.ok());
  EXPECT_EQ(call.status().category(), ErrorCategory::kBinder);
  EXPECT_EQ(call.status().position(), 15);
  EXPECT_NE(call.status().message().find("EXTRACT unit FORTNIGHT is not supported"),
            std::string::npos);
}

TEST(FunctionTimeTest, CivilRoundTrip) {
  for (int64_t days : {-719468LL, -1LL, 0LL, 59LL, 11016LL, 19675LL, 2932896LL}) {
    CivilTime time = ToCivil(days * kMillisPerDay);
    EXPECT_EQ(DaysFromCivil(time.year, time.month, time.day), days);
  }
}

}  // namespace
}  // namespace sluice
