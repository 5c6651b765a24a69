#pragma once
// The json-log mode's ceiling: how fast this process can merely read a topic's records from the
// local log and parse two fields of each with simdjson. A query over the same records cannot be
// faster than this, so its throughput is reported as a fraction of it.

#include <cstdint>
#include <string>

#include "common/status.h"

namespace sluice::bench {

struct JsonLimitResult {
  int64_t records = 0;
  double cpu_seconds = 0;  // user+sys of this process while reading (getrusage RUSAGE_SELF)
  double wall_seconds = 0;
  uint64_t checksum = 0;  // of the extracted values, so the parse cannot be skipped
};

// Reads every record of `topic` under `log_dir` in a fresh reader, extracting the integer fields
// `first` and `second` (in that order within each object) from each JSON value.
// REQUIRES: no other thread of this process is busy (RUSAGE_SELF counts them all).
Result<JsonLimitResult> MeasureJsonReadParse(const std::string& log_dir, const std::string& topic,
                                             const std::string& first, const std::string& second);

}  // namespace sluice::bench
