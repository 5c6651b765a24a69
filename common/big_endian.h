// Fixed-width unsigned integers in big-endian byte order, as state keys, state values and
// checkpoints store them: keys encoded so sort bytewise (RocksDB's order) in numeric order.

#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace sluice {

// On a little-endian host (others take the byte loops), a width known at the call, as at every
// caller, makes each of the next two one byte swap and one load or append: a loop of push_backs
// or shifts costs a capacity check or a dependent step per byte (a tenth of a changelog
// aggregate's own time, whose state rows are length-prefixed cells).

// Appends the low `width` bytes of `value` (1 to 8), most significant first.
inline void AppendBigEndian(uint64_t value, size_t width, std::string& out) {
  char bytes[8];
  if constexpr (std::endian::native == std::endian::little) {
    const uint64_t swapped = __builtin_bswap64(value << (64 - 8 * width));
    std::memcpy(bytes, &swapped, 8);
  } else {
    for (size_t byte_idx = 0; byte_idx < width; ++byte_idx) {
      bytes[byte_idx] = static_cast<char>(value >> (8 * (width - 1 - byte_idx)));
    }
  }
  out.append(bytes, width);
}

// The first `width` bytes of `bytes` (1 to 8; all of them when there are fewer) as a number.
inline uint64_t ReadBigEndian(std::string_view bytes, size_t width) {
  uint64_t value = 0;
  if constexpr (std::endian::native == std::endian::little) {
    if (bytes.size() >= width) {
      std::memcpy(&value, bytes.data(), width);
      return __builtin_bswap64(value) >> (64 - 8 * width);
    }
  }
  const size_t end = width < bytes.size() ? width : bytes.size();
  for (size_t byte_idx = 0; byte_idx < end; ++byte_idx) {
    value = (value << 8) | static_cast<uint8_t>(bytes[byte_idx]);
  }
  return value;
}

// Writes the 8 bytes of `value`, most significant first, at `out` (for callers that assemble a
// few fields before one append).
inline void StoreBigEndian64(uint64_t value, char* out) {
  // (A big-endian host holds them in that order already.)
  if constexpr (std::endian::native == std::endian::little) value = __builtin_bswap64(value);
  std::memcpy(out, &value, 8);
}

// An int64 with its sign bit flipped, so that negative numbers sort before the others.
inline void AppendOrderedInt64(int64_t value, std::string& out) {
  AppendBigEndian(static_cast<uint64_t>(value) ^ (1ULL << 63), 8, out);
}

// AppendOrderedInt64's 8 bytes, written at `out`.
inline void StoreOrderedInt64(int64_t value, char* out) {
  StoreBigEndian64(static_cast<uint64_t>(value) ^ (1ULL << 63), out);
}

inline int64_t ReadOrderedInt64(std::string_view bytes) {
  return static_cast<int64_t>(ReadBigEndian(bytes, 8) ^ (1ULL << 63));
}

}  // namespace sluice
