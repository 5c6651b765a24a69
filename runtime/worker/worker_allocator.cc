#include "runtime/worker/worker_allocator.h"

#include <malloc.h>

namespace sluice {

bool TuneWorkerAllocator() {
  // Setting either threshold also stops glibc from adjusting them as blocks are freed.
  const bool mmap_set = ::mallopt(M_MMAP_THRESHOLD, static_cast<int>(kWorkerMmapThresholdBytes));
  const bool trim_set = ::mallopt(M_TRIM_THRESHOLD, static_cast<int>(kWorkerTrimThresholdBytes));
  return mmap_set && trim_set;
}

}  // namespace sluice
