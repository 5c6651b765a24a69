#include "storage/log/partition_end.h"

#include <fcntl.h>

#include <limits>

#include "storage/log/file_util.h"
#include "storage/log/partition_head.h"
#include "storage/log/segment.h"
#include "storage/log/segment_index.h"
#include "storage/log/segment_scanner.h"

namespace sluice {

Result<int64_t> FindPartitionEnd(const std::string& partition_dir) {
  ASSIGN_OR_RETURN(PartitionHead head, PartitionHead::OpenForReader(partition_dir));
  ASSIGN_OR_RETURN(std::optional<HeadState> state, head.Read());
  ASSIGN_OR_RETURN(std::vector<int64_t> bases, ListSegmentBases(partition_dir));
  if (bases.empty()) return state ? state->next_offset : 0;
  const int64_t base = bases.back();
  // A roll in progress: the head names a segment whose file is not created yet.
  if (state && state->base_offset > base) return state->next_offset;

  const std::string path = SegmentPath(partition_dir, base);
  ASSIGN_OR_RETURN(UniqueFd log, OpenFile(path, O_RDONLY));
  ASSIGN_OR_RETURN(const int64_t size, FileSize(log.get(), path));
  IndexPoint from{base, 0};
  if (state && state->base_offset == base && size >= state->end_position) {
    // Complete frames past the head are an append in progress, a failed one being truncated, or
    // a crashed writer's tail that the next writer adopts: none of them is published yet.
    return state->next_offset;
  } else {
    ASSIGN_OR_RETURN(SegmentIndex index, SegmentIndex::Load(IndexPath(partition_dir, base), base));
    const IndexPoint last = index.Floor(std::numeric_limits<int64_t>::max());
    if (last.position > 0 && last.position < size) {
      ASSIGN_OR_RETURN(bool matches, FrameAtHasOffset(log.get(), path, last.position, last.offset));
      if (matches) from = last;
    }
  }
  ASSIGN_OR_RETURN(SegmentScan scan, ScanSegment(log.get(), path, from.position, from.offset, {}));
  return scan.next_offset;
}

}  // namespace sluice
