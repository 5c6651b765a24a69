// FrameBatch: frames whose values are written in place (BeginValue/FinishValue) must be the very
// bytes EncodeFrame writes for the same record, mix with whole records (tombstones, headers) in
// one batch, and append through PartitionWriter::AppendFrames as readers expect them.

#include "storage/log/frame_batch.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "storage/log/record_format.h"
#include "tests/unit/storage/log_test_util.h"

namespace sluice {
namespace {

using testing::ReadUpTo;
using testing::ScratchDir;

// Appends `record` (no headers) to `frames` the in-place way, its value in two pieces.
Status AddInPlace(FrameBatch& frames, const LogRecord& record) {
  EncodeBuffer& value = record.key ? frames.BeginValue(record.timestamp, *record.key)
                                   : frames.BeginValue(record.timestamp);
  const std::string_view bytes = *record.value;
  value.Append(bytes.substr(0, bytes.size() / 2));
  value.Append(bytes.substr(bytes.size() / 2));
  return frames.FinishValue();
}

std::string FrameBytes(FrameBatch& frames, size_t frame_idx) {
  return std::string(frames.data() + frames.start(frame_idx),
                     frames.start(frame_idx + 1) - frames.start(frame_idx));
}

TEST(FrameBatchTest, InPlaceValuesMakeTheBytesEncodeFrameWrites) {
  const std::string long_value(5000, 'v');
  std::vector<LogRecord> records;
  for (std::optional<std::string_view> key :
       {std::optional<std::string_view>(), std::optional<std::string_view>(""),
        std::optional<std::string_view>("user-7")}) {
    for (std::string_view value :
         {std::string_view(), std::string_view("{\"a\":1}"), std::string_view(long_value)}) {
      LogRecord record;
      record.key = key;
      record.value = value;
      record.timestamp = -5 + static_cast<int64_t>(records.size()) * 1700000000000;
      records.push_back(record);
    }
  }
  FrameBatch in_place;
  for (const LogRecord& record : records) ASSERT_TRUE(AddInPlace(in_place, record).ok());
  ASSERT_EQ(in_place.size(), records.size());
  for (size_t record_idx = 0; record_idx < records.size(); ++record_idx) {
    std::string expected(EncodedFrameSize(records[record_idx]), '\0');
    EncodeFrame(records[record_idx], expected.data());
    ASSERT_EQ(FrameBytes(in_place, record_idx), expected) << record_idx;
  }
  // And each decodes back to its record once sealed.
  for (size_t record_idx = 0; record_idx < records.size(); ++record_idx) {
    char* frame = in_place.data() + in_place.start(record_idx);
    SealFrame(frame, 40 + static_cast<int64_t>(record_idx));
    LogRecordView view;
    size_t frame_bytes = 0;
    std::string why;
    ASSERT_EQ(DecodeFrame(frame, in_place.start(record_idx + 1) - in_place.start(record_idx), &view,
                          &frame_bytes, &why),
              FrameStatus::kOk)
        << why;
    EXPECT_EQ(view.offset, 40 + static_cast<int64_t>(record_idx));
    EXPECT_EQ(view.timestamp, records[record_idx].timestamp);
    EXPECT_EQ(view.key, records[record_idx].key);
    EXPECT_EQ(view.value, records[record_idx].value);
  }
}

TEST(FrameBatchTest, AppendFramesMixesInPlaceValuesTombstonesAndHeaders) {
  ScratchDir dir;
  std::unique_ptr<LocalLogStore> store = testing::OpenSmallTestStore(dir.path());
  ASSERT_NE(store, nullptr);
  auto writer = store->OpenPartitionWriter("t", 0);
  ASSERT_TRUE(writer.ok()) << writer.status().ToString();
  FrameBatch frames;
  const LogHeader headers[] = {{"trace", "abc"}};
  std::vector<std::string> values;
  for (int round = 0; round < 2; ++round) {  // the second round reuses the cleared batch
    frames.Clear();
    for (int record_idx = 0; record_idx < 30; ++record_idx) {
      values.push_back("{\"n\":" + std::to_string(values.size()) + "}");
      LogRecord record;
      record.key = "k" + std::to_string(record_idx % 3);
      record.timestamp = static_cast<int64_t>(values.size());
      if (record_idx % 10 == 4) {  // a tombstone
        ASSERT_TRUE(frames.Add(record).ok());
        values.back() = "";
        continue;
      }
      record.value = values.back();
      if (record_idx % 10 == 7) {  // with a header
        record.headers = headers;
        ASSERT_TRUE(frames.Add(record).ok());
        continue;
      }
      ASSERT_TRUE(AddInPlace(frames, record).ok());
    }
    auto first = (*writer)->AppendFrames(frames);
    ASSERT_TRUE(first.ok()) << first.status().ToString();
    EXPECT_EQ(*first, round * 30);
  }
  auto reader = store->OpenReader("t", 0, kLogEarliest);
  ASSERT_TRUE(reader.ok());
  auto read = ReadUpTo(**reader, 100);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  ASSERT_EQ(read->size(), 60u);
  for (size_t record_idx = 0; record_idx < read->size(); ++record_idx) {
    const OwnedLogRecord& record = (*read)[record_idx];
    EXPECT_EQ(record.offset, static_cast<int64_t>(record_idx));
    EXPECT_EQ(record.timestamp, static_cast<int64_t>(record_idx) + 1);
    EXPECT_EQ(record.key, "k" + std::to_string(record_idx % 30 % 3));
    if (record_idx % 10 == 4) {
      EXPECT_FALSE(record.value.has_value()) << record_idx;
    } else {
      EXPECT_EQ(record.value, values[record_idx]);
    }
    EXPECT_EQ(record.headers.size(), record_idx % 10 == 7 ? 1u : 0u);
  }
}

TEST(FrameBatchTest, ATooLargeValueIsRefusedAndLeavesTheBatchAsItWas) {
  FrameBatch frames;
  LogRecord small;
  small.value = "x";
  ASSERT_TRUE(AddInPlace(frames, small).ok());
  const std::string before = FrameBytes(frames, 0);
  EncodeBuffer& value = frames.BeginValue(0, std::string_view("key"));
  const std::string chunk(1 << 20, 'v');
  for (uint32_t chunk_idx = 0; chunk_idx <= (kMaxFrameBodyBytes >> 20); ++chunk_idx) {
    value.Append(chunk);
  }
  Status finished = frames.FinishValue();
  ASSERT_FALSE(finished.ok());
  EXPECT_NE(finished.message().find("record 1 of the batch is too large for the local log"),
            std::string::npos)
      << finished.ToString();
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(FrameBytes(frames, 0), before);
  ASSERT_TRUE(AddInPlace(frames, small).ok());  // the batch goes on after the refusal
  EXPECT_EQ(FrameBytes(frames, 1), before);
}

}  // namespace
}  // namespace sluice
