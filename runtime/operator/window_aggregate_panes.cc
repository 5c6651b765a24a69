// HOP windows kept as panes: WindowAggregateOperator holds one group per (pane, key), where a pane
// is gcd(size, advance) long so every record of a pane belongs to the same windows, and builds a
// window's groups when it closes by merging its panes' accumulators (MergeAccumulator, as
// sessions do; window_aggregate_close.cc). A record updates one group instead of size/advance of
// them, and state holds size/advance times fewer groups.

#include <algorithm>
#include <cstring>
#include <limits>
#include <set>

#include "runtime/operator/window_aggregate.h"

namespace sluice {

int64_t WindowAggregateOperator::NextWindowEnd() const {
  if (windows_.empty() || plan_.window.type == WindowType::kNone) {
    return std::numeric_limits<int64_t>::max();
  }
  const std::pair<int64_t, int64_t>& first = windows_.begin()->first;
  if (pane_ms_ == 0) return first.second;  // AdvanceWatermark closes from the first window on
  const int64_t size = plan_.window.size_ms;
  const int64_t advance = plan_.window.advance_ms;
  // The first window over the first pane, or the first window ending after the watermark.
  int64_t end = -FloorTo(size - first.second, advance) + size;
  if (watermark_ != std::numeric_limits<int64_t>::min()) {
    end = std::max(end, FloorTo(watermark_ - size, advance) + advance + size);
  }
  return end;
}

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
    // Each pane's groups in key order (built once per pane, reused by its windows), merged as the
    // window's rows are staged (StageNextKey).
    ClosingWindow& window = closing_windows_.emplace_back();
    window.start = start;
    window.end = start + size;
    for (auto pane = windows_.lower_bound({start, std::numeric_limits<int64_t>::min()});
         pane != windows_.end() && pane->first.first < start + size; ++pane) {
      if (!pane->second.empty()) window.orders.push_back(&PaneKeyOrder(pane->first, pane->second));
    }
    window.heads.assign(window.orders.size(), 0);
  }
}

const WindowAggregateOperator::KeyOrder& WindowAggregateOperator::PaneKeyOrder(
    const std::pair<int64_t, int64_t>& pane, Groups& groups) {
  // A pane only gains groups (until it is dropped), and their addresses are stable: an order of
  // the same size is still complete.
  KeyOrder& order = pane_key_orders_[pane];
  if (order.size() == groups.size()) return order;
  SortByKey(groups, order);
  return order;
}

namespace {

// Below this many keys std::sort is as fast as the radix passes' set-up.
constexpr size_t kMinRadixKeys = 512;
// At most this many radix passes, over the most significant bytes where the keys' prefixes
// differ (a BIGINT id's low bytes take two or three).
constexpr int kMaxRadixPasses = 4;

// Orders `refs` by the most significant (up to kMaxRadixPasses) bytes of (high, low) in which they
// differ, with one stable counting pass per byte, least significant first: linear passes instead
// of std::sort's n log n unpredictable comparisons. Sets `rest_high` and `rest_low` to the masks of
// the bytes it did not sort by (refs equal in the sorted bytes still need ordering by those and
// the key). False (nothing done) for fewer than kMinRadixKeys refs.
template <typename Ref>
bool RadixSortByPrefix(std::vector<Ref>& refs, uint64_t& rest_high, uint64_t& rest_low) {
  if (refs.size() < kMinRadixKeys) return false;
  uint64_t high_diff = 0;
  uint64_t low_diff = 0;
  for (const Ref& ref : refs) {
    high_diff |= ref.high ^ refs.front().high;
    low_diff |= ref.low ^ refs.front().low;
  }
  // Byte positions: 15 to 8 are `high`'s from its top byte, 7 to 0 `low`'s.
  int bytes[kMaxRadixPasses];
  int passes = 0;
  rest_high = 0;
  rest_low = 0;
  for (int byte = 15; byte >= 0; --byte) {
    const uint64_t byte_mask = uint64_t{0xFF} << (8 * (byte % 8));
    if (((byte >= 8 ? high_diff : low_diff) & byte_mask) == 0) continue;
    if (passes < kMaxRadixPasses) {
      bytes[passes++] = byte;
    } else {
      (byte >= 8 ? rest_high : rest_low) |= byte_mask;
    }
  }
  std::vector<Ref> scratch(refs.size());
  for (int pass = passes - 1; pass >= 0; --pass) {
    const bool in_high = bytes[pass] >= 8;
    const int shift = 8 * (bytes[pass] % 8);
    auto digit = [&](const Ref& ref) { return ((in_high ? ref.high : ref.low) >> shift) & 0xFF; };
    size_t starts[256] = {};
    for (const Ref& ref : refs) ++starts[digit(ref)];
    size_t next = 0;
    for (size_t& start : starts) {
      const size_t count = start;
      start = next;
      next += count;
    }
    for (const Ref& ref : refs) scratch[starts[digit(ref)]++] = ref;
    refs.swap(scratch);
  }
  return true;
}

}  // namespace

void WindowAggregateOperator::SortByKey(Groups& groups, KeyOrder& order) {
  // Sorted by the keys' 16-byte prefixes (many keys by radix passes: RadixSortByPrefix), then by
  // the whole key on a tie: most comparisons then touch no key string (an encoded BIGINT key is 9
  // bytes), which is what sorting 100K+ keys costs in cache misses. Only these refs are sorted:
  // the order is all a closing window holds per group.
  order.clear();
  order.reserve(groups.size());
  for (auto& entry : groups) {
    const std::string_view key = entry.first;
    unsigned char prefix[16] = {};
    if (!key.empty()) std::memcpy(prefix, key.data(), std::min<size_t>(key.size(), sizeof prefix));
    uint64_t high = 0;
    uint64_t low = 0;
    for (size_t byte_idx = 0; byte_idx < 8; ++byte_idx) {
      high = (high << 8) | prefix[byte_idx];
      low = (low << 8) | prefix[8 + byte_idx];
    }
    order.push_back({high, low, &entry});
  }
  auto less = [](const KeyRef& a, const KeyRef& b) {
    if (a.high != b.high) return a.high < b.high;
    if (a.low != b.low) return a.low < b.low;
    return a.entry->first < b.entry->first;
  };
  uint64_t rest_high;
  uint64_t rest_low;
  if (!RadixSortByPrefix(order, rest_high, rest_low)) {
    std::sort(order.begin(), order.end(), less);
    return;
  }
  // Runs that tie in the bytes sorted by (the same prefix, or one that differs further on) are
  // ordered by the rest of it and the whole key.
  const uint64_t sorted_high = ~rest_high;
  const uint64_t sorted_low = ~rest_low;
  for (auto run = order.begin(); run != order.end();) {
    auto run_end = run + 1;
    while (run_end != order.end() && ((run_end->high ^ run->high) & sorted_high) == 0 &&
           ((run_end->low ^ run->low) & sorted_low) == 0) {
      ++run_end;
    }
    if (run_end - run > 1) std::sort(run, run_end, less);
    run = run_end;
  }
}

}  // namespace sluice
