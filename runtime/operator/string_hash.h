#pragma once
// The hash of an encoded key that the operators' own hash structures (WindowGroupMap, KeyFilter)
// index (WindowGroupMap, KeyFilter, PreviousRowMap, the changelog aggregate's groups), and the
// equality they compare keys with. Keys are looked up once per input row and most are short (one
// to three numbers of a group key, 9 bytes each), so keys of up to 32 bytes are hashed, and keys
// of 8 to 32 compared, inline by word loads: std::hash's call and byte loop, and memcmp's call,
// cost more than the probe they serve. Every input bit reaches both the low and the high bits of
// the hash, as these structures take slots and tags from both. Longer keys: std::hash of the
// bytes, mixed again (std::hash of a string is not meant to spread its bits evenly). In memory
// only: nothing persists these hashes, so the function may change between versions.

#include <cstdint>
#include <cstring>
#include <functional>
#include <string_view>

namespace sluice {

namespace string_hash_internal {

inline uint64_t Word(const char* bytes) {
  uint64_t word = 0;
  std::memcpy(&word, bytes, sizeof word);
  return word;
}

inline uint64_t RotateLeft(uint64_t value, int bits) {
  return (value << bits) | (value >> (64 - bits));
}

}  // namespace string_hash_internal

inline uint64_t MixedStringHash(std::string_view key) {
  using string_hash_internal::RotateLeft;
  using string_hash_internal::Word;
  const size_t size = key.size();
  const char* bytes = key.data();
  if (size <= 16) {
    // The common group and join key (an encoded BIGINT is 9 bytes): the bytes as two words
    // (overlapping; shorter keys as smaller ones), which with the length determine the key, mixed
    // by two 64x64->128-bit multiplies, each folding its high half into its low one.
    uint64_t first = 0;
    uint64_t last = 0;
    if (size >= 8) {
      first = Word(bytes);
      last = Word(bytes + size - 8);
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
  uint64_t hash = 0;
  if (size <= 32) {
    // Bytes [0, 8), [8, 16), [size - 16, size - 8) and [size - 8, size): every byte counts, each
    // word multiplied by its own odd constant.
    hash = size * 0x9e3779b97f4a7c15ULL;
    hash ^= Word(bytes) * 0xc2b2ae3d27d4eb4fULL;
    hash = RotateLeft(hash, 31) ^ (Word(bytes + size - 8) * 0x165667b19e3779f9ULL);
    hash = RotateLeft(hash, 27) ^ (Word(bytes + 8) * 0x27d4eb2f165667c5ULL);
    hash = RotateLeft(hash, 33) ^ (Word(bytes + size - 16) * 0x85ebca77c2b2ae63ULL);
  } else {
    hash = std::hash<std::string_view>()(key);
  }
  // MurmurHash3's finalizer: every input bit reaches the low and the high bits.
  hash ^= hash >> 33;
  hash *= 0xff51afd7ed558ccdULL;
  hash ^= hash >> 33;
  return hash;
}

// a == b; keys of 8 to 32 bytes by the word loads MixedStringHash reads, without a memcmp call.
inline bool EncodedKeysEqual(std::string_view a, std::string_view b) {
  using string_hash_internal::Word;
  const size_t size = a.size();
  if (size != b.size()) return false;
  if (size < 8 || size > 32) return a == b;
  const char* left = a.data();
  const char* right = b.data();
  uint64_t differ = (Word(left) ^ Word(right)) | (Word(left + size - 8) ^ Word(right + size - 8));
  if (size > 16) {
    differ |=
        (Word(left + 8) ^ Word(right + 8)) | (Word(left + size - 16) ^ Word(right + size - 16));
  }
  return differ == 0;
}

}  // namespace sluice
