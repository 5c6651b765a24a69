#pragma once
// Integers, DECIMALs and DATEs written as text straight into a caller's buffer (the JSON
// encoder's hot path), byte for byte what std::to_chars, AppendDecimalText and AppendDateText
// produce. Each writer may store up to its k...Room bytes past `dest` (whole 8-byte words),
// more than the text it returns the end of, so callers reserve that much.

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace sluice {

inline constexpr size_t kInt64TextRoom = 24;    // sign, 19 digits, word slack
inline constexpr size_t kDecimalTextRoom = 48;  // sign, "0.", 18 zeros, 19 digits, slack
inline constexpr size_t kDateTextRoom = 24;     // sign, 10 year digits, "-MM-DD", slack
// Days since 1970-01-01 of -32767-01-01 and 32767-12-31: the range of WriteDateText.
inline constexpr int32_t kMinTextDateDays = -12687428;
inline constexpr int32_t kMaxTextDateDays = 11248737;

namespace number_text_internal {

inline constexpr uint64_t kPowersOf10[] = {1ULL,
                                           10ULL,
                                           100ULL,
                                           1000ULL,
                                           10000ULL,
                                           100000ULL,
                                           1000000ULL,
                                           10000000ULL,
                                           100000000ULL,
                                           1000000000ULL,
                                           10000000000ULL,
                                           100000000000ULL,
                                           1000000000000ULL,
                                           10000000000000ULL,
                                           100000000000000ULL,
                                           1000000000000000ULL,
                                           10000000000000000ULL,
                                           100000000000000000ULL,
                                           1000000000000000000ULL,
                                           10000000000000000000ULL};

// The 8 decimal digits of `x` (< 10^8, with leading zeros) as ASCII in one word, the first digit
// in the lowest byte: the halves, quarters and digits are split in parallel lanes of one
// register by multiplying with reciprocals (exact for these ranges), with no table and no
// division chain.
inline uint64_t EightDigits(uint64_t x) {
  uint64_t lanes = (x / 10000) | ((x % 10000) << 32);  // 4-digit halves in 32-bit lanes
  const uint64_t hundreds = ((lanes * 10486) >> 20) & 0x0000007F0000007FULL;  // lane / 100
  lanes = hundreds | ((lanes - hundreds * 100) << 16);  // 2-digit quarters in 16-bit lanes
  const uint64_t tens = ((lanes * 103) >> 10) & 0x000F000F000F000FULL;  // lane / 10
  lanes = tens | ((lanes - tens * 10) << 8);                            // one digit per byte
  return lanes | 0x3030303030303030ULL;
}

inline void StoreWord(char* dest, uint64_t word) { std::memcpy(dest, &word, 8); }

// The last `count` (1..8) digits of EightDigits(x) at `dest`, as one 8-byte store.
inline void StoreLeading(char* dest, uint64_t x, size_t count) {
  StoreWord(dest, EightDigits(x) >> (8 * (8 - count)));
}

}  // namespace number_text_internal

// How many decimal digits `x` has (1 for 0).
inline size_t DecimalDigitCount(uint64_t x) {
  using number_text_internal::kPowersOf10;
  // log10 from log2 (1233/4096 ~ log10(2)), then one comparison to correct it. Setting the low
  // bit changes no digit count (every power of ten above 1 is even) and makes 0 count as 1.
  x |= 1;
  const int guess = ((64 - __builtin_clzll(x)) * 1233) >> 12;
  return static_cast<size_t>(guess + 1 - (x < kPowersOf10[guess] ? 1 : 0));
}

// `x` in exactly `count` digits (leading zeros when `count` exceeds its digit count), written
// with whole-word stores that end at most 8 bytes past dest + count. Returns dest + count.
// REQUIRES: 1 <= count <= 20 and x < 10^count.
[[gnu::always_inline]] inline char* WritePaddedDigits(uint64_t x, size_t count, char* dest) {
  using number_text_internal::EightDigits;
  using number_text_internal::StoreLeading;
  using number_text_internal::StoreWord;
  constexpr uint64_t kE8 = 100000000;
  if (count <= 8) {
    StoreLeading(dest, x, count);
  } else if (count <= 16) {
    const size_t lead = count - 8;
    StoreLeading(dest, x / kE8, lead);
    StoreWord(dest + lead, EightDigits(x % kE8));
  } else {
    const size_t lead = count - 16;
    const uint64_t rest = x % (kE8 * kE8);
    StoreLeading(dest, x / (kE8 * kE8), lead);
    StoreWord(dest + lead, EightDigits(rest / kE8));
    StoreWord(dest + lead + 8, EightDigits(rest % kE8));
  }
  return dest + count;
}

// `v` in decimal, as std::to_chars writes it. REQUIRES: kInt64TextRoom bytes at dest.
[[gnu::always_inline]] inline char* WriteInt64Text(int64_t v, char* dest) {
  const uint64_t magnitude =
      v < 0 ? uint64_t{0} - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
  *dest = '-';
  dest += v < 0 ? 1 : 0;
  return WritePaddedDigits(magnitude, DecimalDigitCount(magnitude), dest);
}

// A DECIMAL's unscaled value with `scale` digits after the point, as AppendDecimalText writes it
// (scale <= 0: the integer alone). REQUIRES: DecimalTextRoom(scale) bytes at dest.
constexpr size_t DecimalTextRoom(int scale) {
  return kDecimalTextRoom + (scale > 0 ? static_cast<size_t>(scale) : 0);
}
inline char* WriteDecimalText(int64_t unscaled, int scale, char* dest) {
  if (scale <= 0) return WriteInt64Text(unscaled, dest);
  const uint64_t magnitude = unscaled < 0 ? uint64_t{0} - static_cast<uint64_t>(unscaled)
                                          : static_cast<uint64_t>(unscaled);
  *dest = '-';
  dest += unscaled < 0 ? 1 : 0;
  const size_t fraction_digits = static_cast<size_t>(scale);
  if (fraction_digits > 19) {  // wider than any magnitude: "0." and leading zeros (no SQL type)
    std::memcpy(dest, "0.", 2);
    std::memset(dest + 2, '0', fraction_digits - 20);
    return WritePaddedDigits(magnitude, 20, dest + fraction_digits - 18);
  }
  const uint64_t divisor = number_text_internal::kPowersOf10[fraction_digits];
  const uint64_t integer = magnitude / divisor;
  dest = WritePaddedDigits(integer, DecimalDigitCount(integer), dest);  // "0" below one
  *dest++ = '.';
  return WritePaddedDigits(magnitude - integer * divisor, fraction_digits, dest);
}

// Days since 1970-01-01 as YYYY-MM-DD in the proleptic Gregorian calendar, as AppendDateText
// writes it (a '-' before years below 0, at least four year digits). REQUIRES: kDateTextRoom
// bytes at dest; kMinTextDateDays <= days <= kMaxTextDateDays (std::chrono's years -32767 to
// 32767, the range AppendDateText is exact in).
inline char* WriteDateText(int32_t days, char* dest) {
  // Civil-from-days over 400-year eras (H. Hinnant's algorithm), in 64 bits so that every
  // int32 day count converts without overflow.
  const int64_t z = static_cast<int64_t>(days) + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t day_of_era = z - era * 146097;  // [0, 146096]
  const int64_t year_of_era =
      (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
  const int64_t day_of_year =
      day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  const int64_t shifted_month = (5 * day_of_year + 2) / 153;  // March = 0
  const uint64_t day = static_cast<uint64_t>(day_of_year - (153 * shifted_month + 2) / 5 + 1);
  const uint64_t month =
      static_cast<uint64_t>(shifted_month < 10 ? shifted_month + 3 : shifted_month - 9);
  const int64_t year = year_of_era + era * 400 + (month <= 2 ? 1 : 0);
  const uint64_t year_magnitude =
      year < 0 ? uint64_t{0} - static_cast<uint64_t>(year) : static_cast<uint64_t>(year);
  *dest = '-';
  dest += year < 0 ? 1 : 0;
  const size_t year_digits = DecimalDigitCount(year_magnitude);
  dest = WritePaddedDigits(year_magnitude, year_digits < 4 ? 4 : year_digits, dest);
  dest[0] = '-';
  dest[1] = static_cast<char>('0' + month / 10);
  dest[2] = static_cast<char>('0' + month % 10);
  dest[3] = '-';
  dest[4] = static_cast<char>('0' + day / 10);
  dest[5] = static_cast<char>('0' + day % 10);
  return dest + 6;
}

}  // namespace sluice
