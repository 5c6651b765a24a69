#pragma once
// The hash of an encoded key that the operators' own hash structures (WindowGroupMap, KeyFilter)
// index by: std::hash of the bytes, mixed again, because std::hash of a string is not meant to
// spread its bits evenly and these structures use both the low bits and the high bits.

#include <cstdint>
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

}  // namespace sluice
