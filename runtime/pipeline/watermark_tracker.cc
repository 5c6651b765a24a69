#include "runtime/pipeline/watermark_tracker.h"

#include <algorithm>
#include <cstdlib>

namespace sluice {

WatermarkTracker::WatermarkTracker(int32_t partitions, int64_t allow_latency_ms,
                                   int64_t idle_timeout_ms)
    : partitions_(static_cast<size_t>(std::max(partitions, 1))),
      allow_latency_ms_(allow_latency_ms),
      idle_timeout_ms_(idle_timeout_ms) {}

WatermarkTracker::PartitionState& WatermarkTracker::At(int32_t partition) {
  auto index = static_cast<size_t>(std::max(partition, 0));
  if (index >= partitions_.size()) partitions_.resize(index + 1);
  return partitions_[index];
}

void WatermarkTracker::ObserveSignal(const RecordMeta& meta, Clock::time_point now) {
  if (meta.timestamp == kWriterStartTime) {
    const auto writer = static_cast<size_t>(meta.partition);
    if (writer < writers_started_.size() && writers_started_[writer] == 0) {
      writers_started_[writer] = 1;
      --writers_missing_;
    }
    return;
  }
  PartitionState& state = At(meta.partition);
  if (meta.timestamp == kHeldTime) {
    // A partition that showed a record already holds the watermark at its own event time.
    if (state.max_event_time == kNoWatermark) {
      state.max_event_time = kHeldTime;
      state.last_seen = now;
    }
  } else if (state.max_event_time == kHeldTime) {
    state.max_event_time = kNoWatermark;  // released: read past its records without a row
  }
}

void WatermarkTracker::ExpectWriters(int32_t writers) {
  writers_started_.assign(static_cast<size_t>(std::max(writers, 0)), 0);
  writers_missing_ = writers_started_.size();
}

int64_t WatermarkTracker::Update(Clock::time_point now) {
  if (writers_missing_ > 0) return watermark_;
  int64_t candidate = std::numeric_limits<int64_t>::max();
  bool any = false;
  for (const PartitionState& state : partitions_) {
    if (state.max_event_time == kNoWatermark) continue;
    if (idle_timeout_ms_ > 0 &&
        now - state.last_seen >= std::chrono::milliseconds(idle_timeout_ms_)) {
      continue;
    }
    if (state.max_event_time == kHeldTime) return watermark_;  // held: nothing moves
    candidate = std::min(candidate, state.max_event_time - allow_latency_ms_);
    any = true;
  }
  if (any) watermark_ = std::max(watermark_, candidate);
  return watermark_;
}

void WatermarkTracker::HoldUnread(const std::vector<uint8_t>& unread, Clock::time_point now) {
  RecordMeta hold;
  hold.timestamp = kHeldTime;
  for (size_t partition = 0; partition < unread.size(); ++partition) {
    if (unread[partition] == 0) continue;
    hold.partition = static_cast<int32_t>(partition);
    ObserveSignal(hold, now);
  }
  held_ = static_cast<size_t>(
      std::count_if(partitions_.begin(), partitions_.end(),
                    [](const PartitionState& state) { return state.max_event_time == kHeldTime; }));
}

void WatermarkTracker::ReleaseRead(const std::vector<uint8_t>& unread) {
  if (held_ == 0) return;
  held_ = 0;
  for (size_t partition = 0; partition < partitions_.size(); ++partition) {
    PartitionState& state = partitions_[partition];
    if (state.max_event_time != kHeldTime) continue;
    if (partition >= unread.size() || unread[partition] == 0) {
      state.max_event_time = kNoWatermark;
    } else {
      ++held_;
    }
  }
}

std::string WatermarkTracker::SaveMaxima() const {
  std::string saved;
  for (size_t partition = 0; partition < partitions_.size(); ++partition) {
    if (partitions_[partition].max_event_time == kNoWatermark) continue;
    if (!saved.empty()) saved.push_back(',');
    saved +=
        std::to_string(partition) + ":" + std::to_string(partitions_[partition].max_event_time);
  }
  return saved;
}

void WatermarkTracker::RestoreMaxima(std::string_view saved, Clock::time_point now) {
  while (!saved.empty()) {
    const size_t comma = std::min(saved.find(','), saved.size());
    const std::string pair(saved.substr(0, comma));
    saved.remove_prefix(std::min(comma + 1, saved.size()));
    const size_t colon = pair.find(':');
    if (colon == std::string::npos) continue;  // written by SaveMaxima: cannot happen
    const long long partition = std::strtoll(pair.c_str(), nullptr, 10);
    if (partition < 0 || partition > std::numeric_limits<int32_t>::max()) continue;
    RecordMeta meta;
    meta.partition = static_cast<int32_t>(partition);
    meta.timestamp = std::strtoll(pair.c_str() + colon + 1, nullptr, 10);
    Observe(meta, now);
  }
}

bool WatermarkTracker::Idle(Clock::time_point now) const {
  if (idle_timeout_ms_ <= 0 || watermark_ == kNoWatermark) return false;
  for (const PartitionState& state : partitions_) {
    if (state.max_event_time == kNoWatermark) continue;
    if (now - state.last_seen < std::chrono::milliseconds(idle_timeout_ms_)) return false;
  }
  return true;
}

}  // namespace sluice
