// WatermarkTracker: the minimum over partitions, and its per-partition maxima saved and restored
// with a checkpoint, so a partition that was behind still holds the watermark back afterwards;
// partitions held at the start (unread records, a stage-1 writer's start mark) until they show a
// record, are read past their records, or go idle.

#include "runtime/pipeline/watermark_tracker.h"

#include <gtest/gtest.h>

#include <chrono>
#include <vector>

namespace sluice {
namespace {

RecordMeta At(int32_t partition, int64_t timestamp) {
  RecordMeta meta;
  meta.partition = partition;
  meta.timestamp = timestamp;
  return meta;
}

TEST(WatermarkTrackerTest, RestoredMaximaKeepASlowPartitionHoldingBack) {
  const auto now = WatermarkTracker::Clock::now();
  WatermarkTracker before(3, 100, 0);
  before.Observe(At(0, 5000), now);
  before.Observe(At(2, 1000), now);
  EXPECT_EQ(before.Update(now), 900);
  const std::string saved = before.SaveMaxima();
  EXPECT_EQ(saved, "0:5000,2:1000");

  // Without the maxima, a restarted tracker would let partition 0 alone move it to 7900.
  WatermarkTracker forgetful(3, 100, 0);
  forgetful.Restore(900);
  forgetful.Observe(At(0, 8000), now);
  EXPECT_EQ(forgetful.Update(now), 7900);

  WatermarkTracker restored(3, 100, 0);
  restored.Restore(900);
  restored.RestoreMaxima(saved, now);
  restored.Observe(At(0, 8000), now);
  EXPECT_EQ(restored.Update(now), 900);  // partition 2 is still at 1000
  restored.Observe(At(2, 3000), now);
  EXPECT_EQ(restored.Update(now), 2900);
  EXPECT_EQ(restored.SaveMaxima(), "0:8000,2:3000");
}

// ObserveAndUpdate skips the recomputation for a row behind its partition's maximum: the
// watermarks it returns are Observe-then-Update's, row by row, for rows out of order over
// partitions that appear as they go, with and without an idle timeout, and with a held
// partition that a row releases.
TEST(WatermarkTrackerTest, ObserveAndUpdateGivesObserveThenUpdatesWatermarks) {
  for (int64_t idle_timeout_ms : {int64_t{0}, int64_t{1}}) {
    auto now = WatermarkTracker::Clock::now();
    WatermarkTracker reference(2, 10, idle_timeout_ms);
    WatermarkTracker tracker(2, 10, idle_timeout_ms);
    const std::vector<uint8_t> unread = {0, 0, 1};
    reference.HoldUnread(unread, now);
    tracker.HoldUnread(unread, now);
    EXPECT_EQ(tracker.Update(now), reference.Update(now));
    uint64_t state = 99;
    for (int row = 0; row < 2000; ++row) {
      state = state * 6364136223846793005ULL + 1442695040888963407ULL;
      const auto partition = static_cast<int32_t>((state >> 40) % 4);  // 3 appears as it goes
      const int64_t time = row * 3 - static_cast<int64_t>((state >> 20) % 50);
      if (row % 500 == 499) now += std::chrono::milliseconds(2);  // a later batch
      EXPECT_EQ(tracker.ObserveAndUpdate(At(partition, time), now),
                (reference.Observe(At(partition, time), now), reference.Update(now)))
          << "row " << row << ", idle timeout " << idle_timeout_ms;
    }
    EXPECT_EQ(tracker.SaveMaxima(), reference.SaveMaxima());
  }
}

TEST(WatermarkTrackerTest, NothingSeenSavesNothing) {
  WatermarkTracker tracker(2, 0, 0);
  EXPECT_EQ(tracker.SaveMaxima(), "");
  tracker.RestoreMaxima("");
  EXPECT_EQ(tracker.Update(), WatermarkTracker::kNoWatermark);
}

TEST(WatermarkTrackerTest, UnreadPartitionHoldsUntilItShowsARecord) {
  const auto now = WatermarkTracker::Clock::now();
  WatermarkTracker tracker(3, 0, 0);
  // Partitions 0 and 1 had records when the source opened; partition 2 was empty.
  const std::vector<uint8_t> unread = {1, 1, 0};
  tracker.HoldUnread(unread, now);
  tracker.Observe(At(0, 20000), now);
  EXPECT_EQ(tracker.Update(now), WatermarkTracker::kNoWatermark);  // 1 has shown nothing yet
  tracker.Observe(At(1, 1000), now);
  EXPECT_EQ(tracker.Update(now), 1000);
  tracker.Observe(At(1, 30000), now);
  EXPECT_EQ(tracker.Update(now), 20000);  // the empty partition 2 holds nothing back

  // Without the hold, partition 0 alone moves it.
  WatermarkTracker unheld(3, 0, 0);
  unheld.Observe(At(0, 20000), now);
  EXPECT_EQ(unheld.Update(now), 20000);
}

TEST(WatermarkTrackerTest, HeldPartitionReleasedWhenReadPastWithoutRecords) {
  const auto now = WatermarkTracker::Clock::now();
  WatermarkTracker tracker(2, 0, 0);
  std::vector<uint8_t> unread = {0, 1};
  tracker.HoldUnread(unread, now);
  tracker.Observe(At(0, 5000), now);
  tracker.ReleaseRead(unread);
  EXPECT_EQ(tracker.Update(now), WatermarkTracker::kNoWatermark);
  unread[1] = 0;  // its records were all tombstones or undecodable
  tracker.ReleaseRead(unread);
  EXPECT_EQ(tracker.Update(now), 5000);
}

TEST(WatermarkTrackerTest, HeldPartitionStopsHoldingWhenIdle) {
  using std::chrono::milliseconds;
  const auto start = WatermarkTracker::Clock::now();
  WatermarkTracker tracker(2, 0, /*idle_timeout_ms=*/1000);
  tracker.HoldUnread({0, 1}, start);
  tracker.Observe(At(0, 5000), start + milliseconds(900));
  EXPECT_EQ(tracker.Update(start + milliseconds(900)), WatermarkTracker::kNoWatermark);
  EXPECT_EQ(tracker.Update(start + milliseconds(1000)), 5000);
}

TEST(WatermarkTrackerTest, RestoredMaximaKeepTheirPartitionsUnheld) {
  const auto now = WatermarkTracker::Clock::now();
  WatermarkTracker tracker(2, 0, 0);
  tracker.RestoreMaxima("1:3000", now);
  tracker.HoldUnread({1, 1}, now);  // 1 holds at its event time, 0 until its first record
  tracker.Observe(At(1, 9000), now);
  EXPECT_EQ(tracker.Update(now), WatermarkTracker::kNoWatermark);
  tracker.Observe(At(0, 4000), now);
  EXPECT_EQ(tracker.Update(now), 4000);
}

TEST(WatermarkTrackerTest, StageTwoWaitsForEveryWritersStartMark) {
  const auto now = WatermarkTracker::Clock::now();
  auto signal = [](int32_t partition, int64_t time) { return At(partition, time); };
  WatermarkTracker tracker(4, 0, 0);
  tracker.ExpectWriters(2);
  // Writer 0 held source partition 0 and started; its rows move nothing while writer 1 has not.
  tracker.Observe(signal(0, WatermarkTracker::kHeldTime), now);
  tracker.Observe(signal(0, WatermarkTracker::kWriterStartTime), now);
  tracker.Observe(At(0, 20000), now);
  EXPECT_EQ(tracker.Update(now), WatermarkTracker::kNoWatermark);
  // Writer 1 held partitions 1 and 3: 1 shows a record, 3 is released without one.
  tracker.Observe(signal(1, WatermarkTracker::kHeldTime), now);
  tracker.Observe(signal(3, WatermarkTracker::kHeldTime), now);
  tracker.Observe(signal(1, WatermarkTracker::kWriterStartTime), now);
  tracker.Observe(At(1, 2000), now);
  EXPECT_EQ(tracker.Update(now), WatermarkTracker::kNoWatermark);
  const std::string saved = tracker.SaveMaxima();
  tracker.Observe(signal(3, WatermarkTracker::kNoWatermark), now);
  EXPECT_EQ(tracker.Update(now), 2000);

  // A stage-2 worker restarted alone keeps partition 3 held.
  WatermarkTracker restored(4, 0, 0);
  restored.RestoreMaxima(saved, now);
  EXPECT_EQ(restored.Update(now), WatermarkTracker::kNoWatermark);
  restored.Observe(At(3, 7000), now);
  EXPECT_EQ(restored.Update(now), 2000);
}

}  // namespace
}  // namespace sluice
