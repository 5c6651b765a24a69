#pragma once
// Helpers for DECIMAL arithmetic on unscaled int64 values (precision <= 18): powers of ten,
// rescaling with half-away-from-zero rounding, and precision checks. All report overflow by
// returning false instead of wrapping.

#include <cstdint>

namespace sluice {

constexpr int kMaxDecimalDigits = 18;

inline int64_t Pow10(int exponent) {
  static constexpr int64_t kPowers[] = {1,
                                        10,
                                        100,
                                        1000,
                                        10000,
                                        100000,
                                        1000000,
                                        10000000,
                                        100000000,
                                        1000000000,
                                        10000000000,
                                        100000000000,
                                        1000000000000,
                                        10000000000000,
                                        100000000000000,
                                        1000000000000000,
                                        10000000000000000,
                                        100000000000000000,
                                        1000000000000000000};
  return kPowers[exponent];
}

// True when |value| < 10^precision.
inline bool FitsPrecision(int64_t value, int precision) {
  if (precision >= kMaxDecimalDigits + 1) return true;
  int64_t limit = Pow10(precision);
  return value < limit && value > -limit;
}

// Divides by 10^digits rounding half away from zero. REQUIRES: 0 <= digits <= 18.
inline int64_t DivideRounded(int64_t value, int digits) {
  if (digits == 0) return value;
  int64_t divisor = Pow10(digits);
  int64_t quotient = value / divisor;
  int64_t remainder = value % divisor;
  // |remainder| >= divisor / 2, written without overflow for negative values.
  if (remainder >= 0 ? remainder >= divisor - remainder : -remainder >= divisor + remainder) {
    quotient += value < 0 ? -1 : 1;
  }
  return quotient;
}

// Changes the scale of an unscaled value; false on overflow of int64.
inline bool Rescale(int64_t value, int from_scale, int to_scale, int64_t* out) {
  if (to_scale >= from_scale) {
    int shift = to_scale - from_scale;
    if (shift > kMaxDecimalDigits) return value == 0 ? (*out = 0, true) : false;
    return !__builtin_mul_overflow(value, Pow10(shift), out);
  }
  int shift = from_scale - to_scale;
  *out = shift > kMaxDecimalDigits ? 0 : DivideRounded(value, shift);
  return true;
}

}  // namespace sluice
