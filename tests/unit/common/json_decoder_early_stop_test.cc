// Records whose needed columns all come, with their exact keys, before fields no column takes:
// the simdjson path stops reading there, and the fast path must decide such records exactly as
// it does. simdjson's stage 1 has checked the rest (UTF-8, control characters, unclosed strings,
// the closing brace), but the grammar of the values there is never checked. These results pin
// what both paths give for every kind of rest, so a change to either (reading less of a record,
// say) cannot change what a record decodes to or fails with.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/json_codec.h"
#include "tests/unit/common/json_decode_test_util.h"

namespace sluice {
namespace {

constexpr char kUnescaped[] =
    "error: malformed JSON: Within strings, some characters must be escaped, we found "
    "unescaped characters";
constexpr char kNotUtf8[] = "error: malformed JSON: The input is not valid UTF-8";
constexpr char kUnclosed[] = "error: malformed JSON: A string is opened, but never closed.";
constexpr char kEndedEarly[] =
    "error: malformed JSON: JSON document ended early in the middle of an object or array.";

// Records of columns `n` and `s` and then `rest` (the fields no column takes).
std::vector<std::string> DecodeRests(const std::vector<std::string>& rests) {
  Schema schema({{"n", DataType::Bigint()}, {"s", DataType::Varchar()}});
  std::vector<std::string> records;
  for (const std::string& rest : rests) {
    records.push_back(R"({"n":1,"s":"x")" + rest);
    records.push_back(R"({"n":2,"s":"y"})");  // a good record after each
  }
  std::vector<std::string> rows = DecodeAll(schema, records);
  std::vector<std::string> results;
  for (size_t row = 0; row < rows.size(); row += 2) {
    EXPECT_EQ(rows[row + 1], "2|y") << rests[row / 2];
    results.push_back(rows[row]);
  }
  return results;
}

TEST(JsonDecoderEarlyStopTest, RestsAsStageOneJudgesThem) {
  struct Case {
    std::string rest;
    std::string result;
  };
  const std::vector<Case> cases = {
      {R"(,"z":"abc"})", "1|x"},
      {R"(,"z":[})", "1|x"},  // values after the stop are not parsed
      {R"(,"z":1}})", "1|x"},
      {R"(,"z":tru})", "1|x"},
      {R"(,,})", "1|x"},
      {R"(,"z"})", "1|x"},
      {R"(,"z":01})", "1|x"},
      {R"(,"z" "y"})", "1|x"},
      {R"(,1:2})", "1|x"},
      {R"(,"z":"a\qb"})", "1|x"},
      {R"(,"z":"a\"b"})", "1|x"},
      {R"(,"z":"}"})", "1|x"},
      {R"(,"z":1]})", "1|x"},
      {R"(,"z":{"a":[1]}})", "1|x"},
      {"}", "1|x"},
      {",\"z\":\"caf\xc3\xa9\"}", "1|x"},
      {"\t,\"z\":1}", "1|x"},
      {R"(,"z":"abc})", kUnclosed},
      {R"(,"z":"a"b"})", kUnclosed},
      {"\t,\"z\":\"a\x01\"}", kUnescaped},
      {",\"z\":\"a\x01\"}", kUnescaped},
      {",\"z\":\"caf\xc3\"}", kNotUtf8},
      {R"(,"z":1)", kEndedEarly},
      {R"(,)", kEndedEarly},
      {R"(,"z":1} x)", kEndedEarly},
      {R"(,"z":1} {)", kEndedEarly},
      {R"(,"z":[)", kEndedEarly},
      {R"(}})", "error: malformed JSON: Unexpected trailing content in the JSON input."},
  };
  std::vector<std::string> rests;
  std::vector<std::string> expected;
  for (const Case& test_case : cases) {
    rests.push_back(test_case.rest);
    expected.push_back(test_case.result);
  }
  EXPECT_EQ(DecodeRests(rests), expected);
}

TEST(JsonDecoderEarlyStopTest, SpecialBytesAtEveryPositionOfALongRest) {
  // A last string of up to 150 bytes (an `extra` field) with one special byte at each position.
  for (size_t length = 1; length <= 150; length += (length < 70 ? 1 : 7)) {
    for (size_t at = 0; at < length; ++at) {
      const std::string before(at, 'a');
      const std::string after(length - at - 1, 'b');
      auto rest = [&](const std::string& special) {
        return ",\"c\":10,\"z\":\"" + before + special + after + "\"}";
      };
      const std::vector<std::string> results =
          DecodeRests({rest("c"), rest("\x01"), rest("\xc3"), rest("\xc3\xa9"), rest("\\\""),
                       rest("\\u00e9"), rest("{"), rest("]"), rest("\""), rest("\x7f")});
      const std::vector<std::string> expected = {"1|x", kUnescaped, kNotUtf8, "1|x",     "1|x",
                                                 "1|x", "1|x",      "1|x",    kUnclosed, "1|x"};
      EXPECT_EQ(results, expected) << length << " " << at;
    }
  }
}

TEST(JsonDecoderEarlyStopTest, OnlyExactKeysStopTheRead) {
  // `N` takes column n case-insensitively: an exact `n` later would replace it, so neither path
  // stops reading, and a malformed value after it is found.
  Schema schema({{"n", DataType::Bigint()}, {"s", DataType::Varchar()}});
  EXPECT_EQ(DecodeAll(schema, {R"({"N":1,"s":"x","z":"abc","n":5})", R"({"N":1,"s":"x","z":"abc"})",
                               R"({"n":1,"s":"x","z":"abc"})"}),
            (std::vector<std::string>{"5|x", "1|x", "1|x"}));
}

}  // namespace
}  // namespace sluice
