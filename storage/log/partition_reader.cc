#include "storage/log/partition_reader.h"

#include <fcntl.h>
#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>
#include <thread>

#include "storage/log/partition_end.h"
#include "storage/log/record_format.h"
#include "storage/log/segment.h"
#include "storage/log/segment_index.h"
#include "storage/log/segment_scanner.h"

namespace sluice {

PartitionReader::PartitionReader(std::string dir, LogOptions options, PartitionHead head)
    : dir_(std::move(dir)),
      options_(options),
      head_(std::move(head)),
      buffer_(options_.read_buffer_bytes) {}

Result<std::unique_ptr<PartitionReader>> PartitionReader::Open(std::string partition_dir,
                                                               int64_t offset, LogOptions options) {
  RETURN_NOT_OK(ValidateLogOptions(options));
  ASSIGN_OR_RETURN(bool exists, PathExists(partition_dir));
  if (!exists) return Status::Storage("partition directory " + partition_dir + " does not exist");
  ASSIGN_OR_RETURN(PartitionHead head, PartitionHead::OpenForReader(partition_dir));
  std::unique_ptr<PartitionReader> reader(
      new PartitionReader(std::move(partition_dir), options, std::move(head)));
  RETURN_NOT_OK(reader->Seek(offset));
  return reader;
}

Status PartitionReader::Seek(int64_t offset) {
  if (offset == kLogLatest) {
    ASSIGN_OR_RETURN(offset, FindPartitionEnd(dir_));
  }
  if (offset < 0) return Status::Storage(fmt::format("invalid log offset {}", offset));
  at_end_ = false;
  ASSIGN_OR_RETURN(std::vector<int64_t> bases, ListSegmentBases(dir_));
  if (bases.empty() || offset < bases.front()) {
    if (offset == 0) {  // no segment yet: wait for the first one
      segment_.Reset();
      segment_base_ = -1;
      next_offset_ = 0;
      file_position_ = 0;
      DropBuffer();
      return Status::OK();
    }
    return Status::Storage(fmt::format("offset {} is not in partition {} (it starts at offset {})",
                                       offset, dir_, bases.empty() ? 0 : bases.front()));
  }
  const int64_t base = *(std::upper_bound(bases.begin(), bases.end(), offset) - 1);
  RETURN_NOT_OK(OpenSegment(base, 0));

  // Start from the nearest index entry that still names the frame at its position.
  ASSIGN_OR_RETURN(SegmentIndex index, SegmentIndex::Load(IndexPath(dir_, base), base));
  IndexPoint from = index.Floor(offset);
  if (from.position > 0) {
    ASSIGN_OR_RETURN(bool matches,
                     FrameAtHasOffset(segment_.get(), segment_path_, from.position, from.offset));
    if (!matches) from = {base, 0};
  }
  SegmentScanOptions scan_options;
  scan_options.verify_checksums = false;
  scan_options.stop_at_offset = offset;
  ASSIGN_OR_RETURN(SegmentScan scan, ScanSegment(segment_.get(), segment_path_, from.position,
                                                 from.offset, scan_options));
  if (scan.next_offset != offset) {
    if (scan.stop == FrameStatus::kCorrupt) {
      return Status::Storage(fmt::format("corrupt record in {} at byte position {}: {}",
                                         segment_path_, scan.end_position, scan.why));
    }
    return Status::Storage(
        fmt::format("offset {} is beyond the end of partition {} (end offset {})", offset, dir_,
                    scan.next_offset));
  }
  next_offset_ = offset;
  file_position_ = scan.end_position;
  DropBuffer();
  return Status::OK();
}

Status PartitionReader::OpenSegment(int64_t base_offset, int64_t position) {
  std::string path = SegmentPath(dir_, base_offset);
  ASSIGN_OR_RETURN(segment_, OpenFile(path, O_RDONLY));
  segment_base_ = base_offset;
  published_end_ = 0;
  segment_path_ = std::move(path);
  next_offset_ = base_offset;
  file_position_ = position;
  DropBuffer();
  return Status::OK();
}

void PartitionReader::DropBuffer() {
  buffer_position_ = file_position_;
  buffer_begin_ = 0;
  buffer_end_ = 0;
}

Status PartitionReader::Poll(size_t max_records, std::vector<LogRecordView>& out) {
  out.clear();
  at_end_ = false;
  waiting_for_head_ = false;
  std::string why;
  while (out.size() < max_records) {
    if (!segment_.valid()) {
      ASSIGN_OR_RETURN(bool switched, TrySwitchSegment());
      if (switched) continue;
      at_end_ = true;
      seen_end_ = 0;
      return Status::OK();
    }
    LogRecordView view;
    size_t frame_bytes = 0;
    FrameStatus status = DecodeFrame(buffer_.data() + buffer_begin_, buffer_end_ - buffer_begin_,
                                     &view, &frame_bytes, &why);
    if (status == FrameStatus::kOk && view.offset == next_offset_) {
      const int64_t frame_end = file_position_ + static_cast<int64_t>(frame_bytes);
      if (frame_end > published_end_) {
        RETURN_NOT_OK(RefreshPublishedEnd());
        if (frame_end > published_end_) {
          // WaitForData wakes when the head publishes it (or the file changes, e.g. a failed
          // append truncating its frames).
          if (!out.empty()) return Status::OK();
          at_end_ = true;
          waiting_for_head_ = true;
          ASSIGN_OR_RETURN(seen_end_, FileSize(segment_.get(), segment_path_));
          return Status::OK();
        }
        // Published now, but the refresh dropped the frame's bytes (read before the head
        // covered them): decode it again from a fresh read.
        continue;
      }
      out.push_back(view);
      buffer_begin_ += frame_bytes;
      file_position_ += static_cast<int64_t>(frame_bytes);
      ++next_offset_;
      continue;
    }
    // Anything below moves or refills the buffer, which would invalidate the views in `out`:
    // hand those out first.
    if (!out.empty()) return Status::OK();
    if (status == FrameStatus::kIncomplete) {
      ASSIGN_OR_RETURN(bool got_more, ReadMore());
      if (got_more) continue;
    }
    ASSIGN_OR_RETURN(Step step, Resync());
    if (step == Step::kStop) return Status::OK();
  }
  return Status::OK();
}

int64_t PartitionReader::PublishedEndIn(const std::optional<HeadState>& head) const {
  if (!head || head->base_offset > segment_base_) {
    // A later segment exists, so this one is sealed; without a readable head the frames
    // themselves are all there is to go by (as before heads existed).
    return std::numeric_limits<int64_t>::max();
  }
  // Otherwise a roll in progress: nothing of this segment is published yet.
  return head->base_offset == segment_base_ ? head->end_position : 0;
}

Status PartitionReader::RefreshPublishedEnd() {
  const int64_t trusted_end = published_end_;
  ASSIGN_OR_RETURN(std::optional<HeadState> head, ReadHead());
  published_end_ = PublishedEndIn(head);
  // Buffered bytes past the end published before they were read may be a crashed writer's
  // staged frames, cut since by the writer that recovered the partition and replaced by others
  // at the same offsets (a replay batches its input differently): they are read again.
  const int64_t buffered_end = buffer_position_ + static_cast<int64_t>(buffer_end_);
  if (buffered_end > trusted_end) {
    const int64_t keep = std::max<int64_t>(trusted_end - buffer_position_, 0);
    buffer_end_ = std::max(buffer_begin_, static_cast<size_t>(keep));
  }
  return Status::OK();
}

Result<bool> PartitionReader::ReadMore() {
  // The head first: the bytes read below are trusted up to the end it publishes. The refresh may
  // drop buffered bytes to read them again, which is no progress.
  const int64_t buffered_end = buffer_position_ + static_cast<int64_t>(buffer_end_);
  if (published_end_ != std::numeric_limits<int64_t>::max()) RETURN_NOT_OK(RefreshPublishedEnd());
  const size_t leftover = buffer_end_ - buffer_begin_;
  if (buffer_begin_ > 0) {
    std::memmove(buffer_.data(), buffer_.data() + buffer_begin_, leftover);
    buffer_position_ += static_cast<int64_t>(buffer_begin_);
    buffer_begin_ = 0;
    buffer_end_ = leftover;
  }
  FrameHeader header;
  if (PeekFrame(buffer_.data(), leftover, &header) == FrameStatus::kOk &&
      header.frame_bytes() > buffer_.size()) {
    buffer_.resize(header.frame_bytes());
  }
  ASSIGN_OR_RETURN(
      size_t got,
      PreadSome(segment_.get(), buffer_.data() + buffer_end_, buffer_.size() - buffer_end_,
                buffer_position_ + static_cast<int64_t>(buffer_end_), segment_path_));
  buffer_end_ += got;
  return buffer_position_ + static_cast<int64_t>(buffer_end_) > buffered_end;
}

Result<PartitionReader::Step> PartitionReader::Resync() {
  // The head is read before the fresh read below. A writer updates the head only after its
  // frames are written, so frames inside the committed range are certainly complete in what
  // we read next; a bad frame there is real damage, not a race with a recovering writer.
  ASSIGN_OR_RETURN(std::optional<HeadState> head, ReadHead());
  const bool sealed = head && head->base_offset > segment_base_;
  const int64_t committed_end = head ? PublishedEndIn(head) : 0;
  // The buffer is read afresh after this head: it is trusted up to the end the head publishes.
  if (head) published_end_ = committed_end;

  DropBuffer();
  ASSIGN_OR_RETURN(size_t got, PreadSome(segment_.get(), buffer_.data(), buffer_.size(),
                                         file_position_, segment_path_));
  buffer_end_ = got;
  FrameHeader header;
  if (PeekFrame(buffer_.data(), got, &header) == FrameStatus::kOk && header.frame_bytes() > got) {
    if (header.frame_bytes() > buffer_.size()) buffer_.resize(header.frame_bytes());
    ASSIGN_OR_RETURN(size_t rest,
                     PreadUpTo(segment_.get(), buffer_.data() + got, buffer_.size() - got,
                               file_position_ + static_cast<int64_t>(got), segment_path_));
    buffer_end_ += rest;
  }
  seen_end_ = file_position_ + static_cast<int64_t>(buffer_end_);

  std::string why;
  LogRecordView view;
  size_t frame_bytes = 0;
  FrameStatus status = DecodeFrame(buffer_.data(), buffer_end_, &view, &frame_bytes, &why);
  if (status == FrameStatus::kOk && view.offset != next_offset_) {
    status = FrameStatus::kCorrupt;
    why = fmt::format("expected offset {} but found {}", next_offset_, view.offset);
  }
  if (status == FrameStatus::kOk) return Step::kContinue;

  if (status == FrameStatus::kCorrupt || buffer_end_ > 0) {
    if (file_position_ < committed_end) {
      if (status == FrameStatus::kIncomplete) {
        why = sealed ? "the segment ends in the middle of a record"
                     : "the record runs past the end the writers committed";
      }
      return Status::Storage(
          fmt::format("corrupt record in {} at byte position {} (expected offset {}): {}",
                      segment_path_, file_position_, next_offset_, why));
    }
    // Past the committed end: a record being written, or a crashed writer's torn tail that the
    // next writer to open the partition truncates. Either way, not yet data.
    DropBuffer();
    at_end_ = true;
    return Step::kStop;
  }

  // Nothing at our position: this segment ends here.
  ASSIGN_OR_RETURN(bool switched, TrySwitchSegment());
  if (switched) return Step::kContinue;
  if (sealed && head->base_offset != next_offset_) {
    return Status::Storage(fmt::format(
        "segment {} ends at offset {} but no segment starts there (the log continues at offset "
        "{}); the partition is damaged",
        segment_path_, next_offset_, head->base_offset));
  }
  at_end_ = true;
  return Step::kStop;
}

Result<bool> PartitionReader::TrySwitchSegment() {
  if (segment_.valid() && next_offset_ == segment_base_) return false;
  std::string path = SegmentPath(dir_, next_offset_);
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return false;
    return Status::FromErrno("cannot open " + path, errno);
  }
  segment_.Reset(fd);
  segment_base_ = next_offset_;
  published_end_ = 0;
  segment_path_ = std::move(path);
  file_position_ = 0;
  DropBuffer();
  return true;
}

Result<std::optional<HeadState>> PartitionReader::ReadHead() {
  // The head file may appear after the reader opened (a partition made by hand, say).
  if (!head_.valid()) {
    ASSIGN_OR_RETURN(head_, PartitionHead::OpenForReader(dir_));
  }
  return head_.Read();
}

Result<bool> PartitionReader::WaitForData(std::chrono::milliseconds timeout) {
  if (!at_end_) return true;
  using Clock = std::chrono::steady_clock;
  const Clock::time_point deadline = Clock::now() + timeout;
  std::chrono::microseconds backoff(50);
  constexpr std::chrono::microseconds kMaxBackoff(5000);
  for (;;) {
    if (segment_.valid()) {
      ASSIGN_OR_RETURN(int64_t size, FileSize(segment_.get(), segment_path_));
      if (size != seen_end_) return true;
      if (waiting_for_head_) {
        RETURN_NOT_OK(RefreshPublishedEnd());
        if (published_end_ > file_position_) return true;
      }
    }
    if (!segment_.valid() || next_offset_ != segment_base_) {
      ASSIGN_OR_RETURN(bool next_exists, PathExists(SegmentPath(dir_, next_offset_)));
      if (next_exists) return true;
    }
    const Clock::time_point now = Clock::now();
    if (now >= deadline) return false;
    std::this_thread::sleep_for(std::min<Clock::duration>(backoff, deadline - now));
    backoff = std::min(backoff * 2, kMaxBackoff);
  }
}

}  // namespace sluice
