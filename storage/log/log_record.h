#pragma once
// The record shapes of the local log. Writers hand in LogRecord (borrowed bytes); readers get
// LogRecordView, whose bytes point into the reader's buffer and stay valid only until its next
// Poll; OwnedLogRecord is the copy for callers that keep records longer (PRINT TOPIC).

#include <cstdint>
#include <cstring>
#include <iterator>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sluice {

struct LogHeader {
  std::string_view name;
  std::string_view value;
};

// A record to append. Offsets are assigned by the log, so a record has none of its own.
struct LogRecord {
  std::optional<std::string_view> key;    // nullopt: keyless (distinct from an empty key)
  std::optional<std::string_view> value;  // nullopt: tombstone
  int64_t timestamp = 0;                  // epoch milliseconds
  std::span<const LogHeader> headers;
};

// The headers of a stored record, decoded lazily from the frame's header area. The area was
// validated when the frame was read, so iteration cannot fail.
class LogHeadersView {
 public:
  class Iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = LogHeader;
    using difference_type = std::ptrdiff_t;
    using pointer = const LogHeader*;
    using reference = LogHeader;

    Iterator() = default;
    Iterator(const char* pos, uint32_t remaining) : pos_(pos), remaining_(remaining) {}
    LogHeader operator*() const {
      uint32_t name_len = Load(pos_);
      uint32_t value_len = Load(pos_ + 4 + name_len);
      return {std::string_view(pos_ + 4, name_len),
              std::string_view(pos_ + 8 + name_len, value_len)};
    }
    Iterator& operator++() {
      uint32_t name_len = Load(pos_);
      uint32_t value_len = Load(pos_ + 4 + name_len);
      pos_ += 8 + name_len + value_len;
      --remaining_;
      return *this;
    }
    Iterator operator++(int) {
      Iterator before = *this;
      ++*this;
      return before;
    }
    bool operator==(const Iterator& other) const { return remaining_ == other.remaining_; }

   private:
    static uint32_t Load(const char* p) {
      uint32_t v;
      std::memcpy(&v, p, 4);
      return v;
    }
    const char* pos_ = nullptr;
    uint32_t remaining_ = 0;
  };

  LogHeadersView() = default;
  LogHeadersView(const char* data, uint32_t count) : data_(data), count_(count) {}

  size_t size() const { return count_; }
  bool empty() const { return count_ == 0; }
  Iterator begin() const { return Iterator(data_, count_); }
  Iterator end() const { return Iterator(nullptr, 0); }

 private:
  const char* data_ = nullptr;
  uint32_t count_ = 0;
};

struct LogRecordView {
  int64_t offset = 0;
  int64_t timestamp = 0;
  std::optional<std::string_view> key;
  std::optional<std::string_view> value;  // nullopt: tombstone
  LogHeadersView headers;
};

struct OwnedLogRecord {
  int64_t offset = 0;
  int64_t timestamp = 0;
  std::optional<std::string> key;
  std::optional<std::string> value;
  std::vector<std::pair<std::string, std::string>> headers;

  static OwnedLogRecord CopyOf(const LogRecordView& view) {
    OwnedLogRecord owned;
    owned.offset = view.offset;
    owned.timestamp = view.timestamp;
    if (view.key) owned.key.emplace(*view.key);
    if (view.value) owned.value.emplace(*view.value);
    for (LogHeader header : view.headers) owned.headers.emplace_back(header.name, header.value);
    return owned;
  }
};

}  // namespace sluice
