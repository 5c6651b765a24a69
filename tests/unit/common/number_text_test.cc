// The in-place number writers of common/number_text.h (which AppendDecimalText and
// AppendDateText also use) against reference texts built here another way: std::to_chars for
// integers and DECIMALs, std::chrono's calendar for DATEs. Every writer works in a buffer with a
// guard area past its room, so a store beyond the documented room shows up too.

#include "common/number_text.h"

#include <gtest/gtest.h>

#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "common/value.h"

namespace sluice {
namespace {

constexpr char kGuard = '\x7f';

// Runs `write` on a buffer of `room` bytes followed by guard bytes; returns the text written
// and fails the test if anything past the room changed.
template <typename Write>
std::string WriteChecked(size_t room, Write write) {
  std::vector<char> buffer(room + 32, kGuard);
  const char* end = write(buffer.data());
  for (size_t guard_idx = room; guard_idx < buffer.size(); ++guard_idx) {
    EXPECT_EQ(buffer[guard_idx], kGuard) << "byte " << guard_idx << " past the room was written";
  }
  return std::string(static_cast<const char*>(buffer.data()), end);
}

std::string ToChars(int64_t v) {
  char text[24];
  return std::string(text, std::to_chars(text, text + sizeof(text), v).ptr);
}

// A DECIMAL's text from the magnitude's digits, the point inserted `scale` digits from the end.
std::string ReferenceDecimal(int64_t unscaled, int scale) {
  const uint64_t magnitude = unscaled < 0 ? uint64_t{0} - static_cast<uint64_t>(unscaled)
                                          : static_cast<uint64_t>(unscaled);
  char text[24];
  std::string digits(text, std::to_chars(text, text + sizeof(text), magnitude).ptr);
  std::string out = unscaled < 0 ? "-" : "";
  if (scale <= 0) return out + digits;
  const auto fraction = static_cast<size_t>(scale);
  if (digits.size() <= fraction)
    return out + "0." + std::string(fraction - digits.size(), '0') + digits;
  return out + digits.substr(0, digits.size() - fraction) + "." +
         digits.substr(digits.size() - fraction);
}

// A DATE's text from std::chrono's calendar: at least four year digits, '-' before negative years.
std::string ReferenceDate(int64_t days) {
  const std::chrono::year_month_day ymd{std::chrono::sys_days{std::chrono::days{days}}};
  const int year = static_cast<int>(ymd.year());
  char text[64];
  const int size = std::snprintf(text, sizeof(text), "%s%04d-%02u-%02u", year < 0 ? "-" : "",
                                 year < 0 ? -year : year, static_cast<unsigned>(ymd.month()),
                                 static_cast<unsigned>(ymd.day()));
  return std::string(text, static_cast<size_t>(size));
}

// Every power of ten and its neighbours (both signs), the int64 limits and pseudo-random values
// of every length.
std::vector<int64_t> EdgeAndRandomValues() {
  std::vector<int64_t> values = {0, 1, -1, INT64_MIN, INT64_MIN + 1, INT64_MAX, INT64_MAX - 1};
  for (int64_t power = 1; power <= INT64_MAX / 10; power *= 10) {
    for (int64_t v : {power - 1, power, power + 1, 2 * power - 1, 5 * power}) {
      values.push_back(v);
      values.push_back(-v);
    }
  }
  uint64_t state = 7;
  for (int draw = 0; draw < 20000; ++draw) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    const int digits = static_cast<int>(state >> 59) % 19 + 1;
    int64_t limit = 1;
    for (int digit_idx = 0; digit_idx < digits; ++digit_idx) limit *= 10;
    const int64_t v = static_cast<int64_t>((state >> 1) % static_cast<uint64_t>(limit));
    values.push_back(draw % 2 == 0 ? v : -v);
  }
  return values;
}

TEST(NumberTextTest, DigitCountAtEveryPowerOfTen) {
  EXPECT_EQ(DecimalDigitCount(0), 1u);
  EXPECT_EQ(DecimalDigitCount(UINT64_MAX), 20u);
  uint64_t power = 1;
  for (size_t digits = 1; digits <= 19; ++digits) {
    EXPECT_EQ(DecimalDigitCount(power), digits) << power;
    EXPECT_EQ(DecimalDigitCount(power * 10 - 1), digits) << power * 10 - 1;
    power *= 10;
  }
}

TEST(NumberTextTest, IntegersMatchToChars) {
  for (int64_t v : EdgeAndRandomValues()) {
    ASSERT_EQ(WriteChecked(kInt64TextRoom, [v](char* dest) { return WriteInt64Text(v, dest); }),
              ToChars(v));
  }
}

TEST(NumberTextTest, PaddedDigitsKeepLeadingZeros) {
  EXPECT_EQ(WriteChecked(16, [](char* dest) { return WritePaddedDigits(0, 1, dest); }), "0");
  EXPECT_EQ(WriteChecked(16, [](char* dest) { return WritePaddedDigits(7, 3, dest); }), "007");
  EXPECT_EQ(WriteChecked(20, [](char* dest) { return WritePaddedDigits(42, 12, dest); }),
            "000000000042");
  EXPECT_EQ(WriteChecked(28, [](char* dest) { return WritePaddedDigits(UINT64_MAX, 20, dest); }),
            "18446744073709551615");
  EXPECT_EQ(WriteChecked(28, [](char* dest) { return WritePaddedDigits(5, 20, dest); }),
            "00000000000000000005");
}

TEST(NumberTextTest, DecimalsMatchTheReferenceAtEveryScale) {
  const std::vector<int64_t> values = EdgeAndRandomValues();
  for (int scale = -1; scale <= 24; ++scale) {
    for (size_t value_idx = 0; value_idx < values.size(); value_idx += scale < 19 ? 1 : 97) {
      const int64_t v = values[value_idx];
      const std::string expected = ReferenceDecimal(v, scale);
      ASSERT_EQ(WriteChecked(DecimalTextRoom(scale),
                             [v, scale](char* dest) { return WriteDecimalText(v, scale, dest); }),
                expected)
          << v << " scale " << scale;
      std::string appended = "x";
      AppendDecimalText(v, scale, appended);
      ASSERT_EQ(appended, "x" + expected);
    }
  }
}

TEST(NumberTextTest, DecimalsOfQ1Shape) {
  // 0.908 * price: DECIMAL with three digits after the point, small and negative values.
  auto write = [](int64_t unscaled) {
    return WriteChecked(DecimalTextRoom(3),
                        [unscaled](char* dest) { return WriteDecimalText(unscaled, 3, dest); });
  };
  EXPECT_EQ(write(0), "0.000");
  EXPECT_EQ(write(5), "0.005");
  EXPECT_EQ(write(-5), "-0.005");
  EXPECT_EQ(write(-999), "-0.999");
  EXPECT_EQ(write(1000), "1.000");
  EXPECT_EQ(write(11394492), "11394.492");
  EXPECT_EQ(write(INT64_MIN), "-9223372036854775.808");
}

std::string DateText(int32_t days) {
  return WriteChecked(kDateTextRoom, [days](char* dest) { return WriteDateText(days, dest); });
}

TEST(NumberTextTest, DatesMatchTheCalendarAroundTheEpochAndBeforeIt) {
  // Every day from 1900 to 2100 (leap days, month and year boundaries, 1970-01-01 and the days
  // before it), then every 97th day across the whole range.
  for (int32_t days = -25567; days <= 47482; ++days) {
    ASSERT_EQ(DateText(days), ReferenceDate(days)) << days;
  }
  for (int64_t days = kMinTextDateDays; days <= kMaxTextDateDays; days += 97) {
    ASSERT_EQ(DateText(static_cast<int32_t>(days)), ReferenceDate(days)) << days;
  }
}

TEST(NumberTextTest, DatesAtTheEdgesOfTheRange) {
  EXPECT_EQ(DateText(0), "1970-01-01");
  EXPECT_EQ(DateText(-1), "1969-12-31");
  EXPECT_EQ(DateText(11016), "2000-02-29");
  EXPECT_EQ(DateText(-719528), "0000-01-01");
  EXPECT_EQ(DateText(-719529), "-0001-12-31");
  EXPECT_EQ(DateText(2932896), "9999-12-31");
  EXPECT_EQ(DateText(2932897), "10000-01-01");
  for (int32_t days :
       {kMinTextDateDays, kMinTextDateDays + 1, kMaxTextDateDays - 1, kMaxTextDateDays}) {
    EXPECT_EQ(DateText(days), ReferenceDate(days)) << days;
  }
  // AppendDateText writes in-range days with WriteDateText and the rest with std::chrono.
  for (int32_t days : {0, kMinTextDateDays, kMaxTextDateDays, kMinTextDateDays - 1,
                       kMaxTextDateDays + 1, INT32_MIN / 2, INT32_MAX / 2}) {
    std::string appended = "x";
    AppendDateText(days, appended);
    EXPECT_EQ(appended, "x" + ReferenceDate(days)) << days;
  }
  EXPECT_EQ(DateText(kMinTextDateDays), "-32767-01-01");
  EXPECT_EQ(DateText(kMaxTextDateDays), "32767-12-31");
}

}  // namespace
}  // namespace sluice
