#pragma once
// Calendar arithmetic on epoch milliseconds (proleptic Gregorian, always UTC: Sluice timestamps
// carry no zone) and Java-style date patterns ('yyyy-MM-dd HH:mm:ss.SSS') for DATE_FORMAT and
// TO_TIMESTAMP. A pattern is compiled once into tokens, so formatting a batch does not re-read
// the pattern per row.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace sluice {

constexpr int64_t kMillisPerDay = 86'400'000;

// Floor division, so instants before 1970 fall on the right day.
inline int64_t FloorDiv(int64_t value, int64_t divisor) {
  int64_t quotient = value / divisor;
  return (value % divisor != 0 && (value < 0) != (divisor < 0)) ? quotient - 1 : quotient;
}

// Days since 1970-01-01 of a civil date (month 1-12, day 1-31); any year.
int64_t DaysFromCivil(int64_t year, int month, int day);

// The calendar fields of an instant, in UTC.
struct CivilTime {
  int64_t year = 1970;
  int month = 1;  // 1-12
  int day = 1;    // 1-31
  int hour = 0;   // 0-23
  int minute = 0;
  int second = 0;
  int millisecond = 0;
  int day_of_week = 4;  // 0 = Sunday ... 6 = Saturday (1970-01-01 was a Thursday)
  int day_of_year = 1;  // 1-366
};

CivilTime ToCivil(int64_t epoch_millis);
bool IsLeapYear(int64_t year);
int DaysInMonth(int64_t year, int month);
// ISO 8601 week number (1-53): weeks start on Monday; week 1 holds the year's first Thursday.
int IsoWeek(const CivilTime& time);

// A compiled Java-style pattern (java.time.format.DateTimeFormatter letters): y (yy: two-digit
// year), M (MMM: "Jan", MMMM: "January"), d, D (day of year), H, h (with a: AM/PM), m, s, S
// (fraction of a second, as many digits as letters), E ("Mon"; EEEE: "Monday"), Z ("+0000") and
// X ("Z"); text in single quotes is literal ('' is a quote); other letters are errors.
class TimeFormat {
 public:
  // EXECUTION error: `unknown letter 'Q' in date pattern 'yyyyQ'`, an unterminated quote.
  static Result<TimeFormat> Compile(std::string_view pattern);

  const std::string& pattern() const { return pattern_; }
  void Format(int64_t epoch_millis, std::string& out) const;
  // EXECUTION error naming the text, the pattern and what did not fit, e.g.
  // `'2023-13-01' does not match 'yyyy-MM-dd': month 13 is out of range`.
  Result<int64_t> Parse(std::string_view text) const;

 private:
  enum class Field : uint8_t {
    kLiteral,
    kYear,
    kMonth,
    kDay,
    kDayOfYear,
    kHour24,
    kHour12,
    kMinute,
    kSecond,
    kFraction,
    kAmPm,
    kDayName,
    kZoneOffset,  // Z: "+0000"
    kZoneId,      // X: "Z"
  };
  struct Token {
    Field field;
    int count;            // pattern letters in a row: the minimum width (or text style)
    std::string literal;  // for kLiteral
  };

  Status ParseError(std::string_view text, std::string_view reason) const;

  std::string pattern_;
  std::vector<Token> tokens_;
};

}  // namespace sluice
