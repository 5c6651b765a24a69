#pragma once
// Where a partition's files live. A partition directory holds segments named by the offset of
// their first record (Kafka style, 20 digits, so names sort numerically):
//   00000000000000000000.log    frames
//   00000000000000000000.index  sparse offset -> position entries of that segment
//   append.lock                 the partition head (see partition_head.h)

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"

namespace sluice {

std::string SegmentPath(const std::string& partition_dir, int64_t base_offset);
std::string IndexPath(const std::string& partition_dir, int64_t base_offset);
std::string HeadPath(const std::string& partition_dir);

// Base offsets of the segments in `partition_dir`, ascending.
Result<std::vector<int64_t>> ListSegmentBases(const std::string& partition_dir);

}  // namespace sluice
