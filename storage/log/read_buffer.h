#pragma once
// A buffer for bytes read from a file. Unlike std::vector<char>, it does not zero its memory:
// every byte its users look at was read into it first, and zeroing a 1 MiB read buffer faulted in
// every page of it at each worker start, even when the file held a few bytes (a log reader's
// buffer, the segment scan at its Seek, the commit file's slot: about 1 ms of a stateless
// worker's start-up CPU on the benchmark VM).

#include <cstddef>
#include <cstring>
#include <memory>

namespace sluice {

class ReadBuffer {
 public:
  explicit ReadBuffer(size_t size)
      : data_(std::make_unique_for_overwrite<char[]>(size)), size_(size) {}

  char* data() { return data_.get(); }
  const char* data() const { return data_.get(); }
  size_t size() const { return size_; }

  // Grows to `size` bytes (never shrinks), keeping the bytes it holds.
  void resize(size_t size) {
    if (size <= size_) return;
    std::unique_ptr<char[]> grown = std::make_unique_for_overwrite<char[]>(size);
    std::memcpy(grown.get(), data_.get(), size_);
    data_ = std::move(grown);
    size_ = size;
  }

 private:
  std::unique_ptr<char[]> data_;
  size_t size_;
};

}  // namespace sluice
