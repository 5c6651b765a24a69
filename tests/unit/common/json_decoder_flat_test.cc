// The JSON decoder's flat-object fast path (common/json_decoder_flat.cc): records it scans in
// place must decode exactly as through simdjson, and records it declines (escapes, nested
// values, malformed bytes) must still get the simdjson path's result and errors. Each test runs
// several records through one decoder, so a declined record follows accepted ones and back.

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "common/json_codec.h"
#include "tests/unit/common/json_decode_test_util.h"

namespace sluice {
namespace {

bool IsError(const std::string& row) { return row.rfind("error: ", 0) == 0; }

TEST(JsonDecoderFlatTest, IntegersOfEveryLengthAndSign) {
  // 1 to 19 digits cross the eight-digits-at-a-time steps; 19 digits take the simdjson path.
  Schema schema({{"n", DataType::Bigint()}, {"t", DataType::Timestamp()}});
  std::vector<std::string> records;
  std::vector<std::string> expected;
  std::string digits;
  for (int length = 1; length <= 19; ++length) {
    digits.push_back(static_cast<char>('1' + length % 9));
    for (const std::string& sign : {std::string(), std::string("-")}) {
      records.push_back("{\"n\":" + sign + digits + ",\"t\":0}");
      expected.push_back(std::to_string(std::stoll(sign + digits)) + "|1970-01-01 00:00:00.000");
    }
  }
  records.push_back(R"({"n":100000000,"t":0})");  // zeros inside an eight-digit step
  expected.push_back("100000000|1970-01-01 00:00:00.000");
  records.push_back(R"({"n":1700000000000,"t":1700000000000})");
  expected.push_back("1700000000000|2023-11-14 22:13:20.000");
  EXPECT_EQ(DecodeAll(schema, records), expected);
}

TEST(JsonDecoderFlatTest, StringsWithASpecialByteAtEveryPosition) {
  // A quote (escaped), a backslash escape, a raw tab (invalid) and a two-byte UTF-8 character
  // at each position of strings up to 40 bytes, around the 16-byte scanning steps.
  Schema schema({{"s", DataType::Varchar()}, {"n", DataType::Bigint()}});
  for (size_t length = 1; length <= 40; ++length) {
    for (size_t at = 0; at < length; ++at) {
      const std::string before(at, 'a');
      const std::string after(length - at - 1, 'b');
      std::vector<std::string> rows =
          DecodeAll(schema, {"{\"s\":\"" + before + after + "\",\"n\":1}",
                             "{\"s\":\"" + before + "\\\"" + after + "\",\"n\":2}",
                             "{\"s\":\"" + before + "\\u00e9" + after + "\",\"n\":3}",
                             "{\"s\":\"" + before + "\t" + after + "\",\"n\":4}",
                             "{\"s\":\"" + before + "\xc3\xa9" + after + "\",\"n\":5}",
                             "{\"s\":\"" + before + "\xc3" + after + "\",\"n\":6}"});
      ASSERT_EQ(rows.size(), 6u);
      EXPECT_EQ(rows[0], before + after + "|1");
      EXPECT_EQ(rows[1], before + "\"" + after + "|2");
      EXPECT_EQ(rows[2], before + "\xc3\xa9" + after + "|3");
      EXPECT_TRUE(IsError(rows[3])) << length << " " << at << ": " << rows[3];
      EXPECT_EQ(rows[4], before + "\xc3\xa9" + after + "|5");
      EXPECT_TRUE(IsError(rows[5])) << length << " " << at << ": " << rows[5];
    }
  }
}

TEST(JsonDecoderFlatTest, EveryByteValueInAString) {
  // Each of the 256 byte values alone at positions around the 16-byte steps, in a record's middle
  // and last string: 0x20 to 0x7F but the quote and backslash are plain content; control
  // characters, a lone non-ASCII byte (invalid UTF-8) and `\z` (an invalid escape) fail; a quote
  // ends the string early, so what follows is malformed.
  for (int byte = 0; byte < 256; ++byte) {
    for (size_t at : {0u, 7u, 15u, 16u, 17u, 31u, 32u, 40u}) {
      const std::string content =
          std::string(at, 'a') + static_cast<char>(byte) + "z" + std::string(40 - at, 'b');
      Schema schema({{"s", DataType::Varchar()}, {"t", DataType::Varchar()}});
      std::vector<std::string> rows = DecodeAll(
          schema,
          {"{\"s\":\"" + content + "\",\"t\":\"x\"}", "{\"t\":\"x\",\"s\":\"" + content + "\"}"});
      ASSERT_EQ(rows.size(), 2u);
      const bool plain = byte >= 0x20 && byte < 0x80 && byte != '"' && byte != '\\';
      for (const std::string& row : rows) {
        if (plain) {
          EXPECT_EQ(row, content + "|x") << byte << " at " << at;
        } else {
          EXPECT_TRUE(IsError(row)) << byte << " at " << at << ": " << row;
        }
      }
    }
  }
}

TEST(JsonDecoderFlatTest, TheRecordsLastStringWithASpecialByteAtEveryPosition) {
  // The last value of a record is scanned from the record's last 16 bytes once fewer than 16
  // are left: special bytes at every position of a last string, in records shorter and longer
  // than 16 bytes, decode (or fail) as anywhere else.
  Schema schema({{"s", DataType::Varchar()}});
  for (size_t length = 0; length <= 40; ++length) {
    for (size_t at = 0; at <= length; ++at) {
      const std::string before(at, 'a');
      const std::string after(length - at, 'b');
      std::vector<std::string> rows =
          DecodeAll(schema, {"{\"s\":\"" + before + after + "\"}",
                             "{\"s\":\"" + before + "\\\"" + after + "\"}",
                             "{\"s\":\"" + before + "\t" + after + "\"}",
                             "{\"s\":\"" + before + "\xc3\xa9" + after + "\"}",
                             "{\"s\":\"" + before + "\xc3" + after + "\"}",
                             "{\"s\":\"" + before + after,  // unclosed
                             "{\"s\":\"" + before + after + "\" }"});
      ASSERT_EQ(rows.size(), 7u);
      EXPECT_EQ(rows[0], before + after) << length << " " << at;
      EXPECT_EQ(rows[1], before + "\"" + after) << length << " " << at;
      EXPECT_TRUE(IsError(rows[2])) << length << " " << at << ": " << rows[2];
      EXPECT_EQ(rows[3], before + "\xc3\xa9" + after) << length << " " << at;
      EXPECT_TRUE(IsError(rows[4])) << length << " " << at << ": " << rows[4];
      EXPECT_TRUE(IsError(rows[5])) << length << " " << at << ": " << rows[5];
      EXPECT_EQ(rows[6], before + after) << length << " " << at;
    }
  }
}

TEST(JsonDecoderFlatTest, TheRecordsLastNumberOfEveryLength) {
  // The last number of records of every length around 16 bytes, in a column and in a field no
  // column takes (`z`). A skipped number's grammar is still checked on the fast path; one it
  // rejects takes the simdjson path, which decides as it always did: it does not parse a
  // skipped number, so `{"s":"x","z":01}` decodes (as on the simdjson path alone), while the
  // same text in a column is an error.
  Schema schema({{"s", DataType::Varchar()}, {"n", DataType::Bigint()}});
  for (size_t pad = 0; pad <= 20; ++pad) {
    const std::string s(pad, 'p');
    std::string digits;
    for (int length = 1; length <= 19; ++length) {
      digits.push_back(static_cast<char>('0' + length % 10));
      const std::string n = std::to_string(std::stoll(digits));
      std::vector<std::string> rows =
          DecodeAll(schema, {"{\"s\":\"" + s + "\",\"n\":" + digits + "}",
                             "{\"s\":\"" + s + "\",\"n\":-" + digits + "}",
                             "{\"s\":\"" + s + "\",\"n\":" + digits + "x}",
                             "{\"s\":\"" + s + "\",\"n\":" + digits + ".}",
                             "{\"s\":\"" + s + "\",\"n\":0" + digits + "}",
                             "{\"s\":\"" + s + "\",\"z\":" + digits + "}",
                             "{\"s\":\"" + s + "\",\"z\":0" + digits + "}",
                             "{\"s\":\"" + s + "\",\"z\":" + digits + ".5e}",
                             "{\"s\":\"" + s + "\",\"z\":" + digits});
      ASSERT_EQ(rows.size(), 9u);
      EXPECT_EQ(rows[0], s + "|" + n) << pad << " " << digits;
      EXPECT_EQ(rows[1], s + "|-" + n) << pad << " " << digits;
      for (size_t bad : {2u, 3u, 4u}) {
        EXPECT_TRUE(IsError(rows[bad])) << pad << " " << digits << ": " << rows[bad];
      }
      EXPECT_EQ(rows[5], s + "|NULL") << pad << " " << digits;
      EXPECT_EQ(rows[6], s + "|NULL") << pad << " " << digits;
      EXPECT_EQ(rows[7], s + "|NULL") << pad << " " << digits;
      EXPECT_TRUE(IsError(rows[8])) << pad << " " << digits << ": " << rows[8];
    }
  }
}

TEST(JsonDecoderFlatTest, KeysComparedWithTheirColonAtEveryLength) {
  // Keys of up to 14 bytes are matched together with their closing quote and colon in one
  // 16-byte comparison. Keys of 1 to 20 bytes; each record below follows one that primed the
  // memo with the key: whitespace around the colon, a longer or shorter key, another case, no
  // colon, a record that ends soon after the key, repeated keys.
  for (size_t length = 1; length <= 20; ++length) {
    std::string key;
    for (size_t at = 0; at < length; ++at) key.push_back(static_cast<char>('a' + at % 26));
    std::string upper = key;
    upper[0] = 'A';
    const std::string quoted = "{\"" + key + "\"";
    const std::vector<std::pair<std::string, std::string>> cases = {
        {quoted + ":2,\"s\":\"x\"}", "2|x"},
        {quoted + ": 3,\"s\":\"x\"}", "3|x"},
        {quoted + " :4,\"s\":\"x\"}", "4|x"},
        {quoted + ":\t5 ,\"s\":\"x\"}", "5|x"},
        {"{\"" + key + "x\":6,\"s\":\"x\"}", "NULL|x"},
        {"{\"" + key.substr(0, length - 1) + "\":7,\"s\":\"x\"}", "NULL|x"},
        {"{\"" + upper + "\":8,\"s\":\"x\"}", "8|x"},
        {quoted + "91,\"s\":\"x\"}", "error"},
        {quoted + " 91,\"s\":\"x\"}", "error"},
        {"{\"" + key + "\\\":\":9,\"s\":\"x\"}", "NULL|x"},  // the key `...":`
        {quoted + ":10}", "10|NULL"},
        {quoted + ":11," + quoted.substr(1) + ":12}", "11|NULL"},
        {"{\"" + upper + "\":13," + quoted.substr(1) + ":14}", "14|NULL"},
    };
    Schema schema({{key, DataType::Bigint()}, {"s", DataType::Varchar()}});
    std::vector<std::string> records;
    for (const auto& [record, expected] : cases) {
      records.push_back(quoted + ":1,\"s\":\"x\"}");
      records.push_back(record);
    }
    std::vector<std::string> rows = DecodeAll(schema, records);
    ASSERT_EQ(rows.size(), 2 * cases.size());
    for (size_t case_idx = 0; case_idx < cases.size(); ++case_idx) {
      EXPECT_EQ(rows[2 * case_idx], "1|x");
      const std::string& row = rows[2 * case_idx + 1];
      if (cases[case_idx].second == "error") {
        EXPECT_TRUE(IsError(row)) << cases[case_idx].first << " -> " << row;
      } else {
        EXPECT_EQ(row, cases[case_idx].second) << cases[case_idx].first;
      }
    }
  }
}

TEST(JsonDecoderFlatTest, MalformedRecordsStillFail) {
  // `z` never comes, so neither path stops reading a record early.
  Schema schema({{"n", DataType::Bigint()}, {"s", DataType::Varchar()}, {"z", DataType::Bigint()}});
  const std::vector<std::string> malformed = {
      R"({"n":1,"s":"x",})",       R"({"n":01,"s":"x"})",       R"({"n":1,"s":"x"} x)",
      R"({"n":nul,"s":"x"})",      R"({"n":nullx,"s":"x"})",    R"({"n":1,"s":"x")",
      R"({"n":1 "s":"x"})",        R"({"n":-,"s":"x"})",        R"({"n":1.,"s":"x"})",
      R"({"n":1,"s":"x)",          R"({"n":1,"s" "x"})",        R"({,"n":1})",
      R"({"n":1,"s":'x'})",        "{\"n\":1,\"s\":\"x\x01\"}", "",
      "{\"n\xff\":1,\"s\":\"x\"}",
  };
  for (const std::string& record : malformed) {
    // After a good record, so the key memo is primed with the keys the bad one starts with.
    std::vector<std::string> rows = DecodeAll(schema, {R"({"n":1,"s":"x"})", record});
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0], "1|x|NULL");
    EXPECT_TRUE(IsError(rows[1])) << record << " -> " << rows[1];
  }
}

TEST(JsonDecoderFlatTest, UnneededFieldsAsOnTheGeneralPath) {
  // Only `n` is needed. Other fields' strings must be valid UTF-8 and their nesting balanced
  // (simdjson's stage 1 checks the whole record), but their numbers are not parsed (`01`).
  Schema schema({{"n", DataType::Bigint()}});
  EXPECT_EQ(
      DecodeAll(schema, {R"({"x":"ok","n":1})", R"({"x":01,"n":2})", "{\"x\":\"caf\xc3\",\"n\":3}",
                         R"({"x":[1,{"y":2}],"n":4})", R"({"x":{"n":9},"n":5})",
                         R"({"x":true,"y":false,"z":null,"n":6})", R"({"x":1.5e-3,"n":7})"}),
      (std::vector<std::string>{"1", "2", "error: malformed JSON: The input is not valid UTF-8",
                                "4", "5", "6", "7"}));
}

TEST(JsonDecoderFlatTest, LiteralsWhitespaceAndEmptyObjects) {
  Schema schema({{"b", DataType::Boolean()}, {"n", DataType::Bigint()}});
  EXPECT_EQ(
      DecodeAll(schema, {R"({"b":true,"n":null})", R"({"b":false,"n":1})",
                         " \t\r\n{ \"b\" :\ttrue ,\n\"n\"\r: 2 } \n", "{}", "{ }",
                         R"({"b":null,"n":3})", R"({"b":1,"n":4})"}),
      (std::vector<std::string>{"true|NULL", "false|1", "true|2", "NULL|NULL", "NULL|NULL",
                                "NULL|3", "error: field \"b\": expected BOOLEAN, got number 1"}));
}

TEST(JsonDecoderFlatTest, ValuesNeedingACoercionTakeTheGeneralPath) {
  // Strings into TIMESTAMP, numbers into VARCHAR and DOUBLE, decimals: decoded as before.
  Schema schema({{"t", DataType::Timestamp()},
                 {"s", DataType::Varchar()},
                 {"d", DataType::Double()},
                 {"m", DataType::Decimal(10, 2)}});
  EXPECT_EQ(DecodeAll(schema, {R"({"t":1000,"s":"x","d":1.5,"m":1.25})",
                               R"({"t":"1970-01-01 00:00:02","s":12,"d":2,"m":"3.5"})"}),
            (std::vector<std::string>{"1970-01-01 00:00:01.000|x|1.5|1.25",
                                      "1970-01-01 00:00:02.000|12|2|3.50"}));
}

TEST(JsonDecoderFlatTest, TimestampAndDateText) {
  // Text into TIMESTAMP and DATE columns is parsed on the fast path as on the simdjson path:
  // the same values, and text that does not parse (or has escapes) gets the general path's
  // result and error.
  Schema schema({{"t", DataType::Timestamp()}, {"d", DataType::Date()}, {"n", DataType::Bigint()}});
  EXPECT_EQ(
      DecodeAll(schema, {R"({"t":"2023-11-14 22:13:20.123","d":"2023-11-14","n":1})",
                         R"({"t":"2023-11-14T22:13:20Z","d":"1970-01-01","n":2})",
                         R"({"t":"2023-11-14 22:13","d":"1969-12-31","n":3})",
                         R"({"t":"2023-11-14","d":"2024-02-29","n":4})",
                         R"({"t":"2023-11-14 22:13:20.123456","d":"0001-01-01","n":5})",
                         R"({"t":"1969-12-31 23:59:59.5","d":null,"n":6})",
                         R"({"t":"2023-11-14\u002022:13:20","d":"2023-11-1\u0034","n":7})",
                         R"({"t":"2023-11-14 24:00:00","d":"2023-11-14","n":8})",
                         R"({"t":"2023-11-14 22:13:20","d":"2023-02-30","n":9})",
                         R"({"t":"","d":"2023-11-14","n":10})",
                         R"({"t":"2023-11-14 22:13:20.","d":"2023-11-14","n":11})",
                         "{\"t\":\"2023-11-14 22:13:20\xc3\xa9\",\"d\":\"2023-11-14\",\"n\":12}",
                         R"({"t":1700000000000,"d":19675,"n":13})"}),
      (std::vector<std::string>{
          "2023-11-14 22:13:20.123|2023-11-14|1", "2023-11-14 22:13:20.000|1970-01-01|2",
          "2023-11-14 22:13:00.000|1969-12-31|3", "2023-11-14 00:00:00.000|2024-02-29|4",
          "2023-11-14 22:13:20.123|0001-01-01|5", "1969-12-31 23:59:59.500|NULL|6",
          "2023-11-14 22:13:20.000|2023-11-14|7",
          "error: field \"t\": invalid timestamp '2023-11-14 24:00:00': expected "
          "'YYYY-MM-DD HH:MM:SS[.fff]'",
          "error: field \"d\": invalid date '2023-02-30': expected 'YYYY-MM-DD'",
          "error: field \"t\": invalid timestamp '': expected 'YYYY-MM-DD HH:MM:SS[.fff]'",
          "error: field \"t\": invalid timestamp '2023-11-14 22:13:20.': expected "
          "'YYYY-MM-DD HH:MM:SS[.fff]'",
          "error: field \"t\": invalid timestamp '2023-11-14 22:13:20\xc3\xa9': expected "
          "'YYYY-MM-DD HH:MM:SS[.fff]'",
          "2023-11-14 22:13:20.000|2023-11-14|13"}));
}

TEST(JsonDecoderFlatTest, ResultsHoldAcrossTheFastPathsBackOff) {
  // 40 records the fast path declines (an escape) make the decoder stop trying it on most
  // records; plain and malformed records after them decode (or fail) exactly as before, and
  // once a probe succeeds the fast path is back.
  Schema schema({{"s", DataType::Varchar()}, {"n", DataType::Bigint()}});
  std::vector<std::string> records;
  std::vector<std::string> expected;
  for (int record_idx = 0; record_idx < 200; ++record_idx) {
    const std::string n = std::to_string(record_idx);
    if (record_idx < 40) {
      records.push_back(R"({"s":"a\tb","n":)" + n + "}");
      expected.push_back("a\tb|" + n);
    } else if (record_idx % 50 == 7) {
      records.push_back("{\"s\":\"x\xc3\",\"n\":" + n + "}");  // invalid UTF-8
      expected.push_back("error");
    } else {
      records.push_back(R"({"s":"x)" + n + R"(","n":)" + n + "}");
      expected.push_back("x" + n + "|" + n);
    }
  }
  std::vector<std::string> rows = DecodeAll(schema, records);
  ASSERT_EQ(rows.size(), expected.size());
  for (size_t row = 0; row < rows.size(); ++row) {
    if (expected[row] == "error") {
      EXPECT_TRUE(IsError(rows[row])) << row << ": " << rows[row];
    } else {
      EXPECT_EQ(rows[row], expected[row]) << row;
    }
  }
}

}  // namespace
}  // namespace sluice
