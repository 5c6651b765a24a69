// WatermarkTracker: the minimum over partitions, and its per-partition maxima saved and restored
// with a checkpoint, so a partition that was behind still holds the watermark back afterwards.

#include "runtime/pipeline/watermark_tracker.h"

#include <gtest/gtest.h>

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

TEST(WatermarkTrackerTest, NothingSeenSavesNothing) {
  WatermarkTracker tracker(2, 0, 0);
  EXPECT_EQ(tracker.SaveMaxima(), "");
  tracker.RestoreMaxima("");
  EXPECT_EQ(tracker.Update(), WatermarkTracker::kNoWatermark);
}

}  // namespace
}  // namespace sluice
