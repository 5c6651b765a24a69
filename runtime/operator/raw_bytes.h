#pragma once
// Native-endian fixed-size fields in byte strings, for the binary state encodings of operators
// (JoinRowCodec, WindowGroupCodec): state is read back by the same build on the same machine.

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

// Reads a T at `*pos`, advancing it; false when `bytes` ends first.
template <typename T>
bool ReadRaw(std::string_view bytes, size_t* pos, T* value) {
  if (bytes.size() - *pos < sizeof(T)) return false;
  std::memcpy(value, bytes.data() + *pos, sizeof(T));
  *pos += sizeof(T);
  return true;
}

}  // namespace sluice
