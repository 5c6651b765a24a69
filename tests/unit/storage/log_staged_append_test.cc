// Staged appends (exactly-once sinks): records written but not published stay invisible to
// readers; reopening brings the partition to a committed end, publishing committed frames a
// crashed writer left unpublished and cutting the rest, never cutting published records; a reader
// never hands out cut frames it had read before the cut.

#include <gtest/gtest.h>

#include <chrono>

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

// Records `first`..`first + count - 1` keyed "k<i>" with value "<label>-<i>" padded to 16 bytes:
// two labels give records of equal size at equal offsets.
std::vector<testing::RecordData> Labelled(const std::string& label, int64_t first, int64_t count) {
  std::vector<testing::RecordData> data;
  for (int64_t i = first; i < first + count; ++i) {
    std::string value = label + "-" + std::to_string(i);
    value.resize(16, '.');
    data.push_back({"k" + std::to_string(i), value, 1000 + i, {}});
  }
  return data;
}

// A reader waiting at the published end has read a crashed writer's staged frames into its
// buffer; the restarted writer cuts them and publishes other records at the same offsets (a
// replay batches its input differently). The reader must hand out what was published, never the
// cut frames it still buffers (stage 2 of a repartitioned query counted a crashed stage-1
// worker's uncommitted rows, and missed the replay's rows at those offsets).
void ExpectReaderSeesReplacement(LocalLogStore& store, const std::vector<testing::RecordData>& cut,
                                 const std::vector<testing::RecordData>& replacement) {
  auto reader = store.OpenReader("t", 0, 0);
  ASSERT_TRUE(reader.ok());
  {
    auto writer = store.OpenStagedPartitionWriter("t", 0, -1);
    ASSERT_TRUE(writer.ok());
    ASSERT_TRUE(AppendAll(**writer, Labelled("kept", 0, 3)).ok());
    ASSERT_TRUE((*writer)->Publish().ok());
    ASSERT_TRUE(AppendAll(**writer, cut).ok());
    auto published = ReadUpTo(**reader, 100);
    ASSERT_TRUE(published.ok());
    ASSERT_EQ(published->size(), 3u);
    // The process dies: the staged frames stay in the file, unpublished, uncommitted.
  }
  auto writer = store.OpenStagedPartitionWriter("t", 0, 3);
  ASSERT_TRUE(writer.ok());
  ASSERT_TRUE(AppendAll(**writer, replacement).ok());
  ASSERT_TRUE((*writer)->Publish().ok());
  auto ready = (*reader)->WaitForData(std::chrono::milliseconds(100));
  ASSERT_TRUE(ready.ok());
  auto records = ReadUpTo(**reader, 100);
  ASSERT_TRUE(records.ok()) << records.status().ToString();
  ASSERT_EQ(records->size(), replacement.size());
  for (size_t idx = 0; idx < replacement.size(); ++idx) {
    EXPECT_EQ(*(*records)[idx].value, *replacement[idx].value) << "offset " << 3 + idx;
  }
}

TEST_F(LogStagedAppendTest, AReaderNeverHandsOutCutFramesItBuffered) {
  ExpectReaderSeesReplacement(*store_, Labelled("lost", 3, 4), Labelled("kept", 3, 4));
}

// Frames of another size: the buffered ones misalign the reader, which failed with "corrupt
// record" (a stage-2 worker, and so its query, failed that way in kafka_repartition_changelog).
TEST_F(LogStagedAppendTest, AReaderRereadsFramesOfAnotherSizeAtTheCutOffsets) {
  ExpectReaderSeesReplacement(*store_, Labelled("lost", 3, 2), NumberedRecords(3, 5, 40));
}

}  // namespace
}  // namespace sluice
