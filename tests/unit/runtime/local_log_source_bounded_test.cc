// 'ending.position'='latest' in the local log source: a bounded read stops at each partition's
// fixed end (given in the spec, or the log's end when the source opens), never returns a record
// appended after it, and reports itself exhausted there, so the pipeline ends and closes its
// windows. A resume (Seek) keeps the same end. The same end as of opening tells which partitions
// still hold records from before the start (unread_at_start), bounded or not.

#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <filesystem>

#include "runtime/connector/local_log_source.h"

namespace sluice {
namespace {

class LocalLogSourceBoundedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/sluice_bounded_source_XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    dir_ = pattern;
    Result<std::unique_ptr<LocalLogStore>> store = LocalLogStore::Open(dir_);
    ASSERT_TRUE(store.ok());
    store_ = std::move(*store);
    ASSERT_TRUE(store_->CreateTopic("t", 2).ok());
    spec_.relation = "db.s.t";
    spec_.topic = "t";
    spec_.partitions = 2;
    spec_.relation_schema = Schema({Field{"v", DataType::Bigint()}});
    spec_.columns = {0};
    spec_.end_at_latest = true;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Appends {"v": value} for each value to `partition`.
  void Append(int32_t partition, const std::vector<int64_t>& values) {
    Result<std::unique_ptr<PartitionWriter>> writer = store_->OpenPartitionWriter("t", partition);
    ASSERT_TRUE(writer.ok()) << writer.status().message();
    std::vector<std::string> texts;
    for (int64_t value : values) texts.push_back("{\"v\":" + std::to_string(value) + "}");
    std::vector<LogRecord> records;
    for (const std::string& text : texts) records.push_back(LogRecord{std::nullopt, text, 0, {}});
    ASSERT_TRUE((*writer)->Append(records).ok());
  }

  // Every value the source returns until it is exhausted (or 100 polls found nothing).
  std::vector<int64_t> ReadAll(LocalLogSource& source) {
    std::vector<int64_t> values;
    for (int empty_polls = 0; !source.exhausted() && empty_polls < 100;) {
      RecordBatch batch(source_schema());
      EXPECT_TRUE(source.Poll(2, batch).ok());
      if (batch.num_rows() == 0) ++empty_polls;
      for (size_t row = 0; row < batch.num_rows(); ++row) {
        values.push_back(batch.column(0).GetInt64(row));
      }
    }
    std::sort(values.begin(), values.end());
    return values;
  }

  Schema source_schema() const { return spec_.batch_schema(); }

  std::string dir_;
  std::unique_ptr<LocalLogStore> store_;
  SourceSpec spec_;
};

TEST_F(LocalLogSourceBoundedTest, UnreadAtStartFollowsTheEndAsOfOpening) {
  spec_.end_at_latest = false;
  Append(0, {1, 2});
  Result<std::unique_ptr<LocalLogSource>> source = LocalLogSource::Open(spec_, dir_);
  ASSERT_TRUE(source.ok()) << source.status().message();
  const std::vector<uint8_t>* unread = (*source)->unread_at_start();
  ASSERT_NE(unread, nullptr);
  EXPECT_EQ(*unread, (std::vector<uint8_t>{1, 0}));  // partition 1 was empty
  Append(1, {3});                                    // written after the start: holds nothing back
  EXPECT_EQ(*unread, (std::vector<uint8_t>{1, 0}));
  RecordBatch batch(source_schema());
  ASSERT_TRUE((*source)->Poll(2, batch).ok());
  EXPECT_EQ(batch.num_rows(), 2u);
  EXPECT_EQ(*unread, (std::vector<uint8_t>{0, 0}));
  // Resuming before the end as of opening: unread again.
  ASSERT_TRUE((*source)->Seek({1, 0}).ok());
  EXPECT_EQ(*unread, (std::vector<uint8_t>{1, 0}));
  // A repartition topic's partitions are not the source's: it says nothing.
  spec_.repartitioned = true;
  Result<std::unique_ptr<LocalLogSource>> repartitioned = LocalLogSource::Open(spec_, dir_);
  ASSERT_TRUE(repartitioned.ok()) << repartitioned.status().message();
  EXPECT_EQ((*repartitioned)->unread_at_start(), nullptr);
}

TEST_F(LocalLogSourceBoundedTest, StopsAtTheEndAsOfOpening) {
  Append(0, {1, 2, 3});
  Append(1, {4});
  Result<std::unique_ptr<LocalLogSource>> source = LocalLogSource::Open(spec_, dir_);
  ASSERT_TRUE(source.ok()) << source.status().message();
  EXPECT_FALSE((*source)->exhausted());
  Append(0, {5});
  Append(1, {6});
  EXPECT_EQ(ReadAll(**source), (std::vector<int64_t>{1, 2, 3, 4}));
  EXPECT_TRUE((*source)->exhausted());
  EXPECT_EQ((*source)->positions(), (std::vector<int64_t>{3, 1}));
}

TEST_F(LocalLogSourceBoundedTest, PinnedEndsHoldAcrossAResume) {
  Append(0, {1, 2, 3});
  Append(1, {4, 5});
  spec_.end_offsets = {2, 1};  // pinned when the query was created
  Result<std::unique_ptr<LocalLogSource>> source = LocalLogSource::Open(spec_, dir_);
  ASSERT_TRUE(source.ok()) << source.status().message();
  EXPECT_EQ(ReadAll(**source), (std::vector<int64_t>{1, 2, 4}));

  // A restarted worker resumes from its checkpoint and still stops at the pinned ends.
  Result<std::unique_ptr<LocalLogSource>> resumed = LocalLogSource::Open(spec_, dir_);
  ASSERT_TRUE(resumed.ok());
  ASSERT_TRUE((*resumed)->Seek({1, 0}).ok());
  EXPECT_EQ(ReadAll(**resumed), (std::vector<int64_t>{2, 4}));
}

TEST_F(LocalLogSourceBoundedTest, AnEmptyTopicIsExhaustedAtOnce) {
  Result<std::unique_ptr<LocalLogSource>> source = LocalLogSource::Open(spec_, dir_);
  ASSERT_TRUE(source.ok());
  EXPECT_TRUE((*source)->exhausted());
  spec_.end_at_latest = false;
  Result<std::unique_ptr<LocalLogSource>> unbounded = LocalLogSource::Open(spec_, dir_);
  ASSERT_TRUE(unbounded.ok());
  EXPECT_FALSE((*unbounded)->exhausted());
}

TEST_F(LocalLogSourceBoundedTest, PinnedEndsMustCoverEveryPartition) {
  spec_.end_offsets = {0};
  Result<std::unique_ptr<LocalLogSource>> source = LocalLogSource::Open(spec_, dir_);
  ASSERT_FALSE(source.ok());
  EXPECT_NE(source.status().message().find("covers 1 partitions of topic 't', which has 2"),
            std::string::npos)
      << source.status().message();
}

}  // namespace
}  // namespace sluice
