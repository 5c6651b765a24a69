// Append/read round trips, seeks across segments and index maintenance of the local log.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "storage/log/segment.h"
#include "storage/log/segment_index.h"
#include "tests/unit/storage/log_test_util.h"

namespace sluice {
namespace {

using testing::AppendAll;
using testing::NumberedRecords;
using testing::ReadUpTo;
using testing::RecordBatch;
using testing::RecordData;
using testing::ScratchDir;

class PartitionLogTest : public ::testing::Test {
 protected:
  void OpenStore(LogOptions options = {}) {
    Result<std::unique_ptr<LocalLogStore>> store =
        LocalLogStore::Open(dir_.path() + "/log", options);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
    Status created = store_->CreateTopic("events", 1);
    ASSERT_TRUE(created.ok()) << created.ToString();
  }
  std::unique_ptr<PartitionWriter> Writer() {
    auto writer = store_->OpenPartitionWriter("events", 0);
    EXPECT_TRUE(writer.ok()) << writer.status().ToString();
    return writer.ok() ? std::move(writer).value() : nullptr;
  }
  std::unique_ptr<PartitionReader> Reader(int64_t offset) {
    auto reader = store_->OpenReader("events", 0, offset);
    EXPECT_TRUE(reader.ok()) << reader.status().ToString();
    return reader.ok() ? std::move(reader).value() : nullptr;
  }
  std::string PartitionPath() const { return store_->TopicDir("events") + "/0"; }

  ScratchDir dir_;
  std::unique_ptr<LocalLogStore> store_;
};

LogOptions SmallSegments() {
  LogOptions options;
  options.segment_bytes = 4096;
  options.index_interval_bytes = 256;
  options.read_buffer_bytes = 4096;
  return options;
}

TEST_F(PartitionLogTest, RoundTripKeepsKeysValuesTombstonesAndHeaders) {
  OpenStore();
  std::string binary("a\0b\xff", 4);
  std::vector<RecordData> data = {
      {"user-1", R"({"page":"home"})", 1700000000000, {{"trace", "abc"}, {"empty", ""}}},
      {"user-1", std::nullopt, 1700000000001, {}},  // tombstone
      {"", "empty key", -5, {}},                    // an empty key is not an absent key
      {std::nullopt, "keyless", 0, {{"", binary}}},
      {binary, "", 7, {}},  // empty value is not a tombstone
  };
  auto writer = Writer();
  int64_t first = -1;
  ASSERT_TRUE(AppendAll(*writer, data, &first).ok());
  EXPECT_EQ(first, 0);

  auto reader = Reader(kLogEarliest);
  Result<std::vector<OwnedLogRecord>> read = ReadUpTo(*reader, 10);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  ASSERT_EQ(read->size(), data.size());
  for (size_t record_idx = 0; record_idx < data.size(); ++record_idx) {
    const OwnedLogRecord& got = (*read)[record_idx];
    EXPECT_EQ(got.offset, static_cast<int64_t>(record_idx));
    EXPECT_EQ(got.key, data[record_idx].key);
    EXPECT_EQ(got.value, data[record_idx].value);
    EXPECT_EQ(got.timestamp, data[record_idx].timestamp);
    EXPECT_EQ(got.headers, data[record_idx].headers);
  }
  EXPECT_FALSE((*read)[1].value.has_value());
  ASSERT_TRUE((*read)[2].key.has_value());
  EXPECT_TRUE((*read)[2].key->empty());
  EXPECT_FALSE((*read)[3].key.has_value());
  EXPECT_EQ(reader->position(), 5);
}

TEST_F(PartitionLogTest, OffsetsAreDenseAcrossAppends) {
  OpenStore();
  auto writer = Writer();
  int64_t first = -1;
  ASSERT_TRUE(AppendAll(*writer, NumberedRecords(0, 3), &first).ok());
  EXPECT_EQ(first, 0);
  ASSERT_TRUE(AppendAll(*writer, NumberedRecords(3, 4), &first).ok());
  EXPECT_EQ(first, 3);
  Result<int64_t> empty = writer->Append({});
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(*empty, 7);
  ASSERT_TRUE(writer->Sync().ok());
  Result<std::vector<int64_t>> ends = store_->EndOffsets("events");
  ASSERT_TRUE(ends.ok());
  EXPECT_EQ(*ends, std::vector<int64_t>{7});
}

TEST_F(PartitionLogTest, SeeksToAnyOffsetAcrossSegments) {
  OpenStore(SmallSegments());
  auto writer = Writer();
  for (int64_t batch = 0; batch < 20; ++batch) {
    ASSERT_TRUE(AppendAll(*writer, NumberedRecords(batch * 50, 50, 40)).ok());
  }
  Result<std::vector<int64_t>> bases = ListSegmentBases(PartitionPath());
  ASSERT_TRUE(bases.ok());
  ASSERT_GT(bases->size(), 10u);  // 1000 records of ~80 bytes in 4 KiB segments

  std::vector<int64_t> targets = {0, 1, 333, 999, 1000};
  for (int64_t base : *bases) {
    targets.push_back(base);
    if (base > 0) targets.push_back(base - 1);
  }
  for (int64_t target : targets) {
    auto reader = Reader(target);
    ASSERT_NE(reader, nullptr) << target;
    EXPECT_EQ(reader->position(), target);
    Result<std::vector<OwnedLogRecord>> read = ReadUpTo(*reader, 3, 1);
    ASSERT_TRUE(read.ok()) << read.status().ToString();
    const size_t expected = static_cast<size_t>(std::min<int64_t>(3, 1000 - target));
    ASSERT_EQ(read->size(), expected) << "from offset " << target;
    for (size_t i = 0; i < read->size(); ++i) {
      const int64_t offset = target + static_cast<int64_t>(i);
      EXPECT_EQ((*read)[i].offset, offset);
      EXPECT_EQ((*read)[i].key, "k" + std::to_string(offset));
    }
  }

  // One reader from the start crosses every roll and sees every record once, in order.
  auto reader = Reader(kLogEarliest);
  Result<std::vector<OwnedLogRecord>> all = ReadUpTo(*reader, 5000, 64);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  ASSERT_EQ(all->size(), 1000u);
  for (size_t i = 0; i < all->size(); ++i) EXPECT_EQ((*all)[i].offset, static_cast<int64_t>(i));

  Result<std::unique_ptr<PartitionReader>> beyond = store_->OpenReader("events", 0, 1001);
  ASSERT_FALSE(beyond.ok());
  EXPECT_NE(beyond.status().message().find("beyond the end"), std::string::npos)
      << beyond.status().message();
}

TEST_F(PartitionLogTest, LatestReaderSeesOnlyNewRecordsAndFollowsRolls) {
  OpenStore(SmallSegments());
  auto writer = Writer();
  ASSERT_TRUE(AppendAll(*writer, NumberedRecords(0, 10)).ok());
  auto reader = Reader(kLogLatest);
  EXPECT_EQ(reader->position(), 10);
  std::vector<LogRecordView> views;
  ASSERT_TRUE(reader->Poll(100, views).ok());
  EXPECT_TRUE(views.empty());
  Result<bool> waited = reader->WaitForData(std::chrono::milliseconds(5));
  ASSERT_TRUE(waited.ok());
  EXPECT_FALSE(*waited);

  // Enough to roll several segments while the reader sits at the end.
  for (int64_t batch = 0; batch < 10; ++batch) {
    ASSERT_TRUE(AppendAll(*writer, NumberedRecords(10 + batch * 30, 30, 60)).ok());
  }
  waited = reader->WaitForData(std::chrono::milliseconds(1000));
  ASSERT_TRUE(waited.ok());
  EXPECT_TRUE(*waited);
  Result<std::vector<OwnedLogRecord>> read = ReadUpTo(*reader, 1000, 7);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  ASSERT_EQ(read->size(), 300u);
  EXPECT_EQ(read->front().offset, 10);
  EXPECT_EQ(read->back().offset, 309);
  EXPECT_EQ(read->back().key, "k309");
}

TEST_F(PartitionLogTest, RecordLargerThanASegmentGetsItsOwn) {
  OpenStore(SmallSegments());
  auto writer = Writer();
  std::vector<RecordData> data = NumberedRecords(0, 3);
  data[1].value = std::string(20000, 'v');  // 5x the segment size, and the read buffer
  ASSERT_TRUE(AppendAll(*writer, data).ok());
  auto reader = Reader(kLogEarliest);
  Result<std::vector<OwnedLogRecord>> read = ReadUpTo(*reader, 10);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  ASSERT_EQ(read->size(), 3u);
  EXPECT_EQ((*read)[1].value, data[1].value);
  EXPECT_EQ((*read)[2].key, "k2");
  auto at_two = Reader(2);
  EXPECT_EQ(at_two->position(), 2);
}

// Bytes the file system has allocated to `path`, and its size.
std::pair<int64_t, int64_t> AllocatedAndSize(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return {static_cast<int64_t>(st.st_blocks) * 512, static_cast<int64_t>(st.st_size)};
}

TEST_F(PartitionLogTest, BlocksAreReservedAheadOfTheSizeAndReleasedAtTheRoll) {
  LogOptions options;
  options.segment_bytes = 1 << 20;
  OpenStore(options);
  {
    // Reservation is an optimization the file system may not offer.
    const std::string probe = dir_.path() + "/probe";
    UniqueFd fd(::open(probe.c_str(), O_RDWR | O_CREAT, 0644));
    if (::fallocate(fd.get(), FALLOC_FL_KEEP_SIZE, 0, 4096) != 0) {
      GTEST_SKIP() << "no fallocate here";
    }
  }
  auto writer = Writer();
  ASSERT_TRUE(AppendAll(*writer, NumberedRecords(0, 200, 1000)).ok());
  const std::string first_segment = SegmentPath(PartitionPath(), 0);
  auto [allocated, size] = AllocatedAndSize(first_segment);
  EXPECT_GT(size, 200 * 1000);
  EXPECT_LT(size, 200 * 1100);
  EXPECT_GE(allocated, size + (int64_t{64} << 10));  // reserved ahead, the size unchanged

  // Past 1 MiB the segment rolls: the sealed one keeps only its own blocks.
  for (int64_t batch = 1; batch < 8; ++batch) {
    ASSERT_TRUE(AppendAll(*writer, NumberedRecords(batch * 200, 200, 1000)).ok());
  }
  Result<std::vector<int64_t>> bases = ListSegmentBases(PartitionPath());
  ASSERT_TRUE(bases.ok());
  ASSERT_GE(bases->size(), 2u);
  std::tie(allocated, size) = AllocatedAndSize(first_segment);
  EXPECT_LE(size, options.segment_bytes);
  EXPECT_LT(allocated, size + 4096);

  // Readers and a recovering writer see every record and nothing of the reserved space.
  writer.reset();
  auto reopened = Writer();
  ASSERT_NE(reopened, nullptr);
  Result<int64_t> end = reopened->Append({});
  ASSERT_TRUE(end.ok());
  EXPECT_EQ(*end, 1600);
  auto reader = Reader(kLogEarliest);
  Result<std::vector<OwnedLogRecord>> read = ReadUpTo(*reader, 2000);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  ASSERT_EQ(read->size(), 1600u);
  EXPECT_EQ(read->back().key, "k1599");
}

TEST_F(PartitionLogTest, PollViewsStayValidUntilTheNextPoll) {
  OpenStore(SmallSegments());  // 4 KiB read buffer: a poll must not move records it handed out
  auto writer = Writer();
  ASSERT_TRUE(AppendAll(*writer, NumberedRecords(0, 500, 50)).ok());
  auto reader = Reader(kLogEarliest);
  std::vector<LogRecordView> views;
  int64_t expected = 0;
  while (expected < 500) {
    ASSERT_TRUE(reader->Poll(1000, views).ok());
    ASSERT_FALSE(views.empty());
    for (const LogRecordView& view : views) {
      ASSERT_EQ(view.offset, expected);
      ASSERT_EQ(*view.key, "k" + std::to_string(expected));
      ++expected;
    }
  }
}

TEST_F(PartitionLogTest, IndexIsRebuiltWhenDeletedOrDamaged) {
  OpenStore(SmallSegments());
  {
    auto writer = Writer();
    for (int64_t batch = 0; batch < 10; ++batch) {
      ASSERT_TRUE(AppendAll(*writer, NumberedRecords(batch * 40, 40, 40)).ok());
    }
  }
  Result<std::vector<int64_t>> bases = ListSegmentBases(PartitionPath());
  ASSERT_TRUE(bases.ok());
  ASSERT_GE(bases->size(), 3u);
  const int64_t sealed = (*bases)[1];
  const int64_t active = bases->back();
  const std::string sealed_index = IndexPath(PartitionPath(), sealed);
  const std::string active_index = IndexPath(PartitionPath(), active);
  const std::string damaged_index = IndexPath(PartitionPath(), (*bases)[0]);
  Result<SegmentIndex> before = SegmentIndex::Load(sealed_index, sealed);
  ASSERT_TRUE(before.ok());
  ASSERT_FALSE(before->points().empty());

  ASSERT_TRUE(std::filesystem::remove(sealed_index));
  ASSERT_TRUE(std::filesystem::remove(active_index));
  {
    // Entries pointing at the wrong positions.
    std::ofstream out(damaged_index, std::ios::binary | std::ios::trunc);
    const uint32_t garbage[4] = {1, 7, 2, 9};
    out.write(reinterpret_cast<const char*>(garbage), sizeof(garbage));
  }

  // Readers cope without the index (they scan from the segment start) ...
  auto reader = Reader(sealed + 5);
  Result<std::vector<OwnedLogRecord>> read = ReadUpTo(*reader, 1);
  ASSERT_TRUE(read.ok() && read->size() == 1u);
  EXPECT_EQ(read->front().offset, sealed + 5);
  auto from_damaged = Reader(3);
  read = ReadUpTo(*from_damaged, 1);
  ASSERT_TRUE(read.ok() && read->size() == 1u);
  EXPECT_EQ(read->front().key, "k3");

  // ... and opening a writer rebuilds them.
  auto writer = Writer();
  ASSERT_NE(writer, nullptr);
  Result<SegmentIndex> rebuilt = SegmentIndex::Load(sealed_index, sealed);
  ASSERT_TRUE(rebuilt.ok());
  ASSERT_EQ(rebuilt->points().size(), before->points().size());
  for (size_t i = 0; i < rebuilt->points().size(); ++i) {
    EXPECT_EQ(rebuilt->points()[i].offset, before->points()[i].offset);
    EXPECT_EQ(rebuilt->points()[i].position, before->points()[i].position);
  }
  EXPECT_TRUE(std::filesystem::exists(active_index));
  Result<SegmentIndex> repaired = SegmentIndex::Load(damaged_index, (*bases)[0]);
  ASSERT_TRUE(repaired.ok());
  ASSERT_FALSE(repaired->points().empty());
  EXPECT_GT(repaired->points().front().position, 200);  // a real entry, not the garbage

  // New appends keep extending the rebuilt active index.
  ASSERT_TRUE(AppendAll(*writer, NumberedRecords(400, 40, 40)).ok());
  auto tail_reader = Reader(430);
  read = ReadUpTo(*tail_reader, 1);
  ASSERT_TRUE(read.ok() && read->size() == 1u);
  EXPECT_EQ(read->front().key, "k430");
}

}  // namespace
}  // namespace sluice
