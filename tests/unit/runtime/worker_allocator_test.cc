// TuneWorkerAllocator: a worker's big blocks come from malloc's heap and stay there once freed,
// so allocating them again touches pages already faulted in. (gtest_discover_tests runs each
// test in a process of its own, so glibc's thresholds start from their defaults.)

#include "runtime/worker/worker_allocator.h"

#include <gtest/gtest.h>
#include <malloc.h>

#include <cstdlib>
#include <cstring>

namespace sluice {
namespace {

TEST(WorkerAllocatorTest, BigBlocksComeFromTheHeapAndStayAfterFree) {
  ASSERT_TRUE(TuneWorkerAllocator());
  const size_t block = 20u << 20;  // an encode buffer of a big window's slice, say
  static_assert(20u << 20 < kWorkerMmapThresholdBytes);
  const struct mallinfo2 before = ::mallinfo2();
  void* first = std::malloc(block);
  ASSERT_NE(first, nullptr);
  std::memset(first, 1, block);
  const struct mallinfo2 held = ::mallinfo2();
  // Not a mapping of its own (glibc's default would have mmapped a block this size).
  EXPECT_EQ(held.hblks, before.hblks);
  EXPECT_EQ(held.hblkhd, before.hblkhd);
  std::free(first);
  // Still the heap's after free (the default trims anything past 128 KiB at the top).
  const struct mallinfo2 freed = ::mallinfo2();
  EXPECT_GE(freed.fordblks, block);
}

}  // namespace
}  // namespace sluice
