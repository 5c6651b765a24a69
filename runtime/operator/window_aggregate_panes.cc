// HOP windows kept as panes: WindowAggregateOperator holds one group per (pane, key), where a pane
// is gcd(size, advance) long so every record of a pane belongs to the same windows, and builds a
// window's groups when it closes by merging its panes' accumulators (MergeAccumulator, as
// sessions do). A record updates one group instead of size/advance of them, and state holds
// size/advance times fewer groups.

#include <set>

#include "runtime/operator/window_aggregate.h"

namespace sluice {

void WindowAggregateOperator::ClosePaneWindows(int64_t previous_watermark,
                                               std::vector<std::pair<int64_t, int64_t>>& dead) {
  const int64_t size = plan_.window.size_ms;
  const int64_t advance = plan_.window.advance_ms;
  // Starts of the windows with data that closed in (previous_watermark, watermark_].
  std::set<int64_t> starts;
  for (const auto& [pane, groups] : windows_) {
    // The windows holding the pane start at multiples of `advance` in [pane end - size, start].
    const int64_t first_start = -FloorTo(size - pane.second, advance);
    if (first_start + size > watermark_) break;  // later panes' windows close later still
    for (int64_t start = first_start; start <= pane.first && start + size <= watermark_;
         start += advance) {
      if (start + size > previous_watermark) starts.insert(start);
    }
    if (FloorTo(pane.first, advance) + size <= watermark_) dead.push_back(pane);
  }
  for (const int64_t start : starts) {
    Groups& merged = closing_.emplace_back();
    for (auto pane = windows_.lower_bound({start, std::numeric_limits<int64_t>::min()});
         pane != windows_.end() && pane->first.first < start + size; ++pane) {
      for (const auto& [key, group] : pane->second) {
        auto [it, inserted] = merged.try_emplace(key);
        if (inserted) {
          it->second.keys = group.keys;
          it->second.accumulators = group.accumulators;
          continue;
        }
        for (size_t call_idx = 0; call_idx < plan_.aggregates.size(); ++call_idx) {
          MergeAccumulator(plan_.aggregates[call_idx], group.accumulators[call_idx],
                           it->second.accumulators[call_idx]);
        }
      }
    }
    StageClosedWindow(merged, start, start + size);
  }
}

}  // namespace sluice
