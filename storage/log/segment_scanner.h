#pragma once
// Walks the frames of one segment file from a known frame boundary, for the cases that must find
// where a segment really ends or where an offset sits: writer recovery, index rebuilds, seeks and
// end-offset queries. (Readers serving records use PartitionReader's own buffered loop.)

#include <cstdint>
#include <functional>
#include <limits>
#include <string>

#include "common/status.h"
#include "storage/log/record_format.h"

namespace sluice {

struct SegmentScanOptions {
  // Decode every frame and check its checksum; otherwise only hop over frame lengths.
  bool verify_checksums = true;
  // Stop (with kOk) in front of the frame with this offset.
  int64_t stop_at_offset = std::numeric_limits<int64_t>::max();
  // Called for every frame accepted: offset, file position, frame bytes.
  std::function<void(int64_t, int64_t, size_t)> on_frame;
};

struct SegmentScan {
  int64_t end_position = 0;  // position just after the last accepted frame
  int64_t next_offset = 0;   // offset the next frame would have
  // kOk: clean end of file or stop_at_offset reached; kIncomplete: a partial frame follows;
  // kCorrupt: an invalid frame (or one with an unexpected offset) follows, described by `why`.
  FrameStatus stop = FrameStatus::kOk;
  std::string why;
};

// REQUIRES: `position` is a frame boundary whose frame should carry `offset`.
Result<SegmentScan> ScanSegment(int fd, const std::string& path, int64_t position, int64_t offset,
                                const SegmentScanOptions& options);

// True if a frame prefix at `position` exists and names `offset` (checks an index entry).
Result<bool> FrameAtHasOffset(int fd, const std::string& path, int64_t position, int64_t offset);

}  // namespace sluice
