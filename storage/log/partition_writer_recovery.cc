// PartitionWriter: opening a partition, catching up with other writers, and crash recovery.

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "storage/log/partition_writer.h"
#include "storage/log/segment.h"
#include "storage/log/segment_scanner.h"

namespace sluice {
namespace {

// Collects index points with the same spacing rule the append path uses.
struct IndexCollector {
  int64_t interval;
  int64_t last_indexed;
  std::vector<IndexPoint> points;

  void operator()(int64_t offset, int64_t position) {
    if (position - last_indexed >= interval) {
      points.push_back({offset, position});
      last_indexed = position;
    }
  }
};

}  // namespace

Result<std::unique_ptr<PartitionWriter>> PartitionWriter::Open(std::string partition_dir,
                                                               LogOptions options) {
  return OpenAndRecover(std::move(partition_dir), options, std::nullopt);
}

Result<std::unique_ptr<PartitionWriter>> PartitionWriter::OpenAndRecover(
    std::string partition_dir, LogOptions options, std::optional<int64_t> staged_committed_end) {
  RETURN_NOT_OK(ValidateLogOptions(options));
  ASSIGN_OR_RETURN(bool exists, PathExists(partition_dir));
  if (!exists) return Status::Storage("partition directory " + partition_dir + " does not exist");
  ASSIGN_OR_RETURN(PartitionHead head, PartitionHead::OpenForWriter(partition_dir));
  std::unique_ptr<PartitionWriter> writer(
      new PartitionWriter(std::move(partition_dir), options, std::move(head)));
  HeadLock lock(writer->head_);
  RETURN_NOT_OK(lock.Acquire());
  if (staged_committed_end) RETURN_NOT_OK(writer->CutUnpublishedTail(*staged_committed_end));
  // Staged: publishes what is left past the head (the committed frames) and rebuilds the index.
  RETURN_NOT_OK(writer->Recover());
  if (staged_committed_end) {
    writer->staged_ = true;
    writer->published_state_ = writer->head_state_;
  }
  return writer;
}

Status PartitionWriter::Refresh() {
  ASSIGN_OR_RETURN(std::optional<HeadState> state, head_.Read());
  if (!state) return Recover();
  if (state->base_offset != active_base_) {
    RETURN_NOT_OK(OpenActiveSegment(state->base_offset, /*truncate_index=*/false));
  }
  ASSIGN_OR_RETURN(int64_t size, FileSize(active_log_.get(), active_path_));
  head_state_ = *state;
  if (size == state->end_position) return Status::OK();
  // Bytes beneath the head went missing: only the files can say where the log ends now.
  if (size < state->end_position) return Recover();
  // A writer died between its write(2) and its head update.
  return AdoptTail(state->end_position, state->next_offset);
}

Status PartitionWriter::AdoptTail(int64_t from_position, int64_t from_offset) {
  IndexCollector collector{options_.index_interval_bytes, head_state_.last_indexed_position, {}};
  SegmentScanOptions scan_options;
  scan_options.on_frame = [&](int64_t offset, int64_t position, size_t) {
    collector(offset, position);
  };
  ASSIGN_OR_RETURN(SegmentScan scan, ScanSegment(active_log_.get(), active_path_, from_position,
                                                 from_offset, scan_options));
  if (scan.stop != FrameStatus::kOk && ::ftruncate(active_log_.get(), scan.end_position) != 0) {
    return Status::FromErrno("cannot truncate the torn tail of " + active_path_, errno);
  }
  head_state_.end_position = scan.end_position;
  head_state_.next_offset = scan.next_offset;
  head_state_.last_indexed_position = collector.last_indexed;
  new_points_ = std::move(collector.points);
  AppendIndexPoints();
  return head_.Write(head_state_);
}

Status PartitionWriter::Recover() {
  ASSIGN_OR_RETURN(std::vector<int64_t> bases, ListSegmentBases(dir_));
  if (bases.empty()) bases.push_back(0);
  for (size_t segment_idx = 0; segment_idx + 1 < bases.size(); ++segment_idx) {
    RETURN_NOT_OK(RebuildIndexIfStale(bases[segment_idx]));
  }
  const int64_t base = bases.back();
  RETURN_NOT_OK(OpenActiveSegment(base, /*truncate_index=*/false));
  ASSIGN_OR_RETURN(const int64_t size, FileSize(active_log_.get(), active_path_));
  ASSIGN_OR_RETURN(std::optional<HeadState> state, head_.Read());
  const std::string index_path = IndexPath(dir_, base);
  ASSIGN_OR_RETURN(SegmentIndex index, SegmentIndex::Load(index_path, base));

  // Quick path: the head agrees with the file, so checking from the newest index entry on is
  // enough to trust the whole segment (it was written by writers that finished their appends).
  if (state && state->base_offset == base && state->end_position == size) {
    IndexPoint from{base, 0};
    if (!index.points().empty()) {
      const IndexPoint last = index.points().back();
      ASSIGN_OR_RETURN(bool matches, last.position < size
                                         ? FrameAtHasOffset(active_log_.get(), active_path_,
                                                            last.position, last.offset)
                                         : Result<bool>(false));
      if (matches) from = last;
    }
    const bool index_usable = from.position != 0 || index.points().empty();
    if (index_usable) {
      ASSIGN_OR_RETURN(SegmentScan scan, ScanSegment(active_log_.get(), active_path_, from.position,
                                                     from.offset, {}));
      if (scan.stop == FrameStatus::kOk && scan.end_position == size &&
          scan.next_offset == state->next_offset) {
        head_state_ = *state;
        head_state_.index_bytes = static_cast<int64_t>(index.file_bytes());
        head_state_.last_indexed_position = from.position;
        if (::ftruncate(active_index_.get(), head_state_.index_bytes) != 0) {
          return Status::FromErrno("cannot truncate " + index_path, errno);
        }
        return head_state_ == *state ? Status::OK() : head_.Write(head_state_);
      }
    }
  }

  // Full path: validate every frame of the active segment and rebuild its index.
  IndexCollector collector{options_.index_interval_bytes, 0, {}};
  SegmentScanOptions scan_options;
  scan_options.on_frame = [&](int64_t offset, int64_t position, size_t) {
    collector(offset, position);
  };
  ASSIGN_OR_RETURN(SegmentScan scan,
                   ScanSegment(active_log_.get(), active_path_, 0, base, scan_options));
  if (scan.end_position < size && ::ftruncate(active_log_.get(), scan.end_position) != 0) {
    return Status::FromErrno("cannot truncate the torn tail of " + active_path_, errno);
  }
  RETURN_NOT_OK(WriteIndexFile(index_path, base, collector.points));
  RETURN_NOT_OK(OpenActiveSegment(base, /*truncate_index=*/false));  // the index file was replaced
  head_state_ = HeadState{base, scan.end_position, scan.next_offset,
                          static_cast<int64_t>(collector.points.size() * kIndexEntryBytes),
                          collector.last_indexed};
  return head_.Write(head_state_);
}

Status PartitionWriter::RebuildIndexIfStale(int64_t base_offset) {
  const std::string log_path = SegmentPath(dir_, base_offset);
  const std::string index_path = IndexPath(dir_, base_offset);
  ASSIGN_OR_RETURN(UniqueFd log, OpenFile(log_path, O_RDONLY));
  ASSIGN_OR_RETURN(const int64_t size, FileSize(log.get(), log_path));
  ASSIGN_OR_RETURN(bool index_exists, PathExists(index_path));
  bool stale = !index_exists;
  if (!stale) {
    ASSIGN_OR_RETURN(SegmentIndex index, SegmentIndex::Load(index_path, base_offset));
    ASSIGN_OR_RETURN(UniqueFd index_fd, OpenFile(index_path, O_RDONLY));
    ASSIGN_OR_RETURN(const int64_t index_size, FileSize(index_fd.get(), index_path));
    if (static_cast<size_t>(index_size) != index.file_bytes()) {
      stale = true;  // garbage after the valid entries
    } else if (index.points().empty()) {
      stale = size > 2 * options_.index_interval_bytes;  // a segment this long has entries
    } else {
      const IndexPoint last = index.points().back();
      bool matches = false;
      if (last.position < size) {
        ASSIGN_OR_RETURN(matches,
                         FrameAtHasOffset(log.get(), log_path, last.position, last.offset));
      }
      stale = !matches;
    }
  }
  if (!stale) return Status::OK();

  IndexCollector collector{options_.index_interval_bytes, 0, {}};
  SegmentScanOptions scan_options;
  scan_options.verify_checksums = false;  // sealed segments were fsynced when they rolled
  scan_options.on_frame = [&](int64_t offset, int64_t position, size_t) {
    collector(offset, position);
  };
  ASSIGN_OR_RETURN(SegmentScan scan,
                   ScanSegment(log.get(), log_path, 0, base_offset, scan_options));
  (void)scan;  // a damaged sealed segment is reported to readers, who hit it; index what is good
  return WriteIndexFile(index_path, base_offset, collector.points);
}

Status PartitionWriter::OpenActiveSegment(int64_t base_offset, bool truncate_index) {
  std::string path = SegmentPath(dir_, base_offset);
  ASSIGN_OR_RETURN(bool exists, PathExists(path));
  ASSIGN_OR_RETURN(UniqueFd log, OpenFile(path, O_RDWR | O_CREAT));
  ASSIGN_OR_RETURN(UniqueFd index, OpenFile(IndexPath(dir_, base_offset),
                                            O_WRONLY | O_CREAT | (truncate_index ? O_TRUNC : 0)));
  // A new segment's name must survive power loss along with the data synced into it.
  if (!exists) RETURN_NOT_OK(SyncDir(dir_));
  active_base_ = base_offset;
  active_path_ = std::move(path);
  active_log_ = std::move(log);
  active_index_ = std::move(index);
  allocated_end_ = 0;
  return Status::OK();
}

}  // namespace sluice
