// SegmentIndex::Load while a writer creates the index: a writer creates a segment's log before
// its index, so a reader can list a segment whose index does not exist yet, and it must take
// that as an empty index whatever the writer does meanwhile, not fail (as a stage-2 worker of a
// parallel query once did, opening a repartition topic stage 1 was starting to write).

#include "storage/log/segment_index.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <string>
#include <thread>

namespace sluice {
namespace {

TEST(SegmentIndexTest, AnIndexCreatedWhileLoadingReadsAsMissing) {
  std::string dir = (std::filesystem::temp_directory_path() / "sluice-index-XXXXXX").string();
  ASSERT_NE(mkdtemp(dir.data()), nullptr);
  const std::string path = dir + "/00000000000000000000.index";
  std::atomic<bool> stop{false};
  // The writer's side: the index appears (empty, as a new segment's) and goes again.
  std::thread writer([&]() {
    while (!stop.load()) {
      int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
      if (fd >= 0) ::close(fd);
      ::unlink(path.c_str());
    }
  });
  int failures = 0;
  std::string first_error;
  for (int attempt = 0; attempt < 20000; ++attempt) {
    Result<SegmentIndex> index = SegmentIndex::Load(path, 0);
    if (index.ok()) {
      EXPECT_TRUE(index->points().empty());
      continue;
    }
    if (failures++ == 0) first_error = index.status().ToString();
  }
  stop = true;
  writer.join();
  std::filesystem::remove_all(dir);
  EXPECT_EQ(failures, 0) << first_error;
}

}  // namespace
}  // namespace sluice
