// The supervisor <-> worker wire protocol: message round trips, frames split anywhere, and the
// errors a confused peer must produce instead of a hang or a crash.

#include "runtime/worker/worker_protocol.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <string>
#include <vector>

namespace sluice {
namespace {

WorkerMessage RoundTrip(const WorkerMessage& message) {
  Result<WorkerMessage> decoded = DecodeWorkerMessage(EncodeWorkerMessage(message));
  EXPECT_TRUE(decoded.ok()) << decoded.status().ToString();
  return decoded.ok() ? *decoded : WorkerMessage(WorkerStopMessage{});
}

std::string Header(uint32_t length) {
  std::string header(4, '\0');
  header[0] = static_cast<char>(length >> 24);
  header[1] = static_cast<char>(length >> 16);
  header[2] = static_cast<char>(length >> 8);
  header[3] = static_cast<char>(length);
  return header;
}

TEST(WorkerProtocolTest, StartRoundTripKeepsPlanWithQuotesAndNewlines) {
  WorkerStartMessage start;
  start.query_id = 42;
  start.data_dir = "/var/lib/sluice dir";
  start.plan_json = "{\"source\":{\"topic\":\"a\\\"b\"},\n\"x\":[1,2]}";
  start.limits.memory_bytes = int64_t{3} << 30;
  start.limits.open_files = 256;
  start.limits.cpu_seconds = 60;
  start.worker_index = 2;
  start.worker_count = 3;
  start.restarted_alone = true;
  WorkerMessage decoded = RoundTrip(start);
  ASSERT_TRUE(std::holds_alternative<WorkerStartMessage>(decoded));
  const auto& got = std::get<WorkerStartMessage>(decoded);
  EXPECT_EQ(got.query_id, 42);
  EXPECT_EQ(got.data_dir, start.data_dir);
  EXPECT_EQ(got.plan_json, start.plan_json);
  EXPECT_EQ(got.limits.memory_bytes, start.limits.memory_bytes);
  EXPECT_EQ(got.limits.open_files, 256);
  EXPECT_EQ(got.limits.cpu_seconds, 60);
  EXPECT_EQ(got.worker_index, 2);
  EXPECT_EQ(got.worker_count, 3);
  EXPECT_TRUE(got.restarted_alone);
}

TEST(WorkerProtocolTest, StartWithoutWorkerFieldsIsTheOnlyWorkerAndBadOnesAreRejected) {
  const std::string head = R"({"type":"start","query_id":1,"data_dir":"/d","plan":"{}")";
  Result<WorkerMessage> plain = DecodeWorkerMessage(head + "}");
  ASSERT_TRUE(plain.ok()) << plain.status().ToString();
  EXPECT_EQ(std::get<WorkerStartMessage>(*plain).worker_index, 0);
  EXPECT_EQ(std::get<WorkerStartMessage>(*plain).worker_count, 1);
  EXPECT_FALSE(std::get<WorkerStartMessage>(*plain).restarted_alone);
  Result<WorkerMessage> beyond =
      DecodeWorkerMessage(head + R"(,"worker_index":3,"worker_count":3})");
  ASSERT_FALSE(beyond.ok());
  EXPECT_NE(beyond.status().message().find("worker_index 3 of 3 workers"), std::string::npos)
      << beyond.status().message();
  EXPECT_FALSE(DecodeWorkerMessage(head + R"(,"worker_index":-1,"worker_count":2})").ok());
}

TEST(WorkerProtocolTest, ProgressRoundTripKeepsPositionsPerTopic) {
  WorkerProgressMessage message;
  message.progress.records_in = 10;
  message.progress.records_out = 7;
  message.progress.records_failed = 3;
  message.progress.last_error = "bad JSON at shop.raw/0@5";
  message.progress.positions = {{"in", {4, 0, 9}}, {"other", {}}};
  message.progress.end_offsets = {{"in", {5, 0, 9}}};
  WorkerMessage decoded = RoundTrip(message);
  ASSERT_TRUE(std::holds_alternative<WorkerProgressMessage>(decoded));
  const QueryProgress& got = std::get<WorkerProgressMessage>(decoded).progress;
  EXPECT_EQ(got.records_in, 10);
  EXPECT_EQ(got.records_out, 7);
  EXPECT_EQ(got.records_failed, 3);
  EXPECT_EQ(got.last_error, message.progress.last_error);
  EXPECT_EQ(got.positions, message.progress.positions);
  EXPECT_EQ(got.end_offsets, message.progress.end_offsets);
}

// The state counters DESCRIBE QUERY shows ride in a "state" object: a progress without it (an
// older worker) reads as all zero, one with a non-integer counter is rejected.
TEST(WorkerProtocolTest, ProgressRoundTripKeepsStateCounters) {
  WorkerProgressMessage message;
  message.progress.state = {1, 2, 3, 4, 5, 6, 7, 8, 9};
  WorkerMessage decoded = RoundTrip(message);
  ASSERT_TRUE(std::holds_alternative<WorkerProgressMessage>(decoded));
  const StateCounters& got = std::get<WorkerProgressMessage>(decoded).progress.state;
  EXPECT_EQ(got.groups_evicted, 1);
  EXPECT_EQ(got.groups_read_back, 2);
  EXPECT_EQ(got.groups_expired, 3);
  EXPECT_EQ(got.cache_bytes_now, 4);
  EXPECT_EQ(got.spilled_rows_now, 5);
  EXPECT_EQ(got.spilled_bytes_now, 6);
  EXPECT_EQ(got.spill_chunks_read, 7);
  EXPECT_EQ(got.rows_evicted, 8);
  EXPECT_EQ(got.rows_read_back, 9);

  std::string payload = EncodeWorkerMessage(WorkerProgressMessage{});
  const size_t state = payload.find(R"("state":{)");
  ASSERT_NE(state, std::string::npos);
  std::string without = payload;
  without.erase(state, payload.find('}', state) + 2 - state);  // the object and its comma
  Result<WorkerMessage> old = DecodeWorkerMessage(without);
  ASSERT_TRUE(old.ok()) << old.status().ToString() << " in " << without;
  EXPECT_EQ(std::get<WorkerProgressMessage>(*old).progress.state.groups_evicted, 0);

  std::string bad = payload;
  const std::string field = R"("groups_evicted":0)";
  bad.replace(bad.find(field), field.size(), R"("groups_evicted":"many")");
  Result<WorkerMessage> rejected = DecodeWorkerMessage(bad);
  ASSERT_FALSE(rejected.ok());
  EXPECT_NE(rejected.status().message().find("groups_evicted"), std::string::npos);
}

TEST(WorkerProtocolTest, SmallMessagesRoundTripAndNameThemselves) {
  WorkerMessage started = RoundTrip(WorkerStartedMessage{1234, "no_new_privs, seccomp"});
  ASSERT_TRUE(std::holds_alternative<WorkerStartedMessage>(started));
  EXPECT_EQ(std::get<WorkerStartedMessage>(started).pid, 1234);
  EXPECT_EQ(std::get<WorkerStartedMessage>(started).protections, "no_new_privs, seccomp");

  WorkerMessage failed = RoundTrip(WorkerFailedMessage{"cast failed at in/0@17"});
  ASSERT_TRUE(std::holds_alternative<WorkerFailedMessage>(failed));
  EXPECT_EQ(std::get<WorkerFailedMessage>(failed).reason, "cast failed at in/0@17");
  EXPECT_FALSE(std::get<WorkerFailedMessage>(failed).retriable);
  WorkerMessage transient = RoundTrip(WorkerFailedMessage{"no broker answered", true});
  EXPECT_TRUE(std::get<WorkerFailedMessage>(transient).retriable);

  EXPECT_EQ(WorkerMessageName(RoundTrip(WorkerStopMessage{})), "stop");
  EXPECT_EQ(WorkerMessageName(RoundTrip(WorkerStoppedMessage{})), "stopped");
  EXPECT_EQ(WorkerMessageName(WorkerStartMessage{}), "start");
  EXPECT_EQ(WorkerMessageName(WorkerProgressMessage{}), "progress");
}

TEST(WorkerProtocolTest, PeakRssTravelsWithProgressStoppedAndFailed) {
  const int64_t peak = int64_t{21} << 20;
  WorkerProgressMessage progress;
  progress.progress.records_in = 3;
  progress.peak_rss_bytes = peak;
  WorkerMessage decoded = RoundTrip(progress);
  ASSERT_TRUE(std::holds_alternative<WorkerProgressMessage>(decoded));
  EXPECT_EQ(std::get<WorkerProgressMessage>(decoded).peak_rss_bytes, peak);
  EXPECT_EQ(std::get<WorkerProgressMessage>(decoded).progress.records_in, 3);

  decoded = RoundTrip(WorkerStoppedMessage{peak + 1});
  ASSERT_TRUE(std::holds_alternative<WorkerStoppedMessage>(decoded));
  EXPECT_EQ(std::get<WorkerStoppedMessage>(decoded).peak_rss_bytes, peak + 1);

  decoded = RoundTrip(WorkerFailedMessage{"boom", true, peak + 2});
  ASSERT_TRUE(std::holds_alternative<WorkerFailedMessage>(decoded));
  EXPECT_EQ(std::get<WorkerFailedMessage>(decoded).peak_rss_bytes, peak + 2);
  EXPECT_TRUE(std::get<WorkerFailedMessage>(decoded).retriable);
}

TEST(WorkerProtocolTest, PeakRssIsOptionalButMustBeAnInteger) {
  // An older worker sends no peak: 0, "unknown".
  Result<WorkerMessage> old = DecodeWorkerMessage(R"({"type":"stopped"})");
  ASSERT_TRUE(old.ok()) << old.status().ToString();
  EXPECT_EQ(std::get<WorkerStoppedMessage>(*old).peak_rss_bytes, 0);
  Result<WorkerMessage> bad = DecodeWorkerMessage(R"({"type":"stopped","peak_rss_bytes":"lots"})");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("peak_rss_bytes"), std::string::npos)
      << bad.status().ToString();
}

TEST(WorkerProtocolTest, WorkerPeakRssBytesIsThisProcessesHighWaterMark) {
  const int64_t before = WorkerPeakRssBytes();
  EXPECT_GT(before, 0);
  // Touch 64 MiB: the high-water mark must rise by about that much.
  const size_t size = size_t{64} << 20;
  std::vector<char> block(size, 1);
  for (size_t idx = 0; idx < size; idx += 4096) block[idx] = static_cast<char>(idx);
  const int64_t touched = WorkerPeakRssBytes();
  EXPECT_GE(touched, static_cast<int64_t>(size) / 2) << "before " << before;
  block = std::vector<char>();
  // Freed, the mark stays (the kernel's RSS counters are batched: allow a little slack).
  EXPECT_GE(WorkerPeakRssBytes(), touched - (int64_t{4} << 20));
}

TEST(WorkerProtocolTest, DecodeRejectsBadPayloads) {
  EXPECT_FALSE(DecodeWorkerMessage("not json").ok());
  EXPECT_FALSE(DecodeWorkerMessage("[1,2]").ok());
  Result<WorkerMessage> unknown = DecodeWorkerMessage(R"({"type":"explode"})");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("explode"), std::string::npos);
  EXPECT_FALSE(DecodeWorkerMessage(R"({"type":"started","pid":"x","protections":""})").ok());
  EXPECT_FALSE(DecodeWorkerMessage(R"({"type":"failed"})").ok());
}

TEST(WorkerProtocolTest, DecoderHandlesFramesSplitAtEveryByte) {
  std::string stream = FrameWorkerMessage(WorkerStartedMessage{7, "seccomp"}) +
                       FrameWorkerMessage(WorkerFailedMessage{"boom"}) +
                       FrameWorkerMessage(WorkerStoppedMessage{});
  WorkerFrameDecoder decoder;
  std::vector<std::string> names;
  for (char byte : stream) {
    decoder.Append(&byte, 1);
    while (true) {
      Result<std::optional<WorkerMessage>> next = decoder.Next();
      ASSERT_TRUE(next.ok()) << next.status().ToString();
      if (!next->has_value()) break;
      names.emplace_back(WorkerMessageName(**next));
    }
  }
  EXPECT_EQ(names, (std::vector<std::string>{"started", "failed", "stopped"}));
  EXPECT_EQ(decoder.buffered(), 0u);
}

TEST(WorkerProtocolTest, DecoderReportsTornFrameAsBufferedBytes) {
  std::string frame = FrameWorkerMessage(WorkerFailedMessage{"boom"});
  WorkerFrameDecoder decoder;
  decoder.Append(frame.data(), frame.size() - 3);
  Result<std::optional<WorkerMessage>> next = decoder.Next();
  ASSERT_TRUE(next.ok());
  EXPECT_FALSE(next->has_value());
  EXPECT_EQ(decoder.buffered(), frame.size() - 3);  // what the supervisor sees at end of file
}

TEST(WorkerProtocolTest, DecoderRejectsOversizedFrameBeforeBufferingIt) {
  WorkerFrameDecoder decoder;
  std::string header = Header(static_cast<uint32_t>(kMaxWorkerFrameBytes + 1));
  decoder.Append(header.data(), header.size());
  Result<std::optional<WorkerMessage>> next = decoder.Next();
  ASSERT_FALSE(next.ok());
  EXPECT_NE(next.status().message().find("exceeds the limit"), std::string::npos);
}

TEST(WorkerProtocolTest, DecoderRejectsGarbagePayload) {
  WorkerFrameDecoder decoder;
  std::string frame = Header(5) + "hello";
  decoder.Append(frame.data(), frame.size());
  EXPECT_FALSE(decoder.Next().ok());
}

class PipeTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(::pipe(fds_), 0); }
  void TearDown() override {
    CloseWriter();
    if (fds_[0] >= 0) ::close(fds_[0]);
  }
  void CloseWriter() {
    if (fds_[1] >= 0) ::close(fds_[1]);
    fds_[1] = -1;
  }
  void WriteRaw(const std::string& bytes) {
    ASSERT_EQ(::write(fds_[1], bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
  }
  int fds_[2] = {-1, -1};
};

TEST_F(PipeTest, ReadAfterWriteThenCleanEndOfFile) {
  ASSERT_TRUE(WriteWorkerMessage(fds_[1], WorkerFailedMessage{"x"}).ok());
  CloseWriter();
  Result<std::optional<WorkerMessage>> first = ReadWorkerMessage(fds_[0]);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  ASSERT_TRUE(first->has_value());
  EXPECT_EQ(std::get<WorkerFailedMessage>(**first).reason, "x");
  Result<std::optional<WorkerMessage>> end = ReadWorkerMessage(fds_[0]);
  ASSERT_TRUE(end.ok());
  EXPECT_FALSE(end->has_value());
}

TEST_F(PipeTest, EndOfFileInsideFrameIsAnError) {
  std::string frame = FrameWorkerMessage(WorkerFailedMessage{"boom"});
  WriteRaw(frame.substr(0, frame.size() - 1));
  CloseWriter();
  Result<std::optional<WorkerMessage>> torn = ReadWorkerMessage(fds_[0]);
  ASSERT_FALSE(torn.ok());
  EXPECT_NE(torn.status().message().find("end of file inside a frame"), std::string::npos);
}

TEST_F(PipeTest, EndOfFileInsideHeaderIsAnError) {
  WriteRaw(std::string(2, '\0'));
  CloseWriter();
  EXPECT_FALSE(ReadWorkerMessage(fds_[0]).ok());
}

TEST_F(PipeTest, OversizedFrameIsAnError) {
  WriteRaw(Header(0xffffffffu));
  CloseWriter();
  Result<std::optional<WorkerMessage>> big = ReadWorkerMessage(fds_[0]);
  ASSERT_FALSE(big.ok());
  EXPECT_NE(big.status().message().find("exceeds the limit"), std::string::npos);
}

}  // namespace
}  // namespace sluice
