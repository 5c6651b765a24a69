// The JSON codec's fast paths. The decoder's engage from the second record a decoder sees: the
// per-position key memo compared in place, integers decoded inline, and strings without escapes
// taken from the input as they are. Every decoder test decodes several records with ONE decoder,
// so a record whose keys or values differ from the previous one's must fall back correctly. The
// encoder's: integers written two digits at a time, decimals and strings written in place.

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "common/json_codec.h"
#include "common/json_writer.h"
#include "tests/unit/common/json_decode_test_util.h"

namespace sluice {
namespace {

Schema TwoBigints(std::string first, std::string second) {
  return Schema({{std::move(first), DataType::Bigint()}, {std::move(second), DataType::Bigint()}});
}

TEST(JsonDecoderFastPathTest, KeysThatChangeAtAPositionAreLookedUpAgain) {
  Schema schema = TwoBigints("price", "prices");
  EXPECT_EQ(DecodeAll(schema, {R"({"price":1,"prices":2})", R"({"prices":3,"price":4})",
                               R"({"pric":5,"price":6})", R"({"price":7,"prices":8})",
                               R"({"pricex":9,"prices":10})"}),
            (std::vector<std::string>{"1|2", "4|3", "6|NULL", "7|8", "NULL|10"}));
}

TEST(JsonDecoderFastPathTest, EscapedKeysAfterPlainOnes) {
  Schema schema = TwoBigints("price", "a\"b");
  EXPECT_EQ(DecodeAll(schema, {R"({"price":1,"a\"b":2})", R"({"pric\u0065":3,"a\"b":4})",
                               R"({"price":5,"a\u0022b":6})", R"({"price\\":7,"a\"b":8})",
                               R"({"price":9,"a\"b":10})"}),
            (std::vector<std::string>{"1|2", "3|4", "5|6", "NULL|8", "9|10"}));
}

TEST(JsonDecoderFastPathTest, LongKeysDifferingPastSixteenBytes) {
  Schema schema = TwoBigints("a_rather_long_key_name_1", "a_rather_long_key_name_2");
  EXPECT_EQ(DecodeAll(schema, {R"({"a_rather_long_key_name_1":1,"a_rather_long_key_name_2":2})",
                               R"({"a_rather_long_key_name_2":3,"a_rather_long_key_name_1":4})",
                               R"({"a_rather_long_key_name_":5,"a_rather_long_key_name_2":6})",
                               R"({"a_rather_long_key_name_1":7,"a_rather_long_key_name_2":8})"}),
            (std::vector<std::string>{"1|2", "4|3", "NULL|6", "7|8"}));
  // Keys of exactly 8 and 16 bytes, and the empty key.
  Schema edges = TwoBigints("eightchr", "sixteen_chars_ab");
  EXPECT_EQ(DecodeAll(edges, {R"({"eightchr":1,"sixteen_chars_ab":2,"":0})",
                              R"({"eightchr":3,"sixteen_chars_ab":4,"":0})",
                              R"({"eightch":5,"sixteen_chars_a":6,"":0})",
                              R"({"":0,"eightchr":7,"sixteen_chars_ab":8})"}),
            (std::vector<std::string>{"1|2", "3|4", "NULL|NULL", "7|8"}));
}

TEST(JsonDecoderFastPathTest, DuplicateAndCaseFoldedKeysKeepTheirPrecedence) {
  Schema schema = TwoBigints("price", "bidder");
  EXPECT_EQ(
      DecodeAll(schema,
                {R"({"PRICE":1,"price":2,"bidder":3})", R"({"PRICE":4,"price":5,"bidder":6})",
                 R"({"price":7,"PRICE":8,"bidder":9})", R"({"PRICE":10,"Price":11,"BIDDER":12})",
                 R"({"price":13,"price":14,"bidder":15,"bidder":16})"}),
      (std::vector<std::string>{"2|3", "5|6", "7|9", "10|12", "13|15"}));
}

TEST(JsonDecoderFastPathTest, FieldsOutOfOrderMissingAndExtra) {
  Schema schema({{"a", DataType::Bigint()}, {"b", DataType::Varchar()}, {"c", DataType::Bigint()}});
  EXPECT_EQ(DecodeAll(schema, {R"({"a":1,"b":"x","c":2})", R"({"c":3,"b":"y","a":4})",
                               R"({"z":[1,{"a":9}],"a":5,"c":6})", R"({"b":"w"})", R"({})",
                               R"({"a":7,"b":"v","c":8,"d":"extra"})"}),
            (std::vector<std::string>{"1|x|2", "4|y|3", "5|NULL|6", "NULL|w|NULL", "NULL|NULL|NULL",
                                      "7|v|8"}));
}

TEST(JsonDecoderFastPathTest, IntegersAtTheEdgesAndOtherValuesInIntColumns) {
  Schema schema({{"n", DataType::Bigint()}, {"t", DataType::Timestamp()}});
  EXPECT_EQ(
      DecodeAll(schema,
                {R"({"n":9223372036854775807,"t":0})", R"({"n":-9223372036854775808,"t":-1})",
                 R"({"n":null,"t":null})", R"({"n":9223372036854775808,"t":0})",
                 R"({"n":-9223372036854775809,"t":0})", R"({"n":1.0,"t":0})", R"({"n":1e3,"t":0})",
                 R"({"n":"12","t":0})", R"({"n":-0,"t":"1970-01-01 00:00:01"})",
                 R"({"n":true,"t":0})", R"({"n":[1],"t":0})", R"({"n":12,"t":1000})"}),
      (std::vector<std::string>{
          "9223372036854775807|1970-01-01 00:00:00.000",
          "-9223372036854775808|1969-12-31 23:59:59.999", "NULL|NULL",
          "error: field \"n\": value 9223372036854775808 out of range for BIGINT",
          "error: field \"n\": value -9223372036854775809 out of range for BIGINT",
          "error: field \"n\": expected BIGINT, got number 1.0",
          "error: field \"n\": expected BIGINT, got number 1e3",
          "error: field \"n\": expected BIGINT, got string \"12\"", "0|1970-01-01 00:00:01.000",
          "error: field \"n\": expected BIGINT, got boolean true",
          "error: field \"n\": expected BIGINT, got array", "12|1970-01-01 00:00:01.000"}));
  // INTEGER keeps its range check.
  Schema narrow({{"i", DataType::Integer()}});
  EXPECT_EQ(
      DecodeAll(narrow, {R"({"i":2147483647})", R"({"i":2147483648})", R"({"i":-5})"}),
      (std::vector<std::string>{
          "2147483647", "error: field \"i\": value 2147483648 out of range for INTEGER", "-5"}));
}

TEST(JsonDecoderFastPathTest, DoublesAtTheEdges) {
  Schema schema({{"d", DataType::Double()}});
  std::vector<std::string> rows =
      DecodeAll(schema, {R"({"d":1.7976931348623157e308})", R"({"d":-4.9e-324})", R"({"d":7})",
                         R"({"d":1e400})", R"({"d":null})"});
  ASSERT_EQ(rows.size(), 5u);
  EXPECT_EQ(rows[0], Value::Double(1.7976931348623157e308).ToString());
  EXPECT_EQ(rows[1], Value::Double(-4.9e-324).ToString());
  EXPECT_EQ(rows[2], Value::Double(7).ToString());
  EXPECT_EQ(rows[3].rfind("error: ", 0), 0u) << rows[3];
  EXPECT_EQ(rows[4], "NULL");
}

TEST(JsonDecoderFastPathTest, StringsWithAndWithoutEscapes) {
  Schema schema({{"s", DataType::Varchar()}, {"n", DataType::Bigint()}});
  std::vector<std::string> rows =
      DecodeAll(schema, {R"({"s":"plain","n":1})", R"({"s":"tab\there","n":2})",
                         R"({"s":"","n":3})", R"({"s":"\u00e9t\u00e9","n":4})",
                         R"({"s":"ends with backslash\\","n":5})", R"({"s" : "spaced" , "n" : 6 })",
                         R"({"s":"caf)"
                         "\xc3\xa9"
                         R"(","n":7})",
                         R"({"s":12.50,"n":8})", R"({"s":"quote\"inside","n":9})"});
  EXPECT_EQ(rows, (std::vector<std::string>{"plain|1", "tab\there|2", "|3", "\xc3\xa9t\xc3\xa9|4",
                                            "ends with backslash\\|5", "spaced|6", "caf\xc3\xa9|7",
                                            "12.50|8", "quote\"inside|9"}));
}

// Row `row` of `batch` through the sinks' path, into an EncodeBuffer.
std::string EncodeInPlace(const JsonRecordEncoder& encoder, const RecordBatch& batch, size_t row) {
  EncodeBuffer buffer;
  encoder.EncodeRow(batch, row, buffer);
  return std::string(buffer.view());
}

TEST(JsonEncoderFastPathTest, IntegersOfEveryLength) {
  Schema schema({{"l", DataType::Bigint()}, {"t", DataType::Timestamp()}});
  std::vector<int64_t> values = {0, INT64_MIN, INT64_MAX, INT64_MIN + 1};
  for (int64_t magnitude = 1; magnitude <= INT64_MAX / 10; magnitude *= 10) {
    for (int64_t v : {magnitude - 1, magnitude, magnitude + 1, 9 * magnitude + magnitude - 1}) {
      values.push_back(v);
      values.push_back(-v);
    }
  }
  RecordBatch batch(schema);
  for (int64_t v : values) {
    batch.column(0).AppendInt64(v);
    batch.column(1).AppendInt64(-v / 3);
  }
  JsonRecordEncoder encoder(schema);
  for (size_t row = 0; row < values.size(); ++row) {
    ASSERT_EQ(EncodeInPlace(encoder, batch, row), "{\"l\":" + std::to_string(values[row]) +
                                                      ",\"t\":" + std::to_string(-values[row] / 3) +
                                                      "}");
  }
}

TEST(JsonEncoderFastPathTest, DecimalsOfEveryScaleAndLength) {
  // Written in place: the text AppendDecimalText gives, for every scale and digit count.
  std::vector<int64_t> values = {0, INT64_MIN, INT64_MAX, INT64_MIN + 1};
  for (int64_t magnitude = 1; magnitude <= INT64_MAX / 10; magnitude *= 10) {
    for (int64_t v : {magnitude - 1, magnitude, magnitude + 1}) {
      values.push_back(v);
      values.push_back(-v);
    }
  }
  for (int scale : {0, 1, 3, 9, 18}) {
    Schema schema({{"m", DataType::Decimal(18, scale)}});
    RecordBatch batch(schema);
    for (int64_t v : values) batch.column(0).AppendInt64(v);
    JsonRecordEncoder encoder(schema);
    for (size_t row = 0; row < values.size(); ++row) {
      std::string expected = "{\"m\":";
      AppendDecimalText(values[row], scale, expected);
      ASSERT_EQ(EncodeInPlace(encoder, batch, row), expected + "}")
          << values[row] << " scale " << scale;
    }
  }
}

TEST(JsonEncoderFastPathTest, DatesBooleansBytesAndNullsInPlace) {
  // DATEs before 1970, at day and year boundaries and beyond the in-place writer's years
  // (+-32767, written through AppendDateText); booleans; BYTES as base64 of every length mod 3.
  Schema schema({{"day", DataType::Date()},
                 {"flag", DataType::Boolean()},
                 {"raw", DataType::Bytes()},
                 {"wide", DataType::Decimal(18, 25)}});
  const std::vector<int32_t> days = {0,        -1,        -719528,   -719529,
                                     11016,    2932897,   -12687428, 11248737,
                                     11248738, -12687429, INT32_MAX, INT32_MIN};
  RecordBatch batch(schema);
  for (size_t row = 0; row < days.size(); ++row) {
    batch.column(0).AppendInt64(days[row]);
    batch.column(1).AppendInt64(static_cast<int64_t>(row % 3) - 1);  // -1, 0, 1: true, false, true
    batch.column(2).AppendString(std::string("foobar").substr(0, row % 7));
    batch.column(3).AppendInt64(row % 2 == 0 ? INT64_MIN : static_cast<int64_t>(row));
  }
  for (size_t column_idx = 0; column_idx < schema.size(); ++column_idx) {
    batch.column(column_idx).AppendNull();
  }
  const char* kBase64[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
  JsonRecordEncoder encoder(schema);
  for (size_t row = 0; row < days.size(); ++row) {
    std::string expected = "{\"day\":\"";
    AppendDateText(days[row], expected);
    expected += std::string("\",\"flag\":") + (row % 3 == 1 ? "false" : "true") + ",\"raw\":\"" +
                kBase64[row % 7] + "\",\"wide\":";
    AppendDecimalText(row % 2 == 0 ? INT64_MIN : static_cast<int64_t>(row), 25, expected);
    ASSERT_EQ(EncodeInPlace(encoder, batch, row), expected + "}") << days[row];
  }
  EXPECT_EQ(EncodeInPlace(encoder, batch, days.size()),
            R"({"day":null,"flag":null,"raw":null,"wide":null})");
  EXPECT_EQ(ValueToJson(Value::Date(-1)), "\"1969-12-31\"");
}

TEST(JsonEncoderFastPathTest, StringsWithEscapesAtEveryOffset) {
  // WriteJsonString (16 bytes at a time, then 8, then 1) against AppendJsonString, with a byte
  // needing an escape, and a run of them, at every offset of strings up to 48 bytes.
  for (size_t length = 0; length <= 48; ++length) {
    for (size_t at = 0; at <= length; ++at) {
      for (const std::string& special :
           {std::string("\""), std::string("\\\x01\n"), std::string("\xc3\xa9"), std::string()}) {
        std::string text(length, 'a');
        text.insert(at, special);
        std::string expected;
        AppendJsonString(text, expected);
        std::string written(MaxJsonStringSize(text.size()), '\0');
        written.resize(static_cast<size_t>(WriteJsonString(text, written.data()) - written.data()));
        ASSERT_EQ(written, expected) << length << " " << at;
      }
    }
  }
}

}  // namespace
}  // namespace sluice
