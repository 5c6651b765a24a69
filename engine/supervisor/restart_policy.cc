#include "engine/supervisor/restart_policy.h"

#include <algorithm>

namespace sluice {

std::optional<std::chrono::milliseconds> RestartPolicy::OnCrash(Clock::time_point now) {
  crashes_.push_back(now);
  while (!crashes_.empty() && now - crashes_.front() > options_.window) crashes_.pop_front();
  if (static_cast<int>(crashes_.size()) >= options_.max_crashes) return std::nullopt;
  if (backoff_.count() == 0 || now - started_at_ >= options_.stable_after) {
    backoff_ = options_.initial_backoff;
  } else {
    backoff_ = std::min(backoff_ * 2, options_.max_backoff);
  }
  return backoff_;
}

std::chrono::milliseconds RestartPolicy::OnTransientFailure() {
  std::chrono::milliseconds delay = options_.retry_initial_backoff;
  // Doubling stops at the cap, so the shift never overflows however long the outage lasts.
  for (int attempt = 1; attempt <= retry_attempts_ && delay < options_.retry_max_backoff;
       ++attempt) {
    delay *= 2;
  }
  ++retry_attempts_;
  return std::min(delay, options_.retry_max_backoff);
}

void RestartPolicy::Reset() {
  crashes_.clear();
  backoff_ = std::chrono::milliseconds(0);
  retry_attempts_ = 0;
}

std::string RestartPolicy::DescribeLimit() const {
  return "worker crashed " + std::to_string(options_.max_crashes) + " times within " +
         std::to_string(options_.window.count() / 1000) + " s";
}

}  // namespace sluice
