#include "storage/log/crc32c.h"

#include <array>
#include <cstring>

#if defined(__x86_64__)
#include <nmmintrin.h>
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
// chain runs at a third of its speed. Inputs of at least kStripes * kStripeBytes bytes are fed as
// three independent chains over adjacent stripes, joined by shifting each chain's register over
// the bytes that follow it: the register after stripe A then B is shift(reg after A) ^ (reg of B
// from zero), as the CRC is linear.
constexpr size_t kStripeBytes = 64;
constexpr size_t kStripes = 3;

// shift.tables[k][b]: the register holding b << 8k after kStripeBytes zero bytes.
struct StripeShift {
  std::array<std::array<uint32_t, 256>, 4> tables;
};

constexpr StripeShift BuildStripeShift() {
  StripeShift shift{};
  for (uint32_t k = 0; k < 4; ++k) {
    for (uint32_t byte = 0; byte < 256; ++byte) {
      uint32_t c = byte << (8 * k);
      for (size_t zero = 0; zero < kStripeBytes; ++zero) c = (c >> 8) ^ kTables.tables[0][c & 0xFF];
      shift.tables[k][byte] = c;
    }
  }
  return shift;
}

constexpr StripeShift kStripeShift = BuildStripeShift();

inline uint32_t ShiftOverStripe(uint32_t c) {
  const auto& t = kStripeShift.tables;
  return t[0][c & 0xFF] ^ t[1][(c >> 8) & 0xFF] ^ t[2][(c >> 16) & 0xFF] ^ t[3][c >> 24];
}

__attribute__((target("sse4.2"))) uint32_t ExtendHardware(uint32_t crc, const uint8_t* p,
                                                          size_t n) {
  uint64_t c = ~crc;
  while (n >= kStripes * kStripeBytes) {
    uint64_t c1 = 0;
    uint64_t c2 = 0;
    for (size_t at = 0; at < kStripeBytes; at += 8) {
      uint64_t w0;
      uint64_t w1;
      uint64_t w2;
      std::memcpy(&w0, p + at, 8);
      std::memcpy(&w1, p + kStripeBytes + at, 8);
      std::memcpy(&w2, p + 2 * kStripeBytes + at, 8);
      c = _mm_crc32_u64(c, w0);
      c1 = _mm_crc32_u64(c1, w1);
      c2 = _mm_crc32_u64(c2, w2);
    }
    c = ShiftOverStripe(static_cast<uint32_t>(c)) ^ c1;
    c = ShiftOverStripe(static_cast<uint32_t>(c)) ^ c2;
    p += kStripes * kStripeBytes;
    n -= kStripes * kStripeBytes;
  }
  while (n >= 8) {
    uint64_t word;
    std::memcpy(&word, p, 8);
    c = _mm_crc32_u64(c, word);
    p += 8;
    n -= 8;
  }
  // The last 0 to 7 bytes in at most three steps (4, 2, 1) rather than one per byte.
  uint32_t c32 = static_cast<uint32_t>(c);
  if (n >= 4) {
    uint32_t word;
    std::memcpy(&word, p, 4);
    c32 = _mm_crc32_u32(c32, word);
    p += 4;
    n -= 4;
  }
  if (n >= 2) {
    uint16_t half;
    std::memcpy(&half, p, 2);
    c32 = _mm_crc32_u16(c32, half);
    p += 2;
    n -= 2;
  }
  if (n > 0) c32 = _mm_crc32_u8(c32, *p);
  return ~c32;
}

bool DetectSse42() {
  __builtin_cpu_init();  // other static initializers may run before libgcc's own
  return __builtin_cpu_supports("sse4.2");
}
#else
bool DetectSse42() { return false; }
#endif

bool HasSse42() {
  static const bool has = DetectSse42();
  return has;
}

}  // namespace

uint32_t Crc32cExtendPortable(uint32_t crc, const void* data, size_t size) {
  return ExtendTable(crc, static_cast<const uint8_t*>(data), size);
}

bool Crc32cHasHardware() { return HasSse42(); }

uint32_t Crc32cExtend(uint32_t crc, const void* data, size_t size) {
#if defined(__x86_64__)
  if (HasSse42()) return ExtendHardware(crc, static_cast<const uint8_t*>(data), size);
#endif
  return ExtendTable(crc, static_cast<const uint8_t*>(data), size);
}

}  // namespace sluice
