#include "storage/log/partition_writer.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "storage/log/record_format.h"
#include "storage/log/segment.h"

namespace sluice {

PartitionWriter::PartitionWriter(std::string dir, LogOptions options, PartitionHead head)
    : dir_(std::move(dir)), options_(options), head_(std::move(head)) {}

Result<int64_t> PartitionWriter::Append(std::span<const LogRecord> records) {
  // Encode outside the lock; only offsets and checksums wait for it.
  frames_.Clear();
  for (const LogRecord& record : records) RETURN_NOT_OK(frames_.Add(record));
  return AppendFrames(frames_);
}

Result<int64_t> PartitionWriter::AppendFrames(FrameBatch& frames) {
  HeadLock lock(head_);
  RETURN_NOT_OK(lock.Acquire());
  bool has_staged = false;
  if (staged_) {
    ASSIGN_OR_RETURN(bool intact, CheckStagedTail());
    has_staged = intact && head_state_ != published_state_;
  } else {
    RETURN_NOT_OK(Refresh());
  }
  const int64_t first_offset = head_state_.next_offset;
  const size_t frame_count = frames.size();
  // Staged frames never span a roll (the head names one segment), so a segment with a staged
  // tail may grow past the limit until the next publish.
  const int64_t limit = has_staged ? INT64_MAX : options_.segment_bytes;
  size_t frame_idx = 0;
  while (frame_idx < frame_count) {
    auto bytes_from = [&](size_t end) {
      return static_cast<int64_t>(frames.start(end) - frames.start(frame_idx));
    };
    if (head_state_.end_position > 0 &&
        head_state_.end_position + bytes_from(frame_idx + 1) > limit) {
      RETURN_NOT_OK(Roll());
    }
    // At least one frame per chunk, so a record larger than a segment still gets written.
    size_t end_frame = staged_ ? frame_count : frame_idx + 1;
    while (end_frame < frame_count &&
           head_state_.end_position + bytes_from(end_frame + 1) <= limit) {
      ++end_frame;
    }
    RETURN_NOT_OK(WriteChunk(frames, frame_idx, end_frame));
    frame_idx = end_frame;
  }
  return first_offset;
}

Status PartitionWriter::WriteChunk(FrameBatch& frames, size_t first_frame, size_t end_frame) {
  char* data = frames.data();
  int64_t offset = head_state_.next_offset;
  int64_t position = head_state_.end_position;
  int64_t last_indexed = head_state_.last_indexed_position;
  new_points_.clear();
  for (size_t frame_idx = first_frame; frame_idx < end_frame; ++frame_idx) {
    SealFrame(data + frames.start(frame_idx), offset);
    if (position - last_indexed >= options_.index_interval_bytes) {
      new_points_.push_back({offset, position});
      last_indexed = position;
    }
    position += static_cast<int64_t>(frames.start(frame_idx + 1) - frames.start(frame_idx));
    ++offset;
  }

  const size_t chunk_bytes = frames.start(end_frame) - frames.start(first_frame);
  Preallocate(head_state_.end_position + static_cast<int64_t>(chunk_bytes));
  Status written = PwriteAll(active_log_.get(), data + frames.start(first_frame), chunk_bytes,
                             head_state_.end_position, active_path_);
  if (!written.ok()) {
    // Leave no partial frame behind (e.g. after ENOSPC); recovery would also cut it.
    (void)::ftruncate(active_log_.get(), head_state_.end_position);
    allocated_end_ = head_state_.end_position;  // the truncate released the reservation too
    return written;
  }
  unsynced_ = true;
  head_state_.end_position = position;
  head_state_.next_offset = offset;
  head_state_.last_indexed_position = last_indexed;
  AppendIndexPoints();
  if (staged_) return Status::OK();  // Publish() writes the head
  return head_.Write(head_state_);
}

void PartitionWriter::AppendIndexPoints() {
  if (new_points_.empty()) return;
  index_bytes_.clear();
  EncodeIndexPoints(active_base_, new_points_, index_bytes_);
  // The index is a hint: if this write fails the entries are simply missing, which costs
  // readers a longer scan, never correctness, so the append goes on.
  if (PwriteAll(active_index_.get(), index_bytes_.data(), index_bytes_.size(),
                head_state_.index_bytes, IndexPath(dir_, active_base_))
          .ok()) {
    head_state_.index_bytes += static_cast<int64_t>(index_bytes_.size());
  }
}

void PartitionWriter::Preallocate(int64_t end) {
  // Appending into blocks the file system has already reserved costs the kernel about a third
  // less CPU than growing the file page by page (delayed allocation reserves and tracks each new
  // page; measured on ext4: 190 KB writes of 560 MB, 0.18 s against 0.13 s). The reservation
  // keeps the file's size, so readers, recovery and the head see exactly what they did before;
  // the step grows with the segment (at most 8 MiB), so a small topic reserves little. The
  // unused tail is released when the segment rolls. Failure (a file system without fallocate, a
  // full disk) only loses the saving: the write that follows reports a real error.
  if (end <= allocated_end_) return;
  constexpr int64_t kMinStep = int64_t{64} << 10;
  constexpr int64_t kMaxStep = int64_t{8} << 20;
  const int64_t from = std::max(allocated_end_, head_state_.end_position);
  const int64_t step = std::clamp(head_state_.end_position, kMinStep, kMaxStep);
  // Not past the segment's size limit, unless it is past it already (a staged tail may be).
  const int64_t to = end >= options_.segment_bytes ? end + step
                                                   : std::min(end + step, options_.segment_bytes);
  if (::fallocate(active_log_.get(), FALLOC_FL_KEEP_SIZE, from, to - from) == 0) {
    allocated_end_ = to;
  } else {
    allocated_end_ = end;  // try again only for later writes
  }
}

Status PartitionWriter::Roll() {
  // Blocks reserved past the sealed segment's end are released (a truncate to its own size).
  if (allocated_end_ > head_state_.end_position) {
    (void)::ftruncate(active_log_.get(), head_state_.end_position);
  }
  // A sealed segment is durable before any later segment exists, so a power loss can only ever
  // cut the active segment, never open a gap in the middle of the log.
  if (::fdatasync(active_log_.get()) != 0) {
    return Status::FromErrno("cannot sync " + active_path_, errno);
  }
  unsynced_ = false;
  const int64_t base = head_state_.next_offset;
  // The head moves first: a reader seeing the new base before the file exists waits for it.
  head_state_ = HeadState{base, 0, base, 0, 0};
  RETURN_NOT_OK(head_.Write(head_state_));
  published_state_ = head_state_;  // staged mode rolls only with nothing staged
  return OpenActiveSegment(base, /*truncate_index=*/true);
}

Status PartitionWriter::Sync() {
  if (!unsynced_) return Status::OK();
  if (::fdatasync(active_log_.get()) != 0) {
    return Status::FromErrno("cannot sync " + active_path_, errno);
  }
  unsynced_ = false;
  return Status::OK();
}

}  // namespace sluice
