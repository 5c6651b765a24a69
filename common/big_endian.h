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

// Writes `value`'s 8 bytes at `out`, most significant first.
inline void StoreBigEndian64(uint64_t value, char* out) {
  if constexpr (std::endian::native == std::endian::little) value = __builtin_bswap64(value);
  std::memcpy(out, &value, sizeof value);
}

// Appends the low `width` bytes of `value` (1 to 8), most significant first.
inline void AppendBigEndian(uint64_t value, size_t width, std::string& out) {
  if (width == 8) {
    // One append instead of eight push_backs, each of which checks the capacity (group keys and
    // state keys append a cell per row).
    char bytes[8];
    StoreBigEndian64(value, bytes);
    out.append(bytes, sizeof bytes);
    return;
  }
  for (size_t byte_idx = width; byte_idx-- > 0;) {
    out.push_back(static_cast<char>(value >> (8 * byte_idx)));
  }
}

// The first `width` bytes of `bytes` (1 to 8; all of them when there are fewer) as a number.
inline uint64_t ReadBigEndian(std::string_view bytes, size_t width) {
  const size_t end = width < bytes.size() ? width : bytes.size();
  uint64_t value = 0;
  for (size_t byte_idx = 0; byte_idx < end; ++byte_idx) {
    value = (value << 8) | static_cast<uint8_t>(bytes[byte_idx]);
  }
  return value;
}

// An int64 with its sign bit flipped, so that negative numbers sort before the others.
inline void AppendOrderedInt64(int64_t value, std::string& out) {
  AppendBigEndian(static_cast<uint64_t>(value) ^ (1ULL << 63), 8, out);
}

inline int64_t ReadOrderedInt64(std::string_view bytes) {
  return static_cast<int64_t>(ReadBigEndian(bytes, 8) ^ (1ULL << 63));
}

}  // namespace sluice
