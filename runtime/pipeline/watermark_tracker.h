#pragma once
// Event-time progress of one source: per partition, the largest event time seen minus the allowed
// latency; the watermark is the minimum over partitions that are not idle. A partition that has
// seen nothing yet, or nothing for idle_timeout_ms of wall time, does not hold the watermark back
// (so one quiet partition cannot stall every window), except one held at the worker's start: it
// still had records written before the source opened (HoldUnread), or a repartition topic's
// writer said so (kHeldTime). It holds the watermark where it is until it shows a record, is
// read past those records without one, or goes idle. The watermark never goes backwards.

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
  // Event times below every real one that a repartition topic's marks carry instead of one
  // (RepartitionSink::ObserveStart, LocalLogSource): the partition is held (it had unread
  // records when its stage-1 writer started), or released (read past them without a record:
  // kNoWatermark), or, with partition = a stage-1 writer, that writer started (ExpectWriters).
  static constexpr int64_t kHeldTime = kNoWatermark + 1;
  static constexpr int64_t kWriterStartTime = kNoWatermark + 2;
  using Clock = std::chrono::steady_clock;

  WatermarkTracker(int32_t partitions, int64_t allow_latency_ms, int64_t idle_timeout_ms);

  // Notes one row's event time (or one of the signals above).
  void Observe(const RecordMeta& meta, Clock::time_point now) {
    if (meta.timestamp <= kWriterStartTime) return ObserveSignal(meta, now);
    auto index = static_cast<size_t>(meta.partition);
    // Sources may grow partitions; track them as they appear.
    if (index >= partitions_.size()) partitions_.resize(index + 1);
    PartitionState& state = partitions_[index];
    state.max_event_time = std::max(state.max_event_time, meta.timestamp);
    state.last_seen = now;
  }
  // Recomputes the watermark at wall time `now` and returns it (kNoWatermark before any record).
  int64_t Update(Clock::time_point now = Clock::now());
  // Observe then Update(now), for a caller that called Update(now) after everything it observed
  // before: a row no later than its partition's largest event time leaves the watermark as it
  // was (without an idle timeout, `now` decides nothing), so it only notes the row.
  int64_t ObserveAndUpdate(const RecordMeta& meta, Clock::time_point now) {
    const auto index = static_cast<size_t>(meta.partition);
    if (meta.timestamp > kWriterStartTime && idle_timeout_ms_ <= 0 && writers_missing_ == 0 &&
        index < partitions_.size() && meta.timestamp <= partitions_[index].max_event_time) {
      partitions_[index].last_seen = now;
      return watermark_;
    }
    Observe(meta, now);
    return Update(now);
  }
  int64_t watermark() const { return watermark_; }
  // True when the idle timeout is set, some record was seen, and every partition has been silent
  // for it (a join then stops waiting for this side).
  bool Idle(Clock::time_point now) const;
  // Continues from a checkpointed watermark: records behind it stay late after a restart.
  void Restore(int64_t watermark) { watermark_ = std::max(watermark_, watermark); }
  // The largest event time seen per partition, as "partition:time" pairs joined by ',', for a
  // checkpoint; RestoreMaxima takes it back (each partition counting as seen at `now`). So a
  // restarted query's slow partition keeps holding the watermark back, as it did before. A held
  // partition is saved as held.
  std::string SaveMaxima() const;
  void RestoreMaxima(std::string_view saved, Clock::time_point now = Clock::now());

  // At the worker's start, before its first record (REQUIRES: after RestoreMaxima): holds each
  // partition whose `unread` entry is set (Source::unread_at_start) and that has seen nothing.
  void HoldUnread(const std::vector<uint8_t>& unread, Clock::time_point now);
  // After a batch: releases the held partitions whose `unread` entry went to 0 while they showed
  // no record (their records were tombstones or undecodable). Costs nothing once none is held.
  void ReleaseRead(const std::vector<uint8_t>& unread);
  // Stage 2 of 'parallelism'=N: the watermark stays where it is until each of the `writers`
  // stage-1 workers' start marks (kWriterStartTime) was read, which hold the partitions they
  // had not read yet: so a writer that starts late cannot find its partitions overtaken.
  void ExpectWriters(int32_t writers);

 private:
  struct PartitionState {
    int64_t max_event_time = kNoWatermark;
    Clock::time_point last_seen{};
  };
  void ObserveSignal(const RecordMeta& meta, Clock::time_point now);
  PartitionState& At(int32_t partition);

  std::vector<PartitionState> partitions_;
  int64_t allow_latency_ms_;
  int64_t idle_timeout_ms_;
  int64_t watermark_ = kNoWatermark;
  size_t held_ = 0;  // partitions HoldUnread held that may still be held (ReleaseRead's work)
  std::vector<uint8_t> writers_started_;  // ExpectWriters: per writer, whether it started
  size_t writers_missing_ = 0;
};

}  // namespace sluice
