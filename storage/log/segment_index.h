#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "common/status.h"

namespace sluice {

inline constexpr size_t kIndexEntryBytes = 8;

struct IndexPoint {
  int64_t offset = 0;
  int64_t position = 0;
};

// The sparse index of one segment: an entry {offset, file position} roughly every
// index_interval_bytes of frames, stored as 8-byte little-endian pairs {offset - base, position}.
// The index is only a hint: entries past the log's end or not naming the frame at their position
// are ignored by readers and rebuilt by the writer, so it never needs an fsync.
class SegmentIndex {
 public:
  SegmentIndex() = default;
  explicit SegmentIndex(int64_t base_offset) : base_offset_(base_offset) {}

  // Reads the index file at `path`; a missing file gives an empty index. Only the longest prefix
  // of strictly increasing entries is kept, so a torn or zero-filled tail drops out.
  static Result<SegmentIndex> Load(const std::string& path, int64_t base_offset);

  // The last entry at or before `offset`, or {base_offset, 0} (the segment's first frame).
  IndexPoint Floor(int64_t offset) const;

  const std::vector<IndexPoint>& points() const { return points_; }
  size_t file_bytes() const { return points_.size() * kIndexEntryBytes; }
  // Drops entries from `count` on (after the writer found them stale).
  void Truncate(size_t count) { points_.resize(count); }

 private:
  int64_t base_offset_ = 0;
  std::vector<IndexPoint> points_;
};

// Appends the on-disk form of `points` (of the segment starting at `base_offset`) to `out`.
void EncodeIndexPoints(int64_t base_offset, std::span<const IndexPoint> points, std::string& out);

// Replaces the index file at `path` atomically (write a temporary file, rename it over).
Status WriteIndexFile(const std::string& path, int64_t base_offset,
                      std::span<const IndexPoint> points);

}  // namespace sluice
