// Staged appends (exactly-once sinks): records written but not published stay invisible to
// readers; reopening brings the partition to a committed end, publishing committed frames a
// crashed writer left unpublished and cutting the rest, never cutting published records.

#include <gtest/gtest.h>

#include "storage/log/segment.h"
#include "tests/unit/storage/log_test_util.h"

namespace sluice {
namespace {

using testing::AppendAll;
using testing::NumberedRecords;
using testing::ReadUpTo;
using testing::ScratchDir;

class LogStagedAppendTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = testing::OpenSmallTestStore(dir_.path());
    ASSERT_NE(store_, nullptr);
  }
  std::unique_ptr<PartitionWriter> Staged(int64_t committed_end) {
    auto writer = store_->OpenStagedPartitionWriter("t", 0, committed_end);
    EXPECT_TRUE(writer.ok()) << writer.status().ToString();
    return writer.ok() ? std::move(writer).value() : nullptr;
  }
  int64_t End() { return store_->EndOffsets("t").value().at(0); }
  // The values readers see, from offset 0.
  std::vector<std::string> Visible() {
    auto reader = store_->OpenReader("t", 0, 0);
    EXPECT_TRUE(reader.ok());
    auto records = ReadUpTo(**reader, 10000);
    EXPECT_TRUE(records.ok());
    std::vector<std::string> values;
    for (const OwnedLogRecord& record : *records) values.push_back(*record.value);
    return values;
  }

  ScratchDir dir_;
  std::unique_ptr<LocalLogStore> store_;
};

TEST_F(LogStagedAppendTest, StagedRecordsAreInvisibleUntilPublished) {
  auto writer = Staged(-1);
  ASSERT_TRUE(AppendAll(*writer, NumberedRecords(0, 5)).ok());
  EXPECT_EQ(writer->staged_end_offset(), 5);
  EXPECT_EQ(End(), 0);
  EXPECT_TRUE(Visible().empty());
  ASSERT_TRUE(writer->Publish().ok());
  EXPECT_EQ(End(), 5);
  EXPECT_EQ(Visible().size(), 5u);
  // Staged appends continue after the published ones.
  int64_t first = -1;
  ASSERT_TRUE(AppendAll(*writer, NumberedRecords(5, 3), &first).ok());
  EXPECT_EQ(first, 5);
  EXPECT_EQ(End(), 5);
}

TEST_F(LogStagedAppendTest, ReopeningPublishesTheCommittedPartAndCutsTheRest) {
  {
    auto writer = Staged(-1);
    ASSERT_TRUE(AppendAll(*writer, NumberedRecords(0, 4)).ok());
    ASSERT_TRUE(writer->Publish().ok());
    ASSERT_TRUE(AppendAll(*writer, NumberedRecords(4, 6)).ok());
    // The process dies here: offsets 4..9 are in the file, unpublished; a commit said 7.
  }
  auto writer = Staged(7);
  EXPECT_EQ(End(), 7);
  EXPECT_EQ(writer->staged_end_offset(), 7);
  int64_t first = -1;
  ASSERT_TRUE(AppendAll(*writer, NumberedRecords(100, 1), &first).ok());
  EXPECT_EQ(first, 7);
  ASSERT_TRUE(writer->Publish().ok());
  std::vector<std::string> values = Visible();
  ASSERT_EQ(values.size(), 8u);
  EXPECT_EQ(values[6].substr(0, 7), "value-6");
  EXPECT_EQ(values[7].substr(0, 9), "value-100");
}

TEST_F(LogStagedAppendTest, AReaderNeverHandsOutCutRecordsItReadAhead) {
  auto reader = store_->OpenReader("t", 0, 0);
  ASSERT_TRUE(reader.ok());
  {
    auto writer = Staged(-1);
    ASSERT_TRUE(AppendAll(*writer, NumberedRecords(0, 4)).ok());
    ASSERT_TRUE(writer->Publish().ok());
    ASSERT_EQ(ReadUpTo(**reader, 100).value().size(), 4u);
    ASSERT_TRUE(AppendAll(*writer, NumberedRecords(4, 6)).ok());
    // The reader's read-ahead takes in the staged frames, and it hands out none of them.
    EXPECT_TRUE(ReadUpTo(**reader, 100).value().empty());
    // The process dies here, before a commit: offsets 4..9 are cut on reopening.
  }
  auto writer = Staged(4);
  // Other records at the same offsets, of other sizes (a rerun batches its output differently).
  ASSERT_TRUE(AppendAll(*writer, NumberedRecords(100, 3, 40)).ok());
  ASSERT_TRUE(AppendAll(*writer, NumberedRecords(103, 4, 10)).ok());
  ASSERT_TRUE(writer->Publish().ok());
  auto records = ReadUpTo(**reader, 100);
  ASSERT_TRUE(records.ok()) << records.status().ToString();
  ASSERT_EQ(records->size(), 7u);
  for (size_t record_idx = 0; record_idx < records->size(); ++record_idx) {
    EXPECT_EQ((*records)[record_idx].offset, static_cast<int64_t>(4 + record_idx));
    EXPECT_EQ((*records)[record_idx].value->substr(0, 9),
              "value-" + std::to_string(100 + record_idx));
  }
}

TEST_F(LogStagedAppendTest, WithoutACommitTheUnpublishedTailIsCut) {
  {
    auto writer = Staged(-1);
    ASSERT_TRUE(AppendAll(*writer, NumberedRecords(0, 3)).ok());
  }
  auto writer = Staged(-1);
  EXPECT_EQ(End(), 0);
  EXPECT_EQ(writer->staged_end_offset(), 0);
}

TEST_F(LogStagedAppendTest, PublishedRecordsAreNeverCut) {
  {
    auto writer = Staged(-1);
    ASSERT_TRUE(AppendAll(*writer, NumberedRecords(0, 5)).ok());
    ASSERT_TRUE(writer->Publish().ok());
    ASSERT_TRUE(AppendAll(*writer, NumberedRecords(5, 2)).ok());
  }
  // A commit behind the published end (e.g. another writer published): keep what is visible.
  auto writer = Staged(2);
  EXPECT_EQ(End(), 5);
  EXPECT_EQ(writer->staged_end_offset(), 5);
}

TEST_F(LogStagedAppendTest, AnotherWriterAdoptsStagedRecords) {
  auto staged = Staged(-1);
  ASSERT_TRUE(AppendAll(*staged, NumberedRecords(0, 3)).ok());
  auto plain = store_->OpenPartitionWriter("t", 0);
  ASSERT_TRUE(plain.ok());
  int64_t first = -1;
  ASSERT_TRUE(AppendAll(**plain, NumberedRecords(3, 1), &first).ok());
  EXPECT_EQ(first, 3);
  EXPECT_EQ(End(), 4);
  // The staged writer notices, publishes nothing twice, and appends after the others.
  ASSERT_TRUE(staged->Publish().ok());
  ASSERT_TRUE(AppendAll(*staged, NumberedRecords(4, 1), &first).ok());
  EXPECT_EQ(first, 4);
  ASSERT_TRUE(staged->Publish().ok());
  EXPECT_EQ(Visible().size(), 5u);
}

TEST_F(LogStagedAppendTest, StagedRecordsStayInOneSegmentUntilPublished) {
  auto writer = Staged(-1);
  // 4 KiB segments; 20 appends of ~100-byte records overflow one without rolling.
  for (int64_t idx = 0; idx < 20; ++idx) {
    ASSERT_TRUE(AppendAll(*writer, NumberedRecords(idx * 3, 3, 80)).ok());
  }
  EXPECT_EQ(End(), 0);
  EXPECT_EQ(ListSegmentBases(store_->TopicDir("t") + "/0").value().size(), 1u);
  ASSERT_TRUE(writer->Publish().ok());
  EXPECT_EQ(End(), 60);
  // The next append rolls, then publishing keeps everything readable in order.
  ASSERT_TRUE(AppendAll(*writer, NumberedRecords(60, 2, 80)).ok());
  ASSERT_TRUE(writer->Publish().ok());
  EXPECT_EQ(ListSegmentBases(store_->TopicDir("t") + "/0").value().size(), 2u);
  std::vector<std::string> values = Visible();
  ASSERT_EQ(values.size(), 62u);
  EXPECT_EQ(values[61].substr(0, 8), "value-61");
}

}  // namespace
}  // namespace sluice
