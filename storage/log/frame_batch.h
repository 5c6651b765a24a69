#pragma once
// FrameBatch: the frames of records for one partition, encoded back to back in the on-disk layout
// (record_format.h) before the writer knows their offsets; PartitionWriter::AppendFrames stamps
// offsets and checksums in place and writes them. A sink encodes each value straight into its
// frame (BeginValue, FinishValue), so a value is written once and not copied again before
// write(2).

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "common/encode_buffer.h"
#include "common/status.h"
#include "storage/log/log_record.h"

namespace sluice {

class FrameBatch {
 public:
  FrameBatch() { starts_.push_back(0); }

  void Clear();
  size_t size() const { return starts_.size() - 1; }
  bool empty() const { return starts_.size() == 1; }

  // Appends the frame of `record`, or nothing and a STORAGE error when it is too large to frame.
  Status Add(const LogRecord& record);

  // Starts the frame of a record with a value (and no headers), keyed or keyless, and returns the
  // buffer to append the value to; FinishValue closes the frame. REQUIRES: nothing else touches
  // the batch between the two calls.
  EncodeBuffer& BeginValue(int64_t timestamp, std::string_view key) {
    return BeginFrame(timestamp, key, true);
  }
  EncodeBuffer& BeginValue(int64_t timestamp) { return BeginFrame(timestamp, {}, false); }
  // Closes the frame BeginValue started, or drops it and returns a STORAGE error when the key and
  // value are too large to frame.
  Status FinishValue();

  // Frame `frame_idx` spans [start(frame_idx), start(frame_idx + 1)) of data().
  char* data() { return bytes_.data(); }
  size_t start(size_t frame_idx) const { return starts_[frame_idx]; }

 private:
  // (The key comes as a view and a flag, not an optional: an optional built per row and passed
  // in memory costs a store-forwarding stall on every call.)
  EncodeBuffer& BeginFrame(int64_t timestamp, std::string_view key, bool has_key);
  Status TooLarge() const;

  EncodeBuffer bytes_;
  std::vector<size_t> starts_;  // size() + 1 entries
  size_t value_at_ = 0;         // where BeginValue's value starts in bytes_
};

}  // namespace sluice
