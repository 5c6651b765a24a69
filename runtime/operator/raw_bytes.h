#pragma once
// Native-endian fixed-size fields and varints in byte strings, for the binary state encodings of
// operators (JoinRowCodec, WindowGroupCodec, window state chunks, the join spill file): state is
// read back by the same build on the same machine.

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace sluice {

template <typename T>
void AppendRaw(T value, std::string& out) {
  char bytes[sizeof(T)];
  std::memcpy(bytes, &value, sizeof(T));
  out.append(bytes, sizeof(T));
}

// The T stored at `at`. REQUIRES: sizeof(T) readable bytes there (the caller checked the length).
template <typename T>
T LoadRaw(const char* at) {
  T value;
  std::memcpy(&value, at, sizeof(T));
  return value;
}

// Reads a T at `*pos`, advancing it; false when `bytes` ends first.
template <typename T>
bool ReadRaw(std::string_view bytes, size_t* pos, T* value) {
  if (bytes.size() - *pos < sizeof(T)) return false;
  std::memcpy(value, bytes.data() + *pos, sizeof(T));
  *pos += sizeof(T);
  return true;
}

// LEB128: 7 bits per byte, low first; small numbers take one byte.
inline void AppendVarint(uint64_t value, std::string& out) {
  while (value >= 0x80) {
    out.push_back(static_cast<char>(value | 0x80));
    value >>= 7;
  }
  out.push_back(static_cast<char>(value));
}

// Reads a varint at `*pos`, advancing it; false when `bytes` ends first or it is over 64 bits.
inline bool ReadVarint(std::string_view bytes, size_t* pos, uint64_t* value) {
  *value = 0;
  for (int shift = 0; shift < 64 && *pos < bytes.size(); shift += 7) {
    const auto byte = static_cast<uint8_t>(bytes[(*pos)++]);
    *value |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) return true;
  }
  return false;
}

}  // namespace sluice
