#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/status.h"
#include "storage/log/file_util.h"
#include "storage/log/frame_batch.h"
#include "storage/log/log_options.h"
#include "storage/log/log_record.h"
#include "storage/log/partition_head.h"
#include "storage/log/segment_index.h"

namespace sluice {

// Appends records to one partition of a local-log topic. Any number of writers, in any number of
// processes, may append to the same partition: each append holds the partition's flock and takes
// its offsets from the real end of the log (the head, checked against the segment file), so
// offsets stay dense and unique.
//
// Durability (also in docs/local-log.md):
//   - Append returns once its frames are written with write(2): readers in every process can see
//     them, and they survive a crash of this process.
//   - Sync() fsyncs what this writer appended, so it survives power loss. The engine calls Sync
//     before acknowledging an INSERT; sinks call it at each checkpoint or flush.
//   - A segment is fsynced when it rolls, so only the active segment ever holds unsynced data.
//   - Opening a writer recovers the partition: a torn tail (partial frame, bad checksum) of the
//     last segment is truncated and missing or stale indexes are rebuilt.
// A writer is not thread-safe, and must not be used across fork(): a child opens its own.
class PartitionWriter {
 public:
  // Opens the partition directory (which must exist) and recovers it under the lock.
  static Result<std::unique_ptr<PartitionWriter>> Open(std::string partition_dir,
                                                       LogOptions options = {});

  PartitionWriter(const PartitionWriter&) = delete;
  PartitionWriter& operator=(const PartitionWriter&) = delete;

  // Appends `records` in order and returns the offset of the first; an empty span returns the
  // current end offset. Usually one write(2); more only when the batch crosses a segment roll,
  // and then an error can leave a prefix of the batch appended.
  Result<int64_t> Append(std::span<const LogRecord> records);
  // The same for frames the caller encoded (a sink writing values in place). Stamps offsets and
  // checksums into `frames`, which the caller may Clear and reuse afterwards.
  Result<int64_t> AppendFrames(FrameBatch& frames);

  // Makes everything this writer appended survive power loss.
  Status Sync();

  // --- Staged appends (partition_writer_staged.cc), for exactly-once sinks.
  // Opens the partition for a writer whose appends stay unpublished until Publish(): the frames
  // are written past the head's published end, which readers never pass. Recovery first brings
  // the partition to `committed_end` (the end offset a checkpoint recorded; -1: none), which
  // never cuts a published record: a published end below it is rolled forward over the
  // crashed writer's frames still in the file, and frames past max(committed_end, published end)
  // are truncated. Every Append is then staged. Another writer that appends meanwhile adopts
  // (publishes) the staged frames first, so exactly-once holds only for a single writer.
  static Result<std::unique_ptr<PartitionWriter>> OpenStaged(std::string partition_dir,
                                                             int64_t committed_end,
                                                             LogOptions options = {});
  // Publishes every staged append: readers see them from now on.
  Status Publish();
  // The offset after the last staged (or published) record of this writer.
  int64_t staged_end_offset() const { return head_state_.next_offset; }

  // The end offset as of this writer's last append or recovery (other writers may be ahead).
  int64_t cached_end_offset() const { return head_state_.next_offset; }
  const std::string& dir() const { return dir_; }

 private:
  PartitionWriter(std::string dir, LogOptions options, PartitionHead head);
  // Open() and, with a committed end, OpenStaged().
  static Result<std::unique_ptr<PartitionWriter>> OpenAndRecover(
      std::string partition_dir, LogOptions options, std::optional<int64_t> staged_committed_end);

  // --- partition_writer_recovery.cc. REQUIRES for all: the lock is held.
  // Brings the cached head up to date with what other writers did since our last append.
  Status Refresh();
  // Full recovery from the files: validates sealed indexes and the whole last segment.
  Status Recover();
  // Switches the open files to the segment starting at `base_offset`, creating it if missing.
  Status OpenActiveSegment(int64_t base_offset, bool truncate_index);
  // Validates frames after the head's end (a crashed writer's leftovers): keeps complete ones,
  // truncates from the first bad or partial frame.
  Status AdoptTail(int64_t from_position, int64_t from_offset);
  Status RebuildIndexIfStale(int64_t base_offset);
  // Staged mode, with the lock held: true when the partition is as this writer left it (head and
  // file end), so its staged tail is intact; otherwise refreshes (adopting any tail).
  Result<bool> CheckStagedTail();
  // Cuts the unpublished tail of the active segment to the frames before `keep_end`.
  Status CutUnpublishedTail(int64_t keep_end);

  // --- partition_writer.cc
  Status Roll();
  Status WriteChunk(FrameBatch& frames, size_t first_frame, size_t end_frame);
  // Writes new_points_ to the active index; failures only make the index sparser.
  void AppendIndexPoints();
  // Reserves disk blocks for the active segment up to at least `end` (past the file's size, which
  // stays put), a growing step ahead; see partition_writer.cc.
  void Preallocate(int64_t end);

  std::string dir_;
  LogOptions options_;
  PartitionHead head_;
  HeadState head_state_;  // valid while the lock is held, a cache otherwise

  int64_t active_base_ = -1;
  std::string active_path_;
  UniqueFd active_log_;
  UniqueFd active_index_;
  bool unsynced_ = false;
  int64_t allocated_end_ = 0;  // blocks reserved in the active segment (0: none known)
  bool staged_ = false;        // appends do not publish (OpenStaged)
  HeadState published_state_;  // staged mode: what this writer last wrote to the head

  // Per-append scratch, kept to reuse the allocations.
  FrameBatch frames_;  // Append's records, framed
  std::vector<IndexPoint> new_points_;
  std::string index_bytes_;
};

}  // namespace sluice
