#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "storage/log/file_util.h"
#include "storage/log/log_options.h"
#include "storage/log/log_record.h"
#include "storage/log/partition_head.h"
#include "storage/log/read_buffer.h"

namespace sluice {

inline constexpr int64_t kLogEarliest = 0;
inline constexpr int64_t kLogLatest = -1;  // the end offset at the time the reader opens

// Reads one partition of a local-log topic from a given offset, following segment rolls, while
// writers in other processes append to it. Poll never blocks: it returns the complete records
// available now as views into the reader's buffer (filled by large pread calls), valid until
// the next Poll. An incomplete frame at the end of the log is "not yet written", never an error;
// a bad frame inside the range some writer has committed is a STORAGE error naming the file and
// byte position.
//
// Tailing pattern: loop { Poll; if it returned nothing, WaitForData(timeout) }. WaitForData
// sleeps with exponential back-off (50 us up to 5 ms) until the segment file changes or a new
// segment appears, so an idle reader costs a few cheap syscalls every 5 ms.
class PartitionReader {
 public:
  // `offset` is kLogEarliest, kLogLatest, or an offset between 0 and the end offset.
  static Result<std::unique_ptr<PartitionReader>> Open(std::string partition_dir, int64_t offset,
                                                       LogOptions options = {});

  PartitionReader(const PartitionReader&) = delete;
  PartitionReader& operator=(const PartitionReader&) = delete;

  // Replaces `out` with up to `max_records` records in offset order (possibly none).
  // Invalidates the views returned by the previous Poll.
  Status Poll(size_t max_records, std::vector<LogRecordView>& out);

  // Repositions the reader (same rules as Open).
  Status Seek(int64_t offset);

  // Waits until the next Poll may return records, or `timeout` passes. True if data may be there.
  Result<bool> WaitForData(std::chrono::milliseconds timeout);

  // The offset of the next record Poll will return.
  int64_t position() const { return next_offset_; }

 private:
  PartitionReader(std::string dir, LogOptions options, PartitionHead head);

  enum class Step { kContinue, kStop };
  // Appends one pread's worth of bytes after the buffered ones; false at end of file.
  // REQUIRES: no views from the buffer are out.
  Result<bool> ReadMore();
  // The slow path when the buffer cannot yield a record: re-reads at the current position and
  // decides between "go on", "not yet written" and corruption; also follows segment rolls.
  Result<Step> Resync();
  // Switches to the segment that starts at next_offset_ if it exists.
  Result<bool> TrySwitchSegment();
  Status OpenSegment(int64_t base_offset, int64_t position);
  Result<std::optional<HeadState>> ReadHead();
  // The bytes of the current segment that `head` says are published.
  int64_t PublishedEndIn(const std::optional<HeadState>& head) const;
  // Re-reads the head into published_end_ for the current segment, and forgets buffered bytes
  // past the old published end (they were read unpublished: see published_end_).
  Status RefreshPublishedEnd();
  void DropBuffer();

  std::string dir_;
  LogOptions options_;
  PartitionHead head_;  // read, never locked: tells committed bytes from a torn tail

  int64_t segment_base_ = -1;
  std::string segment_path_;
  UniqueFd segment_;  // invalid until the partition's first segment exists

  int64_t next_offset_ = 0;
  int64_t file_position_ = 0;  // position of the frame carrying next_offset_
  // Bytes of the current segment some writer has published through the head, as read before
  // the buffer's bytes were (published bytes never change). Complete frames past it belong to an
  // append still in progress, one that failed and is being truncated, or a staged append a crash
  // left uncommitted, which the next writer cuts and may replace with other frames at the same
  // offsets: so they are not handed out until the head covers them, and bytes read while they
  // were past it are read again once it does.
  int64_t published_end_ = 0;
  // The last Poll stopped at a complete but unpublished frame.
  bool waiting_for_head_ = false;

  ReadBuffer buffer_;
  int64_t buffer_position_ = 0;  // file position of buffer_[0]
  size_t buffer_begin_ = 0;      // == file_position_ - buffer_position_
  size_t buffer_end_ = 0;

  // Set when the last Poll ran out of data; WaitForData then watches for change past seen_end_.
  bool at_end_ = false;
  int64_t seen_end_ = 0;
};

}  // namespace sluice
