#pragma once
// The end offset ("high watermark") of a partition: the offset the next record will get, as far
// as complete, valid frames go. Cheap when the head agrees with the active segment; otherwise a
// checksummed scan of the unconfirmed tail. Needs no lock, so any process may ask.

#include <cstdint>
#include <string>

#include "common/status.h"

namespace sluice {

Result<int64_t> FindPartitionEnd(const std::string& partition_dir);

}  // namespace sluice
