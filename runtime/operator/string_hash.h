#pragma once
// The hash of an encoded key that the operators' own hash structures (WindowGroupMap, KeyFilter)
// index by: std::hash of the bytes, mixed again, because std::hash of a string is not meant to
// spread its bits evenly and these structures use both the low bits and the high bits.

#include <cstdint>
#include <cstring>
#include <functional>
#include <string_view>

namespace sluice {

inline uint64_t MixedStringHash(std::string_view key) {
  uint64_t hash = std::hash<std::string_view>()(key);
  hash ^= hash >> 33;
  hash *= 0xff51afd7ed558ccdULL;
  hash ^= hash >> 33;
  return hash;
}

// The same job for keys looked up once per input row where most keys are short (an encoded
// BIGINT is 9 bytes): std::hash's byte loop and the mix above were a tenth of a changelog
// aggregate's own time. Up to 16 bytes are read as two 8-byte words (overlapping; shorter keys
// as smaller ones), which with the length determine the key, and mixed by two 64x64->128-bit
// multiplies, each folding its high half into its low one (so every input bit reaches the high
// bits that open-addressing indexes take their slot and tag from); longer keys take
// MixedStringHash. In-memory indexes only: the value may change between versions.
inline uint64_t ShortKeyHash(std::string_view key) {
  const size_t size = key.size();
  if (size > 16) return MixedStringHash(key);
  const char* bytes = key.data();
  uint64_t first = 0;
  uint64_t last = 0;
  if (size >= 8) {
    std::memcpy(&first, bytes, 8);
    std::memcpy(&last, bytes + size - 8, 8);
  } else if (size >= 4) {
    uint32_t low = 0;
    uint32_t high = 0;
    std::memcpy(&low, bytes, 4);
    std::memcpy(&high, bytes + size - 4, 4);
    first = low;
    last = high;
  } else if (size > 0) {
    first = (uint64_t{static_cast<uint8_t>(bytes[0])} << 16) |
            (uint64_t{static_cast<uint8_t>(bytes[size / 2])} << 8) |
            static_cast<uint8_t>(bytes[size - 1]);
  }
  auto fold = [](uint64_t a, uint64_t b) {
    const unsigned __int128 product = static_cast<unsigned __int128>(a) * b;
    return static_cast<uint64_t>(product) ^ static_cast<uint64_t>(product >> 64);
  };
  const uint64_t mixed = fold(first ^ 0xa0761d6478bd642fULL, last ^ 0xe7037ed1a0b428dbULL ^ size);
  return fold(mixed ^ 0x8ebc6af09c88c6e3ULL, 0x589965cc75374cc3ULL);
}

}  // namespace sluice
