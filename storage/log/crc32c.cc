#include "storage/log/crc32c.h"

#include <algorithm>
#include <array>
#include <cstring>

#if defined(__x86_64__)
#include <nmmintrin.h>
#include <wmmintrin.h>
#endif

namespace sluice {
namespace {

constexpr uint32_t kCastagnoliReflected = 0x82F63B78u;

// tables[k][b]: the CRC of byte b followed by k zero bytes, which lets the portable path fold
// eight input bytes per step instead of one.
struct SliceTables {
  std::array<std::array<uint32_t, 256>, 8> tables;
};

constexpr SliceTables BuildTables() {
  SliceTables t{};
  for (uint32_t byte = 0; byte < 256; ++byte) {
    uint32_t crc = byte;
    for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ ((crc & 1u) ? kCastagnoliReflected : 0u);
    t.tables[0][byte] = crc;
  }
  for (uint32_t byte = 0; byte < 256; ++byte) {
    for (size_t k = 1; k < 8; ++k) {
      uint32_t prev = t.tables[k - 1][byte];
      t.tables[k][byte] = (prev >> 8) ^ t.tables[0][prev & 0xFFu];
    }
  }
  return t;
}

constexpr SliceTables kTables = BuildTables();

uint32_t ExtendTable(uint32_t crc, const uint8_t* p, size_t n) {
  const auto& t = kTables.tables;
  uint32_t c = ~crc;
  while (n >= 8) {
    uint32_t lo;
    uint32_t hi;
    std::memcpy(&lo, p, 4);
    std::memcpy(&hi, p + 4, 4);
    lo ^= c;  // little-endian: the first byte of the word is its low byte
    c = t[7][lo & 0xFF] ^ t[6][(lo >> 8) & 0xFF] ^ t[5][(lo >> 16) & 0xFF] ^ t[4][lo >> 24] ^
        t[3][hi & 0xFF] ^ t[2][(hi >> 8) & 0xFF] ^ t[1][(hi >> 16) & 0xFF] ^ t[0][hi >> 24];
    p += 8;
    n -= 8;
  }
  while (n > 0) {
    c = (c >> 8) ^ t[0][(c ^ *p) & 0xFF];
    ++p;
    --n;
  }
  return ~c;
}

#if defined(__x86_64__)
// The crc32 instruction has a latency of three cycles but issues every cycle, so one dependent
// chain runs at a third of its speed. An input of at least kMinInterleavedBytes is fed as three
// independent chains A, B, C over its thirds (up to kMaxThirdWords words each per round), joined
// once per round: the register after A then B then C is shift(A, |B|+|C|) ^ shift(B, |C|) ^ C,
// as the CRC is linear. A shift over 8m bytes is one carry-less multiply by x^(64m-33) mod P and
// one crc32 of the product (which multiplies by x^33 and reduces): the join costs a handful of
// cycles whatever the length, so a frame's bytes go through one round and one join. Nothing runs
// after the join: the input's n mod 8 odd bytes go first on A (the chain that starts from the
// incoming CRC; only the first chain may take bytes that are not whole words, as the shifts are
// by whole words) and the last round's 0-2 words beyond three equal thirds go on C, both while
// the other chains run.
constexpr size_t kMaxThirdWords = 256;
constexpr size_t kMinInterleavedBytes = 3 * 4 * 8;

// powers[m]: x^(64m - 33) mod P in the reflected representation (bit i is x^(31-i)), for shifts
// over 8m bytes; m = 1 is x^31, bit 0.
struct ShiftPowers {
  std::array<uint32_t, 2 * kMaxThirdWords + 3> powers;
};

constexpr ShiftPowers BuildShiftPowers() {
  ShiftPowers t{};
  uint32_t power = 1u;  // x^31
  for (size_t m = 1; m < t.powers.size(); ++m) {
    t.powers[m] = power;
    for (int bit = 0; bit < 64; ++bit) {  // times x^64
      power = (power >> 1) ^ ((power & 1u) ? kCastagnoliReflected : 0u);
    }
  }
  return t;
}

constexpr ShiftPowers kShiftPowers = BuildShiftPowers();

// The crc32 instruction over 0-7 bytes, in at most three steps (4, 2, 1), on the register `c32`.
__attribute__((target("sse4.2"))) inline uint32_t ExtendOddBytes(uint32_t c32, const uint8_t* p,
                                                                 size_t n) {
  if (n & 4) {
    uint32_t word;
    std::memcpy(&word, p, 4);
    c32 = _mm_crc32_u32(c32, word);
    p += 4;
  }
  if (n & 2) {
    uint16_t half;
    std::memcpy(&half, p, 2);
    c32 = _mm_crc32_u16(c32, half);
    p += 2;
  }
  if (n & 1) c32 = _mm_crc32_u8(c32, *p);
  return c32;
}

// One crc32 over 8m bytes at a time, the bytes after them at most three steps (4, 2, 1).
__attribute__((target("sse4.2"))) uint32_t ExtendHardware(uint32_t crc, const uint8_t* p,
                                                          size_t n) {
  uint64_t c = ~crc;
  while (n >= 8) {
    uint64_t word;
    std::memcpy(&word, p, 8);
    c = _mm_crc32_u64(c, word);
    p += 8;
    n -= 8;
  }
  return ~ExtendOddBytes(static_cast<uint32_t>(c), p, n);
}

__attribute__((target("sse4.2,pclmul"))) inline uint64_t ShiftedSum(uint32_t a, uint32_t a_power,
                                                                    uint32_t b, uint32_t b_power) {
  const __m128i a_product = _mm_clmulepi64_si128(_mm_cvtsi32_si128(static_cast<int>(a)),
                                                 _mm_cvtsi32_si128(static_cast<int>(a_power)), 0);
  const __m128i b_product = _mm_clmulepi64_si128(_mm_cvtsi32_si128(static_cast<int>(b)),
                                                 _mm_cvtsi32_si128(static_cast<int>(b_power)), 0);
  return static_cast<uint64_t>(_mm_cvtsi128_si64(_mm_xor_si128(a_product, b_product)));
}

__attribute__((target("sse4.2,pclmul"))) uint32_t ExtendInterleaved(uint32_t crc, const uint8_t* p,
                                                                    size_t n) {
  if (n < kMinInterleavedBytes) return ExtendHardware(crc, p, n);
  const size_t odd = n % 8;
  uint64_t c = ExtendOddBytes(~crc, p, odd);
  p += odd;
  n -= odd;
  while (n > 0) {
    const size_t words = std::min(n / 24, kMaxThirdWords);
    const size_t third = 8 * words;
    const size_t c_bytes = words == n / 24 ? n - 2 * third : third;  // the last round: 0-2 more
    const uint8_t* b = p + third;
    const uint8_t* c_start = b + third;
    uint64_t c1 = 0;
    uint64_t c2 = 0;
    for (size_t at = 0; at < third; at += 8) {
      uint64_t w0;
      uint64_t w1;
      uint64_t w2;
      std::memcpy(&w0, p + at, 8);
      std::memcpy(&w1, b + at, 8);
      std::memcpy(&w2, c_start + at, 8);
      c = _mm_crc32_u64(c, w0);
      c1 = _mm_crc32_u64(c1, w1);
      c2 = _mm_crc32_u64(c2, w2);
    }
    for (size_t at = third; at < c_bytes; at += 8) {
      uint64_t w2;
      std::memcpy(&w2, c_start + at, 8);
      c2 = _mm_crc32_u64(c2, w2);
    }
    const size_t c_words = c_bytes / 8;
    c = c2 ^
        _mm_crc32_u64(0, ShiftedSum(static_cast<uint32_t>(c), kShiftPowers.powers[words + c_words],
                                    static_cast<uint32_t>(c1), kShiftPowers.powers[c_words]));
    p += 2 * third + c_bytes;
    n -= 2 * third + c_bytes;
  }
  return ~static_cast<uint32_t>(c);
}

bool DetectSse42() {
  __builtin_cpu_init();  // other static initializers may run before libgcc's own
  return __builtin_cpu_supports("sse4.2");
}

bool DetectPclmul() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("pclmul");
}
#else
bool DetectSse42() { return false; }
bool DetectPclmul() { return false; }
#endif

bool HasSse42() {
  static const bool has = DetectSse42();
  return has;
}

bool HasPclmul() {
  static const bool has = HasSse42() && DetectPclmul();
  return has;
}

}  // namespace

uint32_t Crc32cExtendPortable(uint32_t crc, const void* data, size_t size) {
  return ExtendTable(crc, static_cast<const uint8_t*>(data), size);
}

bool Crc32cHasHardware() { return HasSse42(); }

uint32_t Crc32cExtend(uint32_t crc, const void* data, size_t size) {
#if defined(__x86_64__)
  if (HasPclmul()) return ExtendInterleaved(crc, static_cast<const uint8_t*>(data), size);
  if (HasSse42()) return ExtendHardware(crc, static_cast<const uint8_t*>(data), size);
#endif
  return ExtendTable(crc, static_cast<const uint8_t*>(data), size);
}

}  // namespace sluice
