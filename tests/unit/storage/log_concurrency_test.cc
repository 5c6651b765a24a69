// Several writer processes appending to one partition at once, with a reader tailing it.

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <map>
#include <set>

#include "storage/log/segment.h"
#include "tests/unit/storage/log_test_util.h"

namespace sluice {
namespace {

using testing::ScratchDir;

constexpr int kWriters = 3;
constexpr int kBatches = 60;
constexpr int kBatchSize = 25;

LogOptions Options() {
  LogOptions options;
  options.segment_bytes = 32 * 1024;  // rolls race between the processes too
  options.index_interval_bytes = 512;
  return options;
}

// Runs in a forked child: its own store, its own writer, records "w<id>-<seq>".
int RunWriter(const std::string& root, int writer_id) {
  auto store = LocalLogStore::Open(root, Options());
  if (!store.ok()) return 10;
  auto writer = (*store)->OpenPartitionWriter("shared", 0);
  if (!writer.ok()) return 11;
  int seq = 0;
  for (int batch = 0; batch < kBatches; ++batch) {
    std::vector<std::string> keys;
    for (int i = 0; i < kBatchSize; ++i) {
      keys.push_back("w" + std::to_string(writer_id) + "-" + std::to_string(seq++));
    }
    std::vector<LogRecord> records;
    for (const std::string& key : keys) {
      LogRecord record;
      record.key = key;
      record.value = std::string_view("payload-payload-payload-payload-payload-payload");
      record.timestamp = batch;
      records.push_back(record);
    }
    Result<int64_t> first = (*writer)->Append(records);
    if (!first.ok()) return 12;
  }
  return (*writer)->Sync().ok() ? 0 : 13;
}

TEST(LogConcurrencyTest, WriterProcessesGetDenseUniqueOffsets) {
  ScratchDir dir;
  const std::string root = dir.path() + "/log";
  auto store = LocalLogStore::Open(root, Options());
  ASSERT_TRUE(store.ok());
  ASSERT_TRUE((*store)->CreateTopic("shared", 1).ok());
  auto tail = (*store)->OpenReader("shared", 0, kLogEarliest);
  ASSERT_TRUE(tail.ok());

  std::vector<pid_t> children;
  for (int writer_id = 0; writer_id < kWriters; ++writer_id) {
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) ::_exit(RunWriter(root, writer_id));
    children.push_back(pid);
  }

  // Tail the partition while the children write: offsets arrive dense and in order.
  const int64_t total = int64_t{kWriters} * kBatches * kBatchSize;
  std::map<int, int> next_seq;  // per writer: appends of one writer keep their order
  std::set<std::string> keys;
  std::vector<LogRecordView> views;
  int64_t expected_offset = 0;
  while (expected_offset < total) {
    Status polled = (*tail)->Poll(500, views);
    ASSERT_TRUE(polled.ok()) << polled.ToString();
    if (views.empty()) {
      Result<bool> more = (*tail)->WaitForData(std::chrono::milliseconds(5000));
      ASSERT_TRUE(more.ok());
      ASSERT_TRUE(*more) << "stalled at offset " << expected_offset;
      continue;
    }
    for (const LogRecordView& view : views) {
      ASSERT_EQ(view.offset, expected_offset);
      ++expected_offset;
      std::string key(*view.key);
      ASSERT_TRUE(keys.insert(key).second) << "duplicate " << key;
      const size_t dash = key.find('-');
      const int writer_id = std::stoi(key.substr(1, dash - 1));
      const int seq = std::stoi(key.substr(dash + 1));
      ASSERT_EQ(seq, next_seq[writer_id]) << key;
      next_seq[writer_id] = seq + 1;
    }
  }
  for (pid_t pid : children) {
    int wstatus = 0;
    ASSERT_EQ(::waitpid(pid, &wstatus, 0), pid);
    ASSERT_TRUE(WIFEXITED(wstatus));
    EXPECT_EQ(WEXITSTATUS(wstatus), 0);
  }
  EXPECT_EQ(static_cast<int64_t>(keys.size()), total);
  Result<std::vector<int64_t>> ends = (*store)->EndOffsets("shared");
  ASSERT_TRUE(ends.ok());
  EXPECT_EQ(ends->at(0), total);
  Result<std::vector<int64_t>> bases = ListSegmentBases((*store)->TopicDir("shared") + "/0");
  ASSERT_TRUE(bases.ok());
  EXPECT_GT(bases->size(), 5u);

  // A fresh reader agrees, and a new writer continues at the end.
  auto again = (*store)->ReadRecords("shared", 0, total - 10, 100);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->size(), 10u);
  auto writer = (*store)->OpenPartitionWriter("shared", 0);
  ASSERT_TRUE(writer.ok());
  LogRecord last;
  last.value = std::string_view("after");
  Result<int64_t> offset = (*writer)->Append(std::span<const LogRecord>(&last, 1));
  ASSERT_TRUE(offset.ok());
  EXPECT_EQ(*offset, total);
}

}  // namespace
}  // namespace sluice
