#pragma once
// Tuning knobs of the local log. Defaults suit production; tests shrink the sizes to exercise
// segment rolls and index lookups with little data.

#include <cstddef>
#include <cstdint>
#include <string>

#include "common/status.h"

namespace sluice {

struct LogOptions {
  // A segment rolls before an append would grow it past this size (a single record larger than
  // this still gets a segment of its own). At most 1 GiB, so index positions fit in 32 bits.
  int64_t segment_bytes = int64_t{64} << 20;
  // Bytes of frames between two sparse index entries: a seek reads at most about this much.
  int64_t index_interval_bytes = 4096;
  // Size of a reader's chunk reads; grows on demand for larger records. Half an L2 cache (AMD
  // EPYC: 512 KiB): the bytes a read copies in are still cached when the frames are checked and
  // decoded (1 MiB took ~20% more reader CPU in BM_LocalLogRead; 128 KiB as little as 256).
  size_t read_buffer_bytes = size_t{256} << 10;
};

inline Status ValidateLogOptions(const LogOptions& options) {
  if (options.segment_bytes < 1024 || options.segment_bytes > (int64_t{1} << 30)) {
    return Status::Storage("segment_bytes must be between 1 KiB and 1 GiB, got " +
                           std::to_string(options.segment_bytes));
  }
  if (options.index_interval_bytes < 64) {
    return Status::Storage("index_interval_bytes must be at least 64");
  }
  if (options.read_buffer_bytes < 4096) {
    return Status::Storage("read_buffer_bytes must be at least 4096");
  }
  return Status::OK();
}

}  // namespace sluice
