#pragma once
// EncodeBuffer: where encoders write records in place (the JSON encoder, the local log's frames).

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <string>
#include <string_view>

namespace sluice {

// A growable byte buffer for encoders that is never zero-filled per write: Reserve(n) returns room
// for n bytes at the end, Commit(end) keeps what was written up to `end`. (std::string::resize
// would clear the reserved bytes on every row.)
class EncodeBuffer {
 public:
  void Clear() { size_ = 0; }
  char* Reserve(size_t bytes) {
    if (size_ + bytes > storage_.size())
      storage_.resize(std::max(size_ + bytes, 2 * storage_.size()));
    return storage_.data() + size_;
  }
  void Commit(const char* end) { size_ = static_cast<size_t>(end - storage_.data()); }
  void Append(std::string_view bytes) {
    char* dest = Reserve(bytes.size());
    std::memcpy(dest, bytes.data(), bytes.size());
    size_ += bytes.size();
  }
  // Drops the bytes past `size` (at most size()).
  void Truncate(size_t size) { size_ = size; }
  size_t size() const { return size_; }
  char* data() { return storage_.data(); }
  std::string_view view() const { return std::string_view(storage_.data(), size_); }

 private:
  std::string storage_;  // its size is the capacity; bytes past size_ are scratch
  size_t size_ = 0;
};

}  // namespace sluice
