// Topic management of the local store and its whole-topic helpers.

#include "storage/log/local_log_store.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "storage/log/partitioner.h"
#include "tests/unit/storage/log_test_util.h"

namespace sluice {
namespace {

using testing::NumberedRecords;
using testing::RecordBatch;
using testing::ScratchDir;

class LocalLogStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = LocalLogStore::Open(dir_.path() + "/log");
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
  }
  ScratchDir dir_;
  std::unique_ptr<LocalLogStore> store_;
};

TEST_F(LocalLogStoreTest, CreateListDescribeDelete) {
  ASSERT_TRUE(store_->CreateTopic("pageviews", 4).ok());
  ASSERT_TRUE(store_->CreateTopic("users", 1).ok());
  EXPECT_TRUE(store_->CreateTopic("pageviews", 4).ok());  // idempotent

  Status mismatch = store_->CreateTopic("pageviews", 2);
  EXPECT_EQ(mismatch.category(), ErrorCategory::kStorage);
  EXPECT_EQ(mismatch.message(), "topic \"pageviews\" already exists with 4 partitions, not 2");

  EXPECT_TRUE(store_->TopicExists("pageviews").value());
  EXPECT_FALSE(store_->TopicExists("orders").value());
  Result<TopicInfo> info = store_->GetTopicInfo("pageviews");
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->partitions, 4);
  EXPECT_EQ(store_->ListTopics().value(), (std::vector<std::string>{"pageviews", "users"}));
  EXPECT_EQ(store_->EndOffsets("pageviews").value(), (std::vector<int64_t>{0, 0, 0, 0}));

  ASSERT_TRUE(store_->DeleteTopic("pageviews").ok());
  EXPECT_FALSE(store_->TopicExists("pageviews").value());
  EXPECT_EQ(store_->ListTopics().value(), std::vector<std::string>{"users"});
  Status missing = store_->DeleteTopic("pageviews");
  EXPECT_EQ(missing.message(), "topic \"pageviews\" does not exist in the local store");
  EXPECT_EQ(store_->GetTopicInfo("pageviews").status().message(),
            "topic \"pageviews\" does not exist in the local store");

  // Recreated with another partition count, it starts empty.
  ASSERT_TRUE(store_->CreateTopic("pageviews", 2).ok());
  EXPECT_EQ(store_->EndOffsets("pageviews").value(), (std::vector<int64_t>{0, 0}));
}

TEST_F(LocalLogStoreTest, RejectsBadNamesAndCounts) {
  Status bad_name = store_->CreateTopic("no/slashes", 1);
  EXPECT_EQ(bad_name.category(), ErrorCategory::kStorage);
  EXPECT_NE(bad_name.message().find("invalid character"), std::string::npos);
  EXPECT_FALSE(store_->CreateTopic("..", 1).ok());
  EXPECT_FALSE(store_->TopicExists("../etc").ok());
  Status zero = store_->CreateTopic("t", 0);
  EXPECT_EQ(zero.message(), "topic \"t\": partition count must be between 1 and 10000, got 0");
  ASSERT_TRUE(store_->CreateTopic("t", 2).ok());
  Result<std::unique_ptr<PartitionReader>> reader = store_->OpenReader("t", 2, 0);
  EXPECT_EQ(reader.status().message(), "topic \"t\" has no partition 2 (it has 2)");
}

TEST_F(LocalLogStoreTest, TopicWriterRoutesByPartitionAndEndOffsetsFollow) {
  ASSERT_TRUE(store_->CreateTopic("orders", 3).ok());
  Result<std::unique_ptr<TopicWriter>> writer = store_->OpenTopicWriter("orders");
  ASSERT_TRUE(writer.ok());
  std::vector<int64_t> expected(3, 0);
  std::vector<testing::RecordData> data = NumberedRecords(0, 30);
  for (const testing::RecordData& record : data) {
    const int32_t partition = PartitionForKey(*record.key, 3);
    const std::vector<testing::RecordData> single = {record};
    RecordBatch one(single);  // borrows from `single`
    Result<int64_t> offset = (*writer)->Append(partition, one.records());
    ASSERT_TRUE(offset.ok());
    EXPECT_EQ(*offset, expected[partition]++);
  }
  ASSERT_TRUE((*writer)->Sync().ok());
  EXPECT_EQ(store_->EndOffsets("orders").value(), expected);
  EXPECT_FALSE((*writer)->Append(3, {}).ok());

  // ReadRecords (PRINT TOPIC) copies from an offset up to the current end.
  for (int32_t partition = 0; partition < 3; ++partition) {
    Result<std::vector<OwnedLogRecord>> records = store_->ReadRecords("orders", partition, 0, 100);
    ASSERT_TRUE(records.ok());
    ASSERT_EQ(static_cast<int64_t>(records->size()), expected[partition]);
    for (const OwnedLogRecord& record : *records) {
      EXPECT_EQ(PartitionForKey(*record.key, 3), partition);
    }
  }
  Result<std::vector<OwnedLogRecord>> limited = store_->ReadRecords("orders", 0, 1, 2);
  ASSERT_TRUE(limited.ok());
  ASSERT_EQ(limited->size(), std::min<size_t>(2, static_cast<size_t>(expected[0] - 1)));
  EXPECT_EQ(limited->front().offset, 1);
}

TEST_F(LocalLogStoreTest, ConcurrentCreatorsAgree) {
  // Two store objects (as two processes would have) creating the same topic.
  auto other = LocalLogStore::Open(dir_.path() + "/log");
  ASSERT_TRUE(other.ok());
  ASSERT_TRUE(store_->CreateTopic("same", 2).ok());
  EXPECT_TRUE((*other)->CreateTopic("same", 2).ok());
  EXPECT_FALSE((*other)->CreateTopic("same", 3).ok());
}

TEST_F(LocalLogStoreTest, RemovesStagingLeftOverByDeadProcesses) {
  namespace fs = std::filesystem;
  const std::string staging = dir_.path() + "/log/staging/";
  // pid 2^22 + 1 is above Linux's pid_max limit, so no process can have it.
  const std::string dead = staging + "my.topic.create.4194305.0.123";
  const std::string alive = staging + "t.create." + std::to_string(::getpid()) + ".0.123";
  ASSERT_TRUE(fs::create_directories(dead + "/0"));
  ASSERT_TRUE(fs::create_directories(alive));
  ASSERT_TRUE(store_->RemoveAbandonedStaging().ok());
  EXPECT_FALSE(fs::exists(dead));
  EXPECT_TRUE(fs::exists(alive));
}

}  // namespace
}  // namespace sluice
