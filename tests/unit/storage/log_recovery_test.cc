// Crash recovery and corruption handling of the local log: torn tails, bad frames in the middle,
// readers meeting a record that is still being written.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "storage/log/record_format.h"
#include "storage/log/segment.h"
#include "tests/unit/storage/log_test_util.h"

namespace sluice {
namespace {

using testing::AppendAll;
using testing::NumberedRecords;
using testing::ReadUpTo;
using testing::ScratchDir;

class LogRecoveryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = testing::OpenSmallTestStore(dir_.path());
    ASSERT_NE(store_, nullptr);
  }
  std::unique_ptr<PartitionWriter> Writer() {
    auto writer = store_->OpenPartitionWriter("t", 0);
    EXPECT_TRUE(writer.ok()) << writer.status().ToString();
    return writer.ok() ? std::move(writer).value() : nullptr;
  }
  std::unique_ptr<PartitionReader> Reader(int64_t offset) {
    auto reader = store_->OpenReader("t", 0, offset);
    EXPECT_TRUE(reader.ok()) << reader.status().ToString();
    return reader.ok() ? std::move(reader).value() : nullptr;
  }
  std::string Partition() const { return store_->TopicDir("t") + "/0"; }
  std::string LastSegment() const {
    return SegmentPath(Partition(), ListSegmentBases(Partition()).value().back());
  }
  int64_t End() { return store_->EndOffsets("t").value().at(0); }

  ScratchDir dir_;
  std::unique_ptr<LocalLogStore> store_;
};

int64_t SizeOf(const std::string& path) {
  return static_cast<int64_t>(std::filesystem::file_size(path));
}

void WriteAt(const std::string& path, int64_t position, std::string_view bytes) {
  int fd = ::open(path.c_str(), O_WRONLY);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::pwrite(fd, bytes.data(), bytes.size(), position), static_cast<ssize_t>(bytes.size()));
  ::close(fd);
}

void AppendBytes(const std::string& path, std::string_view bytes) {
  WriteAt(path, SizeOf(path), bytes);
}

std::string Garbage(size_t size) {
  std::string bytes(size, '\0');
  uint32_t state = 12345;
  for (char& c : bytes) {
    state = state * 1103515245u + 12345u;
    c = static_cast<char>(state >> 16);
  }
  return bytes;
}

// The frame a writer would produce for record `i` of NumberedRecords at `offset`.
std::string FrameFor(int64_t i, int64_t offset) {
  std::vector<testing::RecordData> data = NumberedRecords(i, 1);
  testing::RecordBatch batch(data);
  const LogRecord& record = batch.records()[0];
  std::string frame(EncodedFrameSize(record), '\0');
  EncodeFrame(record, frame.data());
  SealFrame(frame.data(), offset);
  return frame;
}

TEST_F(LogRecoveryTest, TornTailIsTruncatedAndAppendsContinue) {
  {
    auto writer = Writer();
    ASSERT_TRUE(AppendAll(*writer, NumberedRecords(0, 10)).ok());
  }
  const std::string segment = LastSegment();
  const int64_t full = SizeOf(segment);
  const int64_t frame = static_cast<int64_t>(FrameFor(9, 9).size());
  // A crash mid-way through the last frame, then junk after it (a power loss can leave both).
  std::filesystem::resize_file(segment, full - frame / 2);
  AppendBytes(segment, Garbage(3000));

  auto writer = Writer();  // recovery runs here
  EXPECT_EQ(SizeOf(segment), full - frame);
  EXPECT_EQ(writer->cached_end_offset(), 9);
  int64_t first = -1;
  ASSERT_TRUE(AppendAll(*writer, NumberedRecords(100, 2), &first).ok());
  EXPECT_EQ(first, 9);

  auto reader = Reader(kLogEarliest);
  Result<std::vector<OwnedLogRecord>> read = ReadUpTo(*reader, 100);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  ASSERT_EQ(read->size(), 11u);
  for (int64_t i = 0; i < 9; ++i) EXPECT_EQ((*read)[i].key, "k" + std::to_string(i));
  EXPECT_EQ((*read)[9].key, "k100");
  EXPECT_EQ((*read)[10].key, "k101");
  EXPECT_EQ((*read)[10].offset, 10);
}

TEST_F(LogRecoveryTest, RunningWriterRepairsATailLeftByACrashedOne) {
  auto writer = Writer();
  ASSERT_TRUE(AppendAll(*writer, NumberedRecords(0, 5)).ok());
  // Another writer died after writing part of a frame: the head still says offset 5.
  const std::string torn = FrameFor(5, 5).substr(0, 20);
  AppendBytes(LastSegment(), torn);
  EXPECT_EQ(End(), 5);

  int64_t first = -1;
  ASSERT_TRUE(AppendAll(*writer, NumberedRecords(50, 3), &first).ok());
  EXPECT_EQ(first, 5);
  auto reader = Reader(kLogEarliest);
  Result<std::vector<OwnedLogRecord>> read = ReadUpTo(*reader, 100);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  ASSERT_EQ(read->size(), 8u);
  EXPECT_EQ((*read)[5].key, "k50");
  EXPECT_EQ((*read)[7].offset, 7);
}

TEST_F(LogRecoveryTest, CompleteFramesPastTheHeadAreKeptButPublishedOnlyByTheNextWriter) {
  auto writer = Writer();
  ASSERT_TRUE(AppendAll(*writer, NumberedRecords(0, 3)).ok());
  // A writer died after its write(2) but before it updated the head: the frames are whole but
  // were never published, so neither readers nor the end offset count them yet.
  AppendBytes(LastSegment(), FrameFor(3, 3) + FrameFor(4, 4));
  EXPECT_EQ(End(), 3);
  auto reader = Reader(kLogEarliest);
  Result<std::vector<OwnedLogRecord>> read = ReadUpTo(*reader, 100);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(read->size(), 3u);

  // The next writer to open the partition recovers them (they are valid) and publishes them.
  ASSERT_NE(Writer(), nullptr);
  EXPECT_EQ(End(), 5);
  read = ReadUpTo(*reader, 100);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(read->size(), 2u);
  int64_t first = -1;
  ASSERT_TRUE(AppendAll(*writer, NumberedRecords(10, 1), &first).ok());
  EXPECT_EQ(first, 5);
}

TEST_F(LogRecoveryTest, CorruptionInTheMiddleIsAStorageErrorNamingFileAndPosition) {
  auto writer = Writer();
  ASSERT_TRUE(AppendAll(*writer, NumberedRecords(10, 20)).ok());  // keys k10..k29, same length
  const std::string segment = LastSegment();
  const int64_t frame = static_cast<int64_t>(FrameFor(10, 0).size());
  ASSERT_EQ(SizeOf(segment), 20 * frame);        // equal-sized frames: record 7 starts at 7 * frame
  WriteAt(segment, 7 * frame + frame - 3, "X");  // inside record 7's value

  auto reader = Reader(kLogEarliest);
  std::vector<LogRecordView> views;
  std::vector<int64_t> seen;
  Status status;
  for (int attempt = 0; attempt < 10 && status.ok(); ++attempt) {
    status = reader->Poll(100, views);
    for (const LogRecordView& view : views) seen.push_back(view.offset);
  }
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.category(), ErrorCategory::kStorage);
  EXPECT_EQ(seen, (std::vector<int64_t>{0, 1, 2, 3, 4, 5, 6}));
  const std::string expected = "corrupt record in " + segment + " at byte position " +
                               std::to_string(7 * frame) +
                               " (expected offset 7): checksum mismatch";
  EXPECT_EQ(status.message(), expected);
  // The error is sticky: the reader does not skip the damage.
  EXPECT_FALSE(reader->Poll(100, views).ok());
}

TEST_F(LogRecoveryTest, CorruptionInASealedSegmentIsReported) {
  auto writer = Writer();
  for (int64_t batch = 0; batch < 6; ++batch) {
    ASSERT_TRUE(AppendAll(*writer, NumberedRecords(batch * 40, 40)).ok());
  }
  std::vector<int64_t> bases = ListSegmentBases(Partition()).value();
  ASSERT_GE(bases.size(), 2u);
  const std::string sealed = SegmentPath(Partition(), bases[0]);
  WriteAt(sealed, 0, std::string(4, '\x7f'));  // an absurd length in the first frame
  auto reader = Reader(kLogEarliest);
  std::vector<LogRecordView> views;
  Status status = reader->Poll(10, views);
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find(sealed + " at byte position 0"), std::string::npos)
      << status.message();
}

TEST_F(LogRecoveryTest, ReaderWaitsOnAPartialRecordUntilItIsComplete) {
  auto writer = Writer();
  ASSERT_TRUE(AppendAll(*writer, NumberedRecords(0, 3)).ok());
  auto reader = Reader(kLogEarliest);
  Result<std::vector<OwnedLogRecord>> read = ReadUpTo(*reader, 100);
  ASSERT_TRUE(read.ok());
  ASSERT_EQ(read->size(), 3u);

  const std::string frame = FrameFor(3, 3);
  const std::string segment = LastSegment();
  const int64_t at = SizeOf(segment);
  WriteAt(segment, at, frame.substr(0, 11));  // the length and part of the rest

  std::vector<LogRecordView> views;
  ASSERT_TRUE(reader->Poll(100, views).ok());
  EXPECT_TRUE(views.empty());
  EXPECT_EQ(reader->position(), 3);
  Result<bool> more = reader->WaitForData(std::chrono::milliseconds(20));
  ASSERT_TRUE(more.ok());
  EXPECT_FALSE(*more);  // the partial frame alone does not wake the reader again

  // Complete but not yet published by the head (the writer has not finished its append, or
  // it fails and truncates): readers must not hand it out.
  WriteAt(segment, at + 11, frame.substr(11));
  more = reader->WaitForData(std::chrono::milliseconds(1000));
  ASSERT_TRUE(more.ok());
  ASSERT_TRUE(reader->Poll(100, views).ok());
  EXPECT_TRUE(views.empty());
  EXPECT_EQ(reader->position(), 3);

  // The next writer to open the partition adopts the complete frame and publishes it.
  ASSERT_NE(Writer(), nullptr);
  more = reader->WaitForData(std::chrono::milliseconds(1000));
  ASSERT_TRUE(more.ok());
  EXPECT_TRUE(*more);
  ASSERT_TRUE(reader->Poll(100, views).ok());
  ASSERT_EQ(views.size(), 1u);
  EXPECT_EQ(views[0].offset, 3);
  EXPECT_EQ(*views[0].key, "k3");
  EXPECT_EQ(views[0].timestamp, 1003);
}

TEST_F(LogRecoveryTest, ReaderParkedOnATornTailContinuesAfterRecovery) {
  {
    auto writer = Writer();
    ASSERT_TRUE(AppendAll(*writer, NumberedRecords(0, 3)).ok());
  }
  auto reader = Reader(kLogEarliest);
  ASSERT_EQ(ReadUpTo(*reader, 100).value().size(), 3u);
  // A torn frame whose garbage makes it look complete: past the committed end, so the reader
  // treats it as not yet written rather than as corruption.
  AppendBytes(LastSegment(), FrameFor(3, 3).substr(0, 12) + Garbage(200));
  std::vector<LogRecordView> views;
  ASSERT_TRUE(reader->Poll(100, views).ok());
  EXPECT_TRUE(views.empty());

  auto writer = Writer();
  ASSERT_TRUE(AppendAll(*writer, NumberedRecords(30, 2)).ok());
  Result<std::vector<OwnedLogRecord>> read = ReadUpTo(*reader, 100);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  ASSERT_EQ(read->size(), 2u);
  EXPECT_EQ((*read)[0].offset, 3);
  EXPECT_EQ((*read)[0].key, "k30");
}

}  // namespace
}  // namespace sluice
