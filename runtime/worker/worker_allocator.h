#pragma once
// How a worker's malloc gets memory from the kernel and hands it back. glibc's defaults serve big
// blocks (from 128 KiB, a little more after each free) with their own mmap and return free memory
// at the top of a heap past 128 KiB, so a worker that keeps allocating and freeing batch buffers,
// hash table arrays and encode buffers of a few MiB pays a fresh page fault (a zeroed 4 KiB page)
// for every page of every such block again and again. A worker is one query's process: it keeps
// up to kWorkerTrimThresholdBytes of freed memory for reuse instead. And a page fault is dear on
// a virtual machine (a few microseconds per 4 KiB page, which made a tenth of a window or join
// worker's CPU time): where the kernel gives transparent huge pages on request ('madvise' mode),
// the worker's heap asks for them, one fault per 2 MiB.

#include <cstddef>

namespace sluice {

// Blocks below this come from malloc's heaps (reused after free) rather than their own mmap.
inline constexpr size_t kWorkerMmapThresholdBytes = 32u << 20;
// Free memory at the top of a heap is returned to the kernel only past this much.
inline constexpr size_t kWorkerTrimThresholdBytes = 64u << 20;

// The environment a worker is started with, its only entry (credentials in the engine's
// environment never reach a worker): glibc's malloc tunables, read before main() runs. hugetlb=1
// has malloc align its heap's growth to huge pages and madvise(MADV_HUGEPAGE) it; one arena puts
// every thread's blocks on that heap (a per-thread arena grows a page at a time, never in whole
// huge pages). A worker's few threads seldom allocate at once.
inline constexpr const char* kWorkerMallocTunables =
    "GLIBC_TUNABLES=glibc.malloc.hugetlb=1:glibc.malloc.arena_max=1";

// Sets both thresholds. Returns false if malloc refused one.
// REQUIRES: called before the worker starts threads (they read the settings as they allocate).
bool TuneWorkerAllocator();

}  // namespace sluice
