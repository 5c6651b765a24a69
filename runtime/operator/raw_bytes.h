#pragma once
// Native-endian fixed-size fields in byte strings, for the binary state encodings of operators
// (JoinRowCodec, WindowGroupCodec, the join spill file): state is read back by the same build on the same machine.

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

}  // namespace sluice
