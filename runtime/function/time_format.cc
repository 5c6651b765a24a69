#include "runtime/function/time_format.h"

#include <algorithm>
#include <array>
#include <cctype>

namespace sluice {

namespace {

constexpr std::array<const char*, 12> kMonthNames = {
    "January", "February", "March",     "April",   "May",      "June",
    "July",    "August",   "September", "October", "November", "December"};
constexpr std::array<const char*, 7> kDayNames = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                                  "Thursday", "Friday", "Saturday"};

void AppendPadded(int64_t value, int width, std::string& out) {
  if (value < 0) {
    out.push_back('-');
    value = -value;
  }
  std::string digits = std::to_string(value);
  if (static_cast<int>(digits.size()) < width) out.append(width - digits.size(), '0');
  out += digits;
}

// Case-insensitive: whether `text` at `pos` starts with `word`.
bool MatchWord(std::string_view text, size_t pos, std::string_view word) {
  if (text.size() - pos < word.size()) return false;
  for (size_t idx = 0; idx < word.size(); ++idx) {
    if (std::tolower(static_cast<unsigned char>(text[pos + idx])) !=
        std::tolower(static_cast<unsigned char>(word[idx]))) {
      return false;
    }
  }
  return true;
}

// Index of the name (full, or its first three letters when `short_form`) at text[pos], or -1.
template <size_t N>
int MatchName(const std::array<const char*, N>& names, bool short_form, std::string_view text,
              size_t& pos) {
  for (size_t idx = 0; idx < N; ++idx) {
    std::string_view name = names[idx];
    if (short_form) name = name.substr(0, 3);
    if (MatchWord(text, pos, name)) {
      pos += name.size();
      return static_cast<int>(idx);
    }
  }
  return -1;
}

}  // namespace

int64_t DaysFromCivil(int64_t year, int month, int day) {
  // Howard Hinnant's days_from_civil: shifts the year to start in March so leap days come last.
  year -= month <= 2 ? 1 : 0;
  int64_t era = (year >= 0 ? year : year - 399) / 400;
  int64_t year_of_era = year - era * 400;
  int64_t day_of_year = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + day_of_era - 719468;
}

bool IsLeapYear(int64_t year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

int DaysInMonth(int64_t year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && IsLeapYear(year) ? 29 : kDays[month - 1];
}

CivilTime ToCivil(int64_t epoch_millis) {
  CivilTime time;
  int64_t days = FloorDiv(epoch_millis, kMillisPerDay);
  int64_t millis_of_day = epoch_millis - days * kMillisPerDay;
  time.hour = static_cast<int>(millis_of_day / 3'600'000);
  time.minute = static_cast<int>(millis_of_day / 60'000 % 60);
  time.second = static_cast<int>(millis_of_day / 1000 % 60);
  time.millisecond = static_cast<int>(millis_of_day % 1000);
  time.day_of_week = static_cast<int>(days + 4 - FloorDiv(days + 4, 7) * 7);
  // Hinnant's civil_from_days.
  int64_t shifted = days + 719468;
  int64_t era = (shifted >= 0 ? shifted : shifted - 146096) / 146097;
  int64_t day_of_era = shifted - era * 146097;
  int64_t year_of_era =
      (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
  int64_t march_day = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  int64_t march_month = (5 * march_day + 2) / 153;
  time.day = static_cast<int>(march_day - (153 * march_month + 2) / 5 + 1);
  time.month = static_cast<int>(march_month < 10 ? march_month + 3 : march_month - 9);
  time.year = year_of_era + era * 400 + (time.month <= 2 ? 1 : 0);
  time.day_of_year = static_cast<int>(days - DaysFromCivil(time.year, 1, 1) + 1);
  return time;
}

int IsoWeek(const CivilTime& time) {
  int iso_weekday = time.day_of_week == 0 ? 7 : time.day_of_week;  // Monday = 1
  int week = (time.day_of_year - iso_weekday + 10) / 7;
  // A year has 53 ISO weeks when it starts on a Thursday, or on a Wednesday in a leap year.
  auto weeks_in = [](int64_t year) {
    int64_t jan1 = DaysFromCivil(year, 1, 1);
    int64_t weekday = jan1 + 4 - FloorDiv(jan1 + 4, 7) * 7;  // 0 = Sunday
    return weekday == 4 || (weekday == 3 && IsLeapYear(year)) ? 53 : 52;
  };
  if (week < 1) return weeks_in(time.year - 1);
  if (week > weeks_in(time.year)) return 1;
  return week;
}

Result<TimeFormat> TimeFormat::Compile(std::string_view pattern) {
  TimeFormat format;
  format.pattern_ = std::string(pattern);
  auto add_literal = [&](std::string_view text) {
    if (format.tokens_.empty() || format.tokens_.back().field != Field::kLiteral) {
      format.tokens_.push_back(Token{Field::kLiteral, 0, ""});
    }
    format.tokens_.back().literal.append(text);
  };
  for (size_t pos = 0; pos < pattern.size();) {
    char letter = pattern[pos];
    if (letter == '\'') {
      if (pos + 1 < pattern.size() && pattern[pos + 1] == '\'') {  // '' outside quotes
        add_literal("'");
        pos += 2;
        continue;
      }
      std::string quoted;
      size_t end = pos + 1;
      for (;; ++end) {
        if (end >= pattern.size()) {
          return Status::Execution("unterminated quote in date pattern '" + std::string(pattern) +
                                   "'");
        }
        if (pattern[end] != '\'') {
          quoted.push_back(pattern[end]);
        } else if (end + 1 < pattern.size() && pattern[end + 1] == '\'') {
          quoted.push_back('\'');
          ++end;
        } else {
          break;
        }
      }
      add_literal(quoted);
      pos = end + 1;
      continue;
    }
    if (!std::isalpha(static_cast<unsigned char>(letter))) {
      add_literal(pattern.substr(pos, 1));
      ++pos;
      continue;
    }
    size_t end = pos;
    while (end < pattern.size() && pattern[end] == letter) ++end;
    int count = static_cast<int>(end - pos);
    Field field;
    switch (letter) {
      case 'y':
      case 'u': field = Field::kYear; break;
      case 'M':
      case 'L': field = Field::kMonth; break;
      case 'd': field = Field::kDay; break;
      case 'D': field = Field::kDayOfYear; break;
      case 'H': field = Field::kHour24; break;
      case 'h': field = Field::kHour12; break;
      case 'm': field = Field::kMinute; break;
      case 's': field = Field::kSecond; break;
      case 'S': field = Field::kFraction; break;
      case 'a': field = Field::kAmPm; break;
      case 'E': field = Field::kDayName; break;
      case 'Z': field = Field::kZoneOffset; break;
      case 'X': field = Field::kZoneId; break;
      default:
        return Status::Execution("unknown letter '" + std::string(1, letter) +
                                 "' in date pattern '" + std::string(pattern) +
                                 "' (quote literal text: 'T')");
    }
    format.tokens_.push_back(Token{field, count, ""});
    pos = end;
  }
  return format;
}

void TimeFormat::Format(int64_t epoch_millis, std::string& out) const {
  CivilTime time = ToCivil(epoch_millis);
  for (const Token& token : tokens_) {
    switch (token.field) {
      case Field::kLiteral: out += token.literal; break;
      case Field::kYear:
        if (token.count == 2) {
          AppendPadded((time.year % 100 + 100) % 100, 2, out);
        } else {
          AppendPadded(time.year, token.count, out);
        }
        break;
      case Field::kMonth:
        if (token.count >= 4) {
          out += kMonthNames[time.month - 1];
        } else if (token.count == 3) {
          out.append(kMonthNames[time.month - 1], 3);
        } else {
          AppendPadded(time.month, token.count, out);
        }
        break;
      case Field::kDay: AppendPadded(time.day, token.count, out); break;
      case Field::kDayOfYear: AppendPadded(time.day_of_year, token.count, out); break;
      case Field::kHour24: AppendPadded(time.hour, token.count, out); break;
      case Field::kHour12:
        AppendPadded(time.hour % 12 == 0 ? 12 : time.hour % 12, token.count, out);
        break;
      case Field::kMinute: AppendPadded(time.minute, token.count, out); break;
      case Field::kSecond: AppendPadded(time.second, token.count, out); break;
      case Field::kFraction: {
        std::string millis;
        AppendPadded(time.millisecond, 3, millis);
        millis.resize(static_cast<size_t>(token.count), '0');  // S: tenths, SSSSSS: micros
        out += millis;
        break;
      }
      case Field::kAmPm: out += time.hour < 12 ? "AM" : "PM"; break;
      case Field::kDayName:
        if (token.count >= 4) {
          out += kDayNames[time.day_of_week];
        } else {
          out.append(kDayNames[time.day_of_week], 3);
        }
        break;
      case Field::kZoneOffset: out += "+0000"; break;
      case Field::kZoneId: out += "Z"; break;
    }
  }
}

Status TimeFormat::ParseError(std::string_view text, std::string_view reason) const {
  return Status::Execution("'" + std::string(text) + "' does not match '" + pattern_ +
                           "': " + std::string(reason));
}

Result<int64_t> TimeFormat::Parse(std::string_view text) const {
  CivilTime time;
  int day_of_year = 0;
  int hour12 = -1;
  bool pm = false;
  size_t pos = 0;
  for (size_t token_idx = 0; token_idx < tokens_.size(); ++token_idx) {
    const Token& token = tokens_[token_idx];
    // Numbers run into a following number field (yyyyMMdd) only at their exact width.
    bool adjacent_number = token_idx + 1 < tokens_.size() &&
                           tokens_[token_idx + 1].field != Field::kLiteral &&
                           tokens_[token_idx + 1].field != Field::kAmPm &&
                           tokens_[token_idx + 1].field != Field::kDayName;
    auto read_number = [&](int min_digits, int max_digits, int64_t* value) {
      if (adjacent_number) max_digits = std::max(min_digits, std::min(max_digits, token.count));
      size_t start = pos;
      *value = 0;
      while (pos < text.size() && pos - start < static_cast<size_t>(max_digits) &&
             std::isdigit(static_cast<unsigned char>(text[pos]))) {
        *value = *value * 10 + (text[pos++] - '0');
      }
      return pos - start >= static_cast<size_t>(std::max(min_digits, 1));
    };
    int64_t value = 0;
    switch (token.field) {
      case Field::kLiteral:
        if (text.substr(pos, token.literal.size()) != token.literal) {
          return ParseError(
              text, "expected '" + token.literal + "' at character " + std::to_string(pos + 1));
        }
        pos += token.literal.size();
        continue;
      case Field::kMonth:
        if (token.count >= 3) {
          int month = MatchName(kMonthNames, token.count == 3, text, pos);
          if (month < 0)
            return ParseError(text,
                              "expected a month name at character " + std::to_string(pos + 1));
          time.month = month + 1;
          continue;
        }
        break;
      case Field::kDayName:
        if (MatchName(kDayNames, token.count < 4, text, pos) < 0) {
          return ParseError(text, "expected a day name at character " + std::to_string(pos + 1));
        }
        continue;
      case Field::kAmPm:
        if (MatchWord(text, pos, "AM") || MatchWord(text, pos, "PM")) {
          pm = MatchWord(text, pos, "PM");
          pos += 2;
          continue;
        }
        return ParseError(text, "expected AM or PM at character " + std::to_string(pos + 1));
      case Field::kZoneOffset:
      case Field::kZoneId:
        // Only UTC exists in Sluice; accept its spellings.
        if (MatchWord(text, pos, "+0000")) {
          pos += 5;
          continue;
        }
        if (MatchWord(text, pos, "+00:00")) {
          pos += 6;
          continue;
        }
        if (MatchWord(text, pos, "Z")) {
          pos += 1;
          continue;
        }
        return ParseError(text, "only the UTC offset (Z, +0000) is supported");
      default: break;
    }
    int max_digits = 2;
    if (token.field == Field::kYear) max_digits = token.count == 2 ? 2 : 9;
    if (token.field == Field::kDayOfYear) max_digits = 3;
    if (token.field == Field::kFraction) max_digits = 9;
    size_t number_start = pos;
    if (!read_number(token.count, max_digits, &value)) {
      return ParseError(text, "expected " + std::to_string(token.count) +
                                  (token.count == 1 ? " digit" : " digits") + " at character " +
                                  std::to_string(pos + 1));
    }
    switch (token.field) {
      case Field::kYear: time.year = token.count == 2 ? 2000 + value : value; break;
      case Field::kMonth: time.month = static_cast<int>(value); break;
      case Field::kDay: time.day = static_cast<int>(value); break;
      case Field::kDayOfYear: day_of_year = static_cast<int>(value); break;
      case Field::kHour24: time.hour = static_cast<int>(value); break;
      case Field::kHour12: hour12 = static_cast<int>(value); break;
      case Field::kMinute: time.minute = static_cast<int>(value); break;
      case Field::kSecond: time.second = static_cast<int>(value); break;
      case Field::kFraction: {
        // Scaled to milliseconds: "5" is 500 ms, "123456" is 123 ms (finer digits dropped).
        int64_t digits = static_cast<int64_t>(pos - number_start);
        for (; digits < 3; ++digits) value *= 10;
        for (; digits > 3; --digits) value /= 10;
        time.millisecond = static_cast<int>(value);
        break;
      }
      default: break;
    }
  }
  if (pos != text.size()) {
    return ParseError(text, "unexpected text at character " + std::to_string(pos + 1));
  }
  if (hour12 >= 0) {
    if (hour12 < 1 || hour12 > 12)
      return ParseError(text, "hour " + std::to_string(hour12) + " is out of range 1-12");
    time.hour = hour12 % 12 + (pm ? 12 : 0);
  } else if (pm && time.hour < 12) {
    time.hour += 12;
  }
  if (time.month < 1 || time.month > 12) {
    return ParseError(text, "month " + std::to_string(time.month) + " is out of range");
  }
  if (time.day < 1 || time.day > DaysInMonth(time.year, time.month)) {
    return ParseError(text, "day " + std::to_string(time.day) + " is out of range");
  }
  if (time.hour > 23 || time.minute > 59 || time.second > 59) {
    return ParseError(text, "time of day is out of range");
  }
  int64_t days = DaysFromCivil(time.year, time.month, time.day);
  if (day_of_year > 0) {
    if (day_of_year > (IsLeapYear(time.year) ? 366 : 365)) {
      return ParseError(text, "day of year " + std::to_string(day_of_year) + " is out of range");
    }
    days = DaysFromCivil(time.year, 1, 1) + day_of_year - 1;
  }
  return days * kMillisPerDay + time.hour * 3'600'000LL + time.minute * 60'000LL +
         time.second * 1000LL + time.millisecond;
}

}  // namespace sluice
