// PartitionWriter in staged mode: appends that readers do not see until Publish(), and the
// recovery that brings a partition back to the end a checkpoint committed (exactly-once sinks,
// docs/checkpoints.md).

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "storage/log/partition_writer.h"
#include "storage/log/segment.h"
#include "storage/log/segment_scanner.h"

namespace sluice {

Result<std::unique_ptr<PartitionWriter>> PartitionWriter::OpenStaged(std::string partition_dir,
                                                                     int64_t committed_end,
                                                                     LogOptions options) {
  return OpenAndRecover(std::move(partition_dir), options, committed_end);
}

Status PartitionWriter::CutUnpublishedTail(int64_t keep_end) {
  ASSIGN_OR_RETURN(std::optional<HeadState> state, head_.Read());
  // Without a trustworthy head (or in the middle of a roll) there is no published end to keep
  // to; Recover() then validates the files as a plain writer would.
  if (!state) return Status::OK();
  ASSIGN_OR_RETURN(std::vector<int64_t> bases, ListSegmentBases(dir_));
  if (bases.empty() || bases.back() != state->base_offset) return Status::OK();
  const std::string path = SegmentPath(dir_, state->base_offset);
  ASSIGN_OR_RETURN(UniqueFd log, OpenFile(path, O_RDWR));
  ASSIGN_OR_RETURN(const int64_t size, FileSize(log.get(), path));
  if (size <= state->end_position) return Status::OK();
  SegmentScanOptions options;
  // Published records are never cut, even when the checkpoint is behind them (another writer
  // published them, or the commit file was lost).
  options.stop_at_offset = std::max(keep_end, state->next_offset);
  ASSIGN_OR_RETURN(SegmentScan scan,
                   ScanSegment(log.get(), path, state->end_position, state->next_offset, options));
  if (scan.end_position < size && ::ftruncate(log.get(), scan.end_position) != 0) {
    return Status::FromErrno("cannot truncate the uncommitted tail of " + path, errno);
  }
  return Status::OK();
}

Result<bool> PartitionWriter::CheckStagedTail() {
  ASSIGN_OR_RETURN(std::optional<HeadState> state, head_.Read());
  if (state && *state == published_state_ && state->base_offset == active_base_) {
    ASSIGN_OR_RETURN(const int64_t size, FileSize(active_log_.get(), active_path_));
    if (size == head_state_.end_position) return true;
  }
  // Another writer appended (adopting and so publishing our staged frames) or the files
  // changed under us: continue from what the partition says now.
  RETURN_NOT_OK(Refresh());
  published_state_ = head_state_;
  return false;
}

Status PartitionWriter::Publish() {
  if (head_state_ == published_state_) return Status::OK();
  HeadLock lock(head_);
  RETURN_NOT_OK(lock.Acquire());
  ASSIGN_OR_RETURN(bool intact, CheckStagedTail());
  if (!intact) return Status::OK();  // already published by whoever adopted the frames
  RETURN_NOT_OK(head_.Write(head_state_));
  published_state_ = head_state_;
  return Status::OK();
}

}  // namespace sluice
