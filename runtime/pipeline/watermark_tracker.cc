#include "runtime/pipeline/watermark_tracker.h"

#include <algorithm>
#include <cstdlib>

namespace sluice {

WatermarkTracker::WatermarkTracker(int32_t partitions, int64_t allow_latency_ms,
                                   int64_t idle_timeout_ms)
    : partitions_(static_cast<size_t>(std::max(partitions, 1))),
      allow_latency_ms_(allow_latency_ms),
      idle_timeout_ms_(idle_timeout_ms) {}

void WatermarkTracker::Observe(const RecordMeta& meta, Clock::time_point now) {
  auto index = static_cast<size_t>(meta.partition);
  // Sources may grow partitions; track them as they appear.
  if (index >= partitions_.size()) partitions_.resize(index + 1);
  PartitionState& state = partitions_[index];
  state.max_event_time = std::max(state.max_event_time, meta.timestamp);
  state.last_seen = now;
}

int64_t WatermarkTracker::Update(Clock::time_point now) {
  int64_t candidate = std::numeric_limits<int64_t>::max();
  bool any = false;
  for (const PartitionState& state : partitions_) {
    if (state.max_event_time == kNoWatermark) continue;
    if (idle_timeout_ms_ > 0 &&
        now - state.last_seen >= std::chrono::milliseconds(idle_timeout_ms_)) {
      continue;
    }
    candidate = std::min(candidate, state.max_event_time - allow_latency_ms_);
    any = true;
  }
  if (any) watermark_ = std::max(watermark_, candidate);
  return watermark_;
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
