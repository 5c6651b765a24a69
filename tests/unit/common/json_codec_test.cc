#include "common/json_codec.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "common/json_writer.h"

namespace sluice {
namespace {

// Decodes `json` into a fresh one-column batch of `type` (column "c") and returns the cell.
Result<Value> DecodeOne(const DataType& type, std::string_view json) {
  Schema schema({{"c", type}});
  JsonRecordDecoder decoder(schema, {0});
  RecordBatch batch(decoder.output_schema());
  RETURN_NOT_OK(decoder.DecodeRow(json, batch));
  return batch.column(0).GetValue(0);
}

// The error message for decoding `json` into a column "c" of `type`.
std::string DecodeError(const DataType& type, std::string_view json) {
  Schema schema({{"c", type}});
  JsonRecordDecoder decoder(schema, {0});
  RecordBatch batch(decoder.output_schema());
  Status status = decoder.DecodeRow(json, batch);
  EXPECT_EQ(batch.column(0).size(), 0u) << "a failed row must append nothing";
  EXPECT_EQ(status.category(), ErrorCategory::kExecution) << status.ToString();
  return status.message();
}

Value Decoded(const DataType& type, std::string_view json) {
  Result<Value> value = DecodeOne(type, json);
  EXPECT_TRUE(value.ok()) << json << ": " << value.status().ToString();
  return value.ok() ? *value : Value();
}

TEST(JsonDecoderTest, Scalars) {
  EXPECT_EQ(Decoded(DataType::Boolean(), R"({"c":true})"), Value::Boolean(true));
  EXPECT_EQ(Decoded(DataType::Boolean(), R"({"c":false})"), Value::Boolean(false));
  EXPECT_EQ(Decoded(DataType::Integer(), R"({"c":-2147483648})"), Value::Integer(INT32_MIN));
  EXPECT_EQ(Decoded(DataType::Bigint(), R"({"c":9223372036854775807})"), Value::Bigint(INT64_MAX));
  EXPECT_EQ(Decoded(DataType::Double(), R"({"c":1.25e2})"), Value::Double(125));
  EXPECT_EQ(Decoded(DataType::Double(), R"({"c":7})"), Value::Double(7));
  EXPECT_EQ(Decoded(DataType::Varchar(), R"({"c":"h\u00e9\n\"q\""})"),
            Value::Varchar("h\xc3\xa9\n\"q\""));
  EXPECT_EQ(Decoded(DataType::Varchar(), R"({"c":""})"), Value::Varchar(""));
}

TEST(JsonDecoderTest, VarcharFromOtherJsonKeepsTheText) {
  EXPECT_EQ(Decoded(DataType::Varchar(), R"({"c": 1.50 })"), Value::Varchar("1.50"));
  EXPECT_EQ(Decoded(DataType::Varchar(), R"({"c":true})"), Value::Varchar("true"));
  EXPECT_EQ(Decoded(DataType::Varchar(), R"({"c":{"a": [1, "x"]}})"),
            Value::Varchar(R"({"a": [1, "x"]})"));
  EXPECT_EQ(Decoded(DataType::Varchar(), R"({"c":[1,2] ,"d":0})"), Value::Varchar("[1,2]"));
}

TEST(JsonDecoderTest, Decimals) {
  DataType money = DataType::Decimal(10, 2);
  EXPECT_EQ(Decoded(money, R"({"c":12.5})"), Value::Decimal(1250, 10, 2));
  EXPECT_EQ(Decoded(money, R"({"c":"12.345"})"), Value::Decimal(1235, 10, 2));  // half up
  EXPECT_EQ(Decoded(money, R"({"c":-12.345})"), Value::Decimal(-1235, 10, 2));
  EXPECT_EQ(Decoded(money, R"({"c":12.344})"), Value::Decimal(1234, 10, 2));
  EXPECT_EQ(Decoded(money, R"({"c":3})"), Value::Decimal(300, 10, 2));
  EXPECT_EQ(Decoded(money, R"({"c":1.5e3})"), Value::Decimal(150000, 10, 2));
  EXPECT_EQ(Decoded(money, R"({"c":0.1})"), Value::Decimal(10, 10, 2));  // exact, not binary
  EXPECT_EQ(Decoded(money, R"({"c":"99999999.99"})"), Value::Decimal(9999999999, 10, 2));
  EXPECT_EQ(DecodeError(money, R"({"c":"99999999.995"})"),
            "field \"c\": value '99999999.995' out of range for DECIMAL(10, 2)");
  EXPECT_EQ(DecodeError(money, R"({"c":123456789})"),
            "field \"c\": value '123456789' out of range for DECIMAL(10, 2)");
  EXPECT_EQ(DecodeError(money, R"({"c":"abc"})"),
            "field \"c\": invalid DECIMAL(10, 2) value 'abc'");
  EXPECT_EQ(DecodeError(money, R"({"c":true})"),
            "field \"c\": expected DECIMAL(10, 2), got boolean true");
}

TEST(JsonDecoderTest, TimestampsAndDates) {
  EXPECT_EQ(Decoded(DataType::Timestamp(), R"({"c":1700000000000})"),
            Value::Timestamp(1700000000000));
  EXPECT_EQ(Decoded(DataType::Timestamp(), R"({"c":"2023-11-14T22:13:20.5Z"})"),
            Value::Timestamp(1700000000500));
  EXPECT_EQ(Decoded(DataType::Date(), R"({"c":"2023-11-14"})"), Value::Date(19675));
  EXPECT_EQ(Decoded(DataType::Date(), R"({"c":19675})"), Value::Date(19675));
  EXPECT_EQ(DecodeError(DataType::Timestamp(), R"({"c":"yesterday"})"),
            "field \"c\": invalid timestamp 'yesterday': expected 'YYYY-MM-DD HH:MM:SS[.fff]'");
  EXPECT_EQ(DecodeError(DataType::Date(), R"({"c":"2023-02-30"})"),
            "field \"c\": invalid date '2023-02-30': expected 'YYYY-MM-DD'");
  EXPECT_EQ(DecodeError(DataType::Date(), R"({"c":3000000000})"),
            "field \"c\": value 3000000000 out of range for DATE");
  EXPECT_EQ(DecodeError(DataType::Timestamp(), R"({"c":1.5})"),
            "field \"c\": expected TIMESTAMP, got number 1.5");
}

TEST(JsonDecoderTest, BytesFromBase64) {
  EXPECT_EQ(Decoded(DataType::Bytes(), R"({"c":"AAH/"})"),
            Value::Bytes(std::string("\0\1\xff", 3)));
  EXPECT_EQ(Decoded(DataType::Bytes(), R"({"c":"aGk="})"), Value::Bytes("hi"));
  EXPECT_EQ(Decoded(DataType::Bytes(), R"({"c":""})"), Value::Bytes(""));
  EXPECT_EQ(DecodeError(DataType::Bytes(), R"({"c":"a*b="})"),
            "field \"c\": invalid base64 for BYTES: \"a*b=\"");
  EXPECT_EQ(DecodeError(DataType::Bytes(), R"({"c":12})"),
            "field \"c\": expected BYTES, got number 12");
}

TEST(JsonDecoderTest, TypeErrorsNameTheFieldAndTheValue) {
  EXPECT_EQ(DecodeError(DataType::Bigint(), R"({"c":"abc"})"),
            "field \"c\": expected BIGINT, got string \"abc\"");
  EXPECT_EQ(DecodeError(DataType::Bigint(), R"({"c":1.5})"),
            "field \"c\": expected BIGINT, got number 1.5");
  EXPECT_EQ(DecodeError(DataType::Bigint(), R"({"c":99999999999999999999})"),
            "field \"c\": value 99999999999999999999 out of range for BIGINT");
  EXPECT_EQ(DecodeError(DataType::Integer(), R"({"c":2147483648})"),
            "field \"c\": value 2147483648 out of range for INTEGER");
  EXPECT_EQ(DecodeError(DataType::Boolean(), R"({"c":1})"),
            "field \"c\": expected BOOLEAN, got number 1");
  EXPECT_EQ(DecodeError(DataType::Double(), R"({"c":"1.5"})"),
            "field \"c\": expected DOUBLE, got string \"1.5\"");
  EXPECT_EQ(DecodeError(DataType::Double(), R"({"c":{"x":1}})"),
            "field \"c\": expected DOUBLE, got object");
  EXPECT_EQ(DecodeError(DataType::Array(DataType::Bigint()), R"({"c":{"x":1}})"),
            "field \"c\": expected ARRAY<BIGINT>, got object");
  EXPECT_EQ(DecodeError(DataType::Map(DataType::Bigint()), R"({"c":[1]})"),
            "field \"c\": expected MAP<VARCHAR, BIGINT>, got array");
}

// Once every needed column has its exact key, the decoder stops reading the record (queries read
// a few of many fields); what simdjson's first pass checks (structure, UTF-8) still holds for the
// whole record, so malformations are tested where the decoder reads to the end.
TEST(JsonDecoderTest, MalformedRecords) {
  for (std::string_view json :
       {R"({"c":1)", R"({"d":1,})", R"({"c" 1})", "", "   ", R"({"c":1} {"c":2})", R"({"c":1}})",
        R"({"c":tru})", "{\"c\":1,\"d\":\"\xff\"}"}) {
    std::string message = DecodeError(DataType::Bigint(), json);
    EXPECT_EQ(message.rfind("malformed JSON: ", 0), 0u) << json << " -> " << message;
  }
  EXPECT_EQ(DecodeError(DataType::Boolean(), R"({"c":tru})"),
            "malformed JSON: invalid literal tru (in field \"c\")");
  for (std::string_view json : {"[1,2]", "42", "\"text\"", "null"}) {
    EXPECT_EQ(DecodeError(DataType::Bigint(), json), "record is not a JSON object") << json;
  }
}

TEST(JsonDecoderTest, MissingNullAndExtraFields) {
  Schema schema({{"a", DataType::Bigint()},
                 {"b", DataType::Varchar()},
                 {"c", DataType::Double()},
                 {"unused", DataType::Bigint()}});
  JsonRecordDecoder decoder(schema, {2, 0, 1});
  ASSERT_EQ(decoder.output_schema().size(), 3u);
  EXPECT_EQ(decoder.output_schema().field(0).name, "c");
  RecordBatch batch(decoder.output_schema());
  ASSERT_TRUE(decoder.DecodeRow(R"({"a":1,"x":{"deep":[1,{"y":2}]},"b":null})", batch).ok());
  // A key whose column is not needed is never decoded, even when its type would not fit.
  ASSERT_TRUE(decoder.DecodeRow(R"({"unused":"not a number","c":2.5})", batch).ok());
  ASSERT_TRUE(decoder.DecodeRow("{}", batch).ok());
  ASSERT_EQ(batch.column(0).size(), 3u);
  EXPECT_TRUE(batch.column(0).IsNull(0));
  EXPECT_EQ(batch.column(1).GetInt64(0), 1);
  EXPECT_TRUE(batch.column(2).IsNull(0));
  EXPECT_EQ(batch.column(0).GetDouble(1), 2.5);
  EXPECT_TRUE(batch.column(1).IsNull(1));
  for (size_t column_idx = 0; column_idx < 3; ++column_idx) {
    EXPECT_TRUE(batch.column(column_idx).IsNull(2));
  }
  EXPECT_TRUE(batch.meta().empty()) << "meta belongs to the caller";
}

TEST(JsonDecoderTest, KeysMatchExactlyThenCaseInsensitively) {
  Schema schema({{"datetime", DataType::Bigint()}, {"price", DataType::Bigint()}});
  JsonRecordDecoder decoder(schema, {0, 1});
  RecordBatch batch(decoder.output_schema());
  ASSERT_TRUE(decoder.DecodeRow(R"({"dateTime":5,"PRICE":6})", batch).ok());
  // The exact key wins whichever comes first.
  ASSERT_TRUE(decoder.DecodeRow(R"({"price":1,"Price":2,"DATETIME":3,"datetime":4})", batch).ok());
  // An escaped key is unescaped before matching.
  ASSERT_TRUE(decoder.DecodeRow(R"({"pric\u0065":7})", batch).ok());
  EXPECT_EQ(batch.column(0).GetInt64(0), 5);
  EXPECT_EQ(batch.column(1).GetInt64(0), 6);
  EXPECT_EQ(batch.column(1).GetInt64(1), 1);
  EXPECT_EQ(batch.column(0).GetInt64(1), 4);
  EXPECT_EQ(batch.column(1).GetInt64(2), 7);
}

TEST(JsonDecoderTest, WideSchemasUseTheIndexedMatcher) {
  Schema schema;
  std::vector<int> needed;
  std::string json = "{";
  for (int column_idx = 0; column_idx < 40; ++column_idx) {
    schema.Add({"col" + std::to_string(column_idx), DataType::Bigint()});
    needed.push_back(column_idx);
    if (column_idx > 0) json += ",";
    json += "\"COL" + std::to_string(column_idx) + "\":" + std::to_string(column_idx * 10);
  }
  json += ",\"col7\":-1}";
  JsonRecordDecoder decoder(schema, needed);
  RecordBatch batch(decoder.output_schema());
  ASSERT_TRUE(decoder.DecodeRow(json, batch).ok());
  EXPECT_EQ(batch.column(39).GetInt64(0), 390);
  EXPECT_EQ(batch.column(7).GetInt64(0), -1);
}

TEST(JsonDecoderTest, NestedValues) {
  DataType point = DataType::Struct({"x", "label"}, {DataType::Double(), DataType::Varchar()});
  DataType type = DataType::Struct(
      {"points", "attrs", "when"},
      {DataType::Array(point), DataType::Map(DataType::Bigint()), DataType::Timestamp()});
  Value value = Decoded(type, R"({"c":{"Points":[{"x":1,"LABEL":"a"},null,{"x":2.5,"z":0}],
                                      "attrs":{"k1":1,"K1":null},"when":"1970-01-01 00:00:01"}})");
  EXPECT_EQ(value.ToString(), R"({"points":[{"x":1,"label":"a"},null,{"x":2.5,"label":null}],)"
                              R"("attrs":{"k1":1,"K1":null},"when":1000})");
  EXPECT_EQ(value.nested().values[0].nested().values[0].nested().values[1], Value::Varchar("a"));
  EXPECT_EQ(value.nested().values[1].nested().keys[1], "K1");
  EXPECT_EQ(Decoded(type, R"({"c":{}})").ToString(), R"({"points":null,"attrs":null,"when":null})");
  EXPECT_EQ(DecodeError(type, R"({"c":{"points":[{"x":1},{"x":"no"}]}})"),
            "field \"c.points[1].x\": expected DOUBLE, got string \"no\"");
  EXPECT_EQ(DecodeError(type, R"({"c":{"attrs":{"a":1,"b":true}}})"),
            "field \"c.attrs.b\": expected BIGINT, got boolean true");
}

TEST(JsonDecoderTest, FailedRowAppendsNothingToAnyColumn) {
  Schema schema({{"a", DataType::Varchar()}, {"b", DataType::Bigint()}});
  JsonRecordDecoder decoder(schema, {0, 1});
  RecordBatch batch(decoder.output_schema());
  ASSERT_TRUE(decoder.DecodeRow(R"({"a":"ok","b":1})", batch).ok());
  EXPECT_FALSE(decoder.DecodeRow(R"({"a":"decoded first","b":"bad"})", batch).ok());
  EXPECT_FALSE(decoder.DecodeRow(R"({"a":"x","b":2)", batch).ok());
  ASSERT_TRUE(decoder.DecodeRow(R"({"b":3,"a":"after"})", batch).ok());
  ASSERT_EQ(batch.column(0).size(), 2u);
  ASSERT_EQ(batch.column(1).size(), 2u);
  EXPECT_EQ(batch.column(0).GetString(1), "after");
  EXPECT_EQ(batch.column(1).GetInt64(1), 3);
}

TEST(JsonDecoderTest, ThousandRowsShareOneArenaPerBatch) {
  Schema schema({{"id", DataType::Bigint()},
                 {"name", DataType::Varchar()},
                 {"city", DataType::Varchar()},
                 {"ignored", DataType::Varchar()}});
  JsonRecordDecoder decoder(schema, {0, 1, 2});
  RecordBatch batch(decoder.output_schema());
  for (int row = 0; row < 1000; ++row) {
    std::string json = "{\"id\":" + std::to_string(row) + ",\"name\":\"user-" +
                       std::to_string(row) + "\",\"ignored\":\"" + std::string(row % 50, 'x') +
                       "\",\"city\":\"c\\\"" + std::to_string(row % 7) + "\"}";
    ASSERT_TRUE(decoder.DecodeRow(json, batch).ok()) << json;
  }
  ASSERT_EQ(batch.column(0).size(), 1000u);
  for (int row = 0; row < 1000; ++row) {
    EXPECT_EQ(batch.column(0).GetInt64(row), row);
    EXPECT_EQ(batch.column(1).GetString(row), "user-" + std::to_string(row));
    EXPECT_EQ(batch.column(2).GetString(row), "c\"" + std::to_string(row % 7));
  }
  ASSERT_EQ(batch.column(1).arenas().size(), 1u);
  EXPECT_EQ(batch.column(1).arenas()[0], batch.column(2).arenas()[0]);
  // A cleared batch gets a fresh arena; the old batch's strings stay valid in a copy.
  RecordBatch kept = batch;
  batch.Clear();
  ASSERT_TRUE(decoder.DecodeRow(R"({"id":1,"name":"new"})", batch).ok());
  EXPECT_EQ(batch.column(1).arenas().size(), 1u);
  EXPECT_NE(batch.column(1).arenas()[0], kept.column(1).arenas()[0]);
  EXPECT_EQ(kept.column(1).GetString(999), "user-999");
  EXPECT_EQ(batch.column(1).GetString(0), "new");
}

TEST(JsonEncoderTest, EveryType) {
  DataType nested = DataType::Struct(
      {"tags", "m"}, {DataType::Array(DataType::Varchar()), DataType::Map(DataType::Date())});
  Schema schema({{"b", DataType::Boolean()},
                 {"i", DataType::Integer()},
                 {"l", DataType::Bigint()},
                 {"d", DataType::Double()},
                 {"dec", DataType::Decimal(6, 3)},
                 {"s", DataType::Varchar()},
                 {"ts", DataType::Timestamp()},
                 {"dt", DataType::Date()},
                 {"by", DataType::Bytes()},
                 {"n", nested},
                 {"nul", DataType::Bigint()}});
  RecordBatch batch(schema);
  batch.column(0).AppendInt64(1);
  batch.column(1).AppendInt64(-3);
  batch.column(2).AppendInt64(INT64_MIN);
  batch.column(3).AppendDouble(0.1);
  batch.column(4).AppendInt64(-1500);
  batch.column(5).AppendString("a\"b\\c\n\x01");
  batch.column(6).AppendInt64(1700000000000);
  batch.column(7).AppendInt64(19675);
  batch.column(8).AppendString("hi!");
  batch.column(9).AppendNested(Value::Struct(
      nested, {Value::Array(DataType::Array(DataType::Varchar()), {Value::Varchar("x")}),
               Value::Map(DataType::Map(DataType::Date()), {"k"}, {Value::Date(0)})}));
  batch.column(10).AppendNull();
  JsonRecordEncoder encoder(schema);
  std::string out = "prefix:";
  encoder.EncodeRow(batch, 0, out);
  EXPECT_EQ(out,
            "prefix:{\"b\":true,\"i\":-3,\"l\":-9223372036854775808,\"d\":0.1,\"dec\":-1.500,"
            "\"s\":\"a\\\"b\\\\c\\n\\u0001\",\"ts\":1700000000000,\"dt\":\"2023-11-14\","
            "\"by\":\"aGkh\",\"n\":{\"tags\":[\"x\"],\"m\":{\"k\":\"1970-01-01\"}},\"nul\":null}");
}

TEST(JsonEncoderTest, NonFiniteDoublesBecomeNull) {
  Schema schema({{"x", DataType::Double()}, {"y", DataType::Double()}});
  RecordBatch batch(schema);
  batch.column(0).AppendDouble(std::nan(""));
  batch.column(1).AppendDouble(-std::numeric_limits<double>::infinity());
  std::string out;
  JsonRecordEncoder(schema).EncodeRow(batch, 0, out);
  EXPECT_EQ(out, R"({"x":null,"y":null})");
}

TEST(JsonEncoderTest, KeysAreEscaped) {
  Schema schema({{"we\"ird", DataType::Bigint()}});
  RecordBatch batch(schema);
  batch.column(0).AppendInt64(1);
  std::string out;
  JsonRecordEncoder(schema).EncodeRow(batch, 0, out);
  EXPECT_EQ(out, R"({"we\"ird":1})");
}

TEST(JsonCodecTest, RoundTripThroughEncoderAndDecoder) {
  DataType nested = DataType::Map(DataType::Array(DataType::Decimal(5, 2)));
  Schema schema({{"s", DataType::Varchar()},
                 {"d", DataType::Double()},
                 {"ts", DataType::Timestamp()},
                 {"dt", DataType::Date()},
                 {"by", DataType::Bytes()},
                 {"dec", DataType::Decimal(18, 4)},
                 {"n", nested}});
  std::string all_bytes;
  for (int byte = 0; byte < 256; ++byte) all_bytes.push_back(static_cast<char>(byte));
  std::vector<std::string> strings = {"", "plain", "quote\" back\\slash /", "ctl\x01\x1f\t\r\n\b\f",
                                      "utf8 \xc3\xa9\xe2\x82\xac"};
  std::vector<Value> rows_nested;
  RecordBatch batch(schema);
  for (size_t row = 0; row < strings.size(); ++row) {
    batch.column(0).AppendString(strings[row]);
    batch.column(1).AppendDouble(row == 0 ? 1e300 : 1.0 / (3.0 + row));
    batch.column(2).AppendInt64(-86400000 + static_cast<int64_t>(row) * 123456789);
    batch.column(3).AppendInt64(-1000 + static_cast<int64_t>(row) * 5000);
    batch.column(4).AppendString(all_bytes.substr(row * 7, row * 50));
    batch.column(5).AppendInt64(-999999999999999999 + static_cast<int64_t>(row));
    Value array =
        Value::Array(DataType::Array(DataType::Decimal(5, 2)),
                     {Value::Decimal(-12345, 5, 2), Value::Null(DataType::Decimal(5, 2))});
    batch.column(6).AppendNested(Value::Map(nested, {strings[row]}, {array}));
  }
  JsonRecordEncoder encoder(schema);
  JsonRecordDecoder decoder(schema, {0, 1, 2, 3, 4, 5, 6});
  RecordBatch decoded(decoder.output_schema());
  for (size_t row = 0; row < strings.size(); ++row) {
    std::string json;
    encoder.EncodeRow(batch, row, json);
    ASSERT_TRUE(decoder.DecodeRow(json, decoded).ok()) << json;
  }
  for (size_t row = 0; row < strings.size(); ++row) {
    EXPECT_EQ(decoded.GetRow(row), batch.GetRow(row)) << row;
  }
}

TEST(JsonCodecTest, ValueToJson) {
  EXPECT_EQ(ValueToJson(Value::Varchar("a\"b")), R"("a\"b")");
  EXPECT_EQ(ValueToJson(Value::Null(DataType::Varchar())), "null");
  EXPECT_EQ(ValueToJson(Value::Decimal(5, 4, 3)), "0.005");
  EXPECT_EQ(ValueToJson(Value::Boolean(false)), "false");
  EXPECT_EQ(ValueToJson(Value::Double(1e20)), "1e+20");
  EXPECT_EQ(ValueToJson(Value::Array(DataType::Array(DataType::Bigint()), {})), "[]");
}

TEST(Base64Test, EncodesAndDecodes) {
  std::string out;
  AppendBase64("", out);
  AppendBase64("f", out);
  out += "|";
  AppendBase64("fo", out);
  out += "|";
  AppendBase64("foo", out);
  out += "|";
  AppendBase64("foob", out);
  EXPECT_EQ(out, "Zg==|Zm8=|Zm9v|Zm9vYg==");
  std::string decoded;
  EXPECT_TRUE(DecodeBase64("Zm9vYg==", decoded));
  EXPECT_EQ(decoded, "foob");
  EXPECT_TRUE(DecodeBase64("Zm8=", decoded));
  EXPECT_EQ(decoded, "fo");
  for (std::string_view bad : {"Zm9", "Zm9vY===", "Z=9v", "Zm9v!A==", "Zg=a"}) {
    EXPECT_FALSE(DecodeBase64(bad, decoded)) << bad;
  }
}

TEST(JsonStringTest, EscapesEveryByteThatNeedsItAtAnyOffset) {
  // Each special byte at every position of a string long enough to use the 8-byte fast path.
  for (char special : {'"', '\\', '\n', '\x01', '\x1f', '\0'}) {
    for (size_t pos = 0; pos < 20; ++pos) {
      std::string text(20, 'a');
      text[pos] = special;
      text[(pos + 7) % 20] = '\xc3';  // high bytes never need escaping
      std::string out;
      AppendJsonString(text, out);
      std::string expected = "\"";
      for (char c : text) {
        if (c == '"') {
          expected += "\\\"";
        } else if (c == '\\') {
          expected += "\\\\";
        } else if (c == '\n') {
          expected += "\\n";
        } else if (c == '\x01') {
          expected += "\\u0001";
        } else if (c == '\x1f') {
          expected += "\\u001f";
        } else if (c == '\0') {
          expected += "\\u0000";
        } else {
          expected += c;
        }
      }
      EXPECT_EQ(out, expected + "\"") << static_cast<int>(special) << " at " << pos;
    }
  }
}

// The one-pass EncodeBuffer path must produce exactly what the std::string path does, for every
// flat type, NULLs, escapes, extreme values and long strings, row after row into one buffer.
TEST(JsonEncoderTest, EncodeBufferMatchesStringPath) {
  Schema schema({{"b", DataType::Boolean()},
                 {"i", DataType::Integer()},
                 {"l", DataType::Bigint()},
                 {"d", DataType::Double()},
                 {"dec", DataType::Decimal(18, 18)},
                 {"s", DataType::Varchar()},
                 {"ts", DataType::Timestamp()},
                 {"dt", DataType::Date()},
                 {"by", DataType::Bytes()}});
  std::string all_bytes;
  for (int byte = 0; byte < 256; ++byte) all_bytes.push_back(static_cast<char>(byte));
  RecordBatch batch(schema);
  const size_t rows = 40;
  for (size_t row = 0; row < rows; ++row) {
    const auto r = static_cast<int64_t>(row);
    if (row % 7 == 3) {
      for (size_t column_idx = 0; column_idx < schema.size(); ++column_idx) {
        batch.column(column_idx).AppendNull();
      }
      continue;
    }
    batch.column(0).AppendInt64(row % 2);
    batch.column(1).AppendInt64(row % 2 == 0 ? INT32_MIN : r);
    batch.column(2).AppendInt64(row % 3 == 0 ? INT64_MIN : INT64_MAX - r);
    batch.column(3).AppendDouble(row % 5 == 0 ? std::nan("") : -1.0 / (r + 3) * 1e-300);
    batch.column(4).AppendInt64(row % 2 == 0 ? INT64_MIN : r);
    // Long runs of bytes that all need escaping: the worst case of the size bound.
    batch.column(5).AppendString(row % 4 == 0 ? std::string(row * 30, '\x01')
                                              : all_bytes.substr(0, row * 6));
    batch.column(6).AppendInt64(-r * 86400000);
    batch.column(7).AppendInt64(row % 2 == 0 ? -719162 : 2932896);
    batch.column(8).AppendString(all_bytes.substr(row, row * 5));
  }
  JsonRecordEncoder encoder(schema);
  EncodeBuffer buffer;
  std::string expected;
  for (size_t row = 0; row < rows; ++row) {
    encoder.EncodeRow(batch, row, expected);
    encoder.EncodeRow(batch, row, buffer);
    ASSERT_EQ(buffer.view(), expected) << "row " << row;
  }
  buffer.Clear();
  EXPECT_EQ(buffer.size(), 0u);
}

}  // namespace
}  // namespace sluice
