#pragma once
// How a worker's malloc hands memory back to the kernel. glibc's defaults serve big blocks
// (from 128 KiB, a little more after each free) with their own mmap and return free memory at
// the top of a heap past 128 KiB, so a worker that keeps allocating and freeing batch buffers,
// hash table arrays and encode buffers of a few MiB pays a fresh page fault (a zeroed 4 KiB page)
// for every page of every such block again and again. A worker is one query's process: it keeps
// up to kWorkerTrimThresholdBytes of freed memory for reuse instead.

#include <cstddef>

namespace sluice {

// Blocks below this come from malloc's heaps (reused after free) rather than their own mmap.
inline constexpr size_t kWorkerMmapThresholdBytes = 32u << 20;
// Free memory at the top of a heap is returned to the kernel only past this much.
inline constexpr size_t kWorkerTrimThresholdBytes = 64u << 20;

// Sets both thresholds. Returns false if malloc refused one.
// REQUIRES: called before the worker starts threads (they read the settings as they allocate).
bool TuneWorkerAllocator();

}  // namespace sluice
