#pragma once
// Event-time progress of one source: per partition, the largest event time seen minus the allowed
// latency; the watermark is the minimum over partitions that are not idle. A partition that has
// seen nothing yet, or nothing for idle_timeout_ms of wall time, does not hold the watermark back
// (so one quiet partition cannot stall every window). The watermark never goes backwards.

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "common/batch.h"

namespace sluice {

class WatermarkTracker {
 public:
  static constexpr int64_t kNoWatermark = std::numeric_limits<int64_t>::min();
  using Clock = std::chrono::steady_clock;

  WatermarkTracker(int32_t partitions, int64_t allow_latency_ms, int64_t idle_timeout_ms);

  // Notes one row's event time.
  void Observe(const RecordMeta& meta, Clock::time_point now);
  // Recomputes the watermark at wall time `now` and returns it (kNoWatermark before any record).
  int64_t Update(Clock::time_point now = Clock::now());
  int64_t watermark() const { return watermark_; }
  // True when the idle timeout is set, some record was seen, and every partition has been silent
  // for it (a join then stops waiting for this side).
  bool Idle(Clock::time_point now) const;
  // Continues from a checkpointed watermark: records behind it stay late after a restart.
  void Restore(int64_t watermark) { watermark_ = std::max(watermark_, watermark); }
  // The largest event time seen per partition, as "partition:time" pairs joined by ',', for a
  // checkpoint; RestoreMaxima takes it back (each partition counting as seen at `now`). So a
  // restarted query's slow partition keeps holding the watermark back, as it did before.
  std::string SaveMaxima() const;
  void RestoreMaxima(std::string_view saved, Clock::time_point now = Clock::now());

 private:
  struct PartitionState {
    int64_t max_event_time = kNoWatermark;
    Clock::time_point last_seen{};
  };
  std::vector<PartitionState> partitions_;
  int64_t allow_latency_ms_;
  int64_t idle_timeout_ms_;
  int64_t watermark_ = kNoWatermark;
};

}  // namespace sluice
