// An append that fails part-way (EFBIG under RLIMIT_FSIZE, which behaves like a full disk) must
// report a STORAGE error and leave nothing of itself readable: readers in other processes see
// exactly the records of the appends that succeeded.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "storage/log/partition_end.h"
#include "tests/unit/storage/log_test_util.h"

namespace sluice {
namespace {

using testing::AppendAll;
using testing::NumberedRecords;
using testing::ReadUpTo;
using testing::ScratchDir;

constexpr int64_t kCommitted = 20;

// Runs in a forked child: a good append, then one that crosses the file size limit.
// Exit codes: 0 = the second append failed with STORAGE as it should; others = what went wrong.
int AppendPastTheLimit(const std::string& log_dir) {
  ::signal(SIGXFSZ, SIG_IGN);  // as sluice does: EFBIG instead of death
  rlimit limit{16384, 16384};
  if (::setrlimit(RLIMIT_FSIZE, &limit) != 0) return 10;
  auto store = LocalLogStore::Open(log_dir, LogOptions());
  if (!store.ok()) return 11;
  auto writer = (*store)->OpenPartitionWriter("t", 0);
  if (!writer.ok()) return 12;
  if (!AppendAll(**writer, NumberedRecords(0, kCommitted, 100)).ok()) return 13;
  Status failed = AppendAll(**writer, NumberedRecords(kCommitted, 1000, 100));
  if (failed.ok()) return 14;
  if (failed.category() != ErrorCategory::kStorage) return 15;
  return 0;
}

TEST(LogFileSizeLimitTest, FailedAppendLeavesNoReadableRecords) {
  ScratchDir dir;
  const std::string log_dir = dir.path() + "/log";
  {
    auto store = LocalLogStore::Open(log_dir, LogOptions());
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    ASSERT_TRUE((*store)->CreateTopic("t", 1).ok());
  }
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) ::_exit(AppendPastTheLimit(log_dir));
  int wait_status = 0;
  ASSERT_EQ(::waitpid(child, &wait_status, 0), child);
  ASSERT_TRUE(WIFEXITED(wait_status));
  ASSERT_EQ(WEXITSTATUS(wait_status), 0);

  auto store = LocalLogStore::Open(log_dir, LogOptions());
  ASSERT_TRUE(store.ok());
  auto end = FindPartitionEnd(log_dir + "/topics/t/0");
  ASSERT_TRUE(end.ok()) << end.status().ToString();
  EXPECT_EQ(*end, kCommitted);
  auto reader = (*store)->OpenReader("t", 0, 0);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  auto records = ReadUpTo(**reader, 2000);
  ASSERT_TRUE(records.ok()) << records.status().ToString();
  EXPECT_EQ(records->size(), static_cast<size_t>(kCommitted));

  // The next writer (no limit now) continues right after the good records.
  auto writer = (*store)->OpenPartitionWriter("t", 0);
  ASSERT_TRUE(writer.ok());
  int64_t first = -1;
  ASSERT_TRUE(AppendAll(**writer, NumberedRecords(100, 5), &first).ok());
  EXPECT_EQ(first, kCommitted);
}

}  // namespace
}  // namespace sluice
