// Closing windows in WindowAggregateOperator: when the watermark passes a window's end, its
// groups (or, for HOP in panes, the merge of its panes' groups) are queued in key order as a
// ClosingWindow and staged from there, all at once (AdvanceWatermark) or a slice per call
// (AdvanceWatermarkSome, used at the end of a bounded input), so the rows of a big window and
// what the sink makes of them need not be in memory together. The windows' groups are forgotten
// once their last row is out.

#include <algorithm>
#include <limits>

#include "runtime/operator/window_aggregate.h"

namespace sluice {
namespace {

// Rows skipped (staged and dropped) at a time when a restored close resumes.
constexpr int64_t kSkipSliceRows = 16 * 1024;
// How many groups ahead of the one staged StageNextKey prefetches (its key half as far).
constexpr size_t kPrefetchGroups = 8;

}  // namespace

Status WindowAggregateOperator::AdvanceWatermark(int64_t watermark, RecordBatch& output) {
  bool done = false;
  return AdvanceWatermarkSome(watermark, std::numeric_limits<size_t>::max(), output, &done);
}

Status WindowAggregateOperator::AdvanceWatermarkSome(int64_t watermark, size_t max_rows,
                                                     RecordBatch& output, bool* done) {
  *done = true;
  const int64_t requested = watermark;
  if (!close_in_progress_) {
    if (watermark <= watermark_) return Status::OK();
    // Restored in the middle of a close: that close is finished first (the rest follows below).
    if (resume_close_to_ > watermark_ && resume_close_to_ < watermark) watermark = resume_close_to_;
    const int64_t previous_watermark = watermark_;
    watermark_ = watermark;
    if (plan_.window.type == WindowType::kNone) {
      // A GROUP BY without a window has one window, the whole input: without EMIT CHANGES (a
      // snapshot read of a view) it closes only when a bounded input ends.
      if (plan_.emit_changes || watermark != std::numeric_limits<int64_t>::max()) {
        return Status::OK();
      }
      // A global aggregate over no rows still answers (COUNT(*) = 0), as SQL does.
      if (plan_.keys.empty() && windows_.empty()) {
        windows_[{0, 0}].emplace("", NewGroup({}, 0));
      }
    }
    // Rows must be built before their groups are erased.
    if (pane_ms_ > 0) ClosePaneWindows(previous_watermark, closed_pending_);
    for (auto& [window, groups] : windows_) {
      if (pane_ms_ > 0 || window.second > watermark_) break;
      closed_pending_.push_back(window);
      if (!plan_.emit_changes) StageClosedWindow(groups, window.first, window.second);
    }
    close_in_progress_ = true;
    close_from_watermark_ = previous_watermark;
    close_rows_staged_ = 0;
    if (resume_close_to_ == watermark) {
      // Restored in the middle of this close: the rows staged before the checkpoint went out.
      while (close_rows_staged_ < resume_skip_rows_ && !closing_windows_.empty()) {
        StageClosing(static_cast<size_t>(
            std::min<int64_t>(resume_skip_rows_ - close_rows_staged_, kSkipSliceRows)));
        staged_ = RecordBatch();
        staged_groups_.clear();
        closing_.clear();
      }
    }
    resume_close_to_ = INT64_MIN;
  }
  StageClosing(max_rows);
  if (!closing_windows_.empty()) {
    RETURN_NOT_OK(FlushStaged(output));
    closing_.clear();  // merged copies: staged rows are copies of them
    *done = false;
    return Status::OK();
  }
  close_in_progress_ = false;
  struct ClosedSession {
    std::string key;
    Session session;
  };
  std::vector<ClosedSession> closed_sessions;
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    auto& sessions = it->second;
    size_t keep_from = 0;
    while (keep_from < sessions.size() && sessions[keep_from].end <= watermark_) ++keep_from;
    for (size_t session_idx = 0; session_idx < keep_from; ++session_idx) {
      closed_sessions.push_back({it->first, std::move(sessions[session_idx])});
    }
    if (keep_from > 0 && table_ != nullptr) dirty_sessions_[it->first] = true;
    sessions.erase(sessions.begin(), sessions.begin() + static_cast<std::ptrdiff_t>(keep_from));
    it = sessions.empty() ? sessions_.erase(it) : std::next(it);
  }
  std::sort(closed_sessions.begin(), closed_sessions.end(),
            [](const ClosedSession& a, const ClosedSession& b) {
              return std::tie(a.session.end, a.key) < std::tie(b.session.end, b.key);
            });
  if (!plan_.emit_changes) {
    for (ClosedSession& closed_session : closed_sessions) {
      Session& session = closed_session.session;
      Stage({&session.group, closed_session.key, session.start, session.end, session.end - 1});
    }
  }
  RETURN_NOT_OK(FlushStaged(output));
  closing_.clear();
  for (const auto& window : closed_pending_) {
    windows_.erase(window);
    dirty_.erase(window);
    pane_key_orders_.erase(window);
    chunk_logs_.erase(window);
  }
  if (table_ != nullptr) {
    closed_windows_.insert(closed_windows_.end(), closed_pending_.begin(), closed_pending_.end());
  }
  closed_pending_.clear();
  dirty_run_ = nullptr;
  // The close just finished was to an earlier watermark (a resumed one): close the rest too.
  if (requested > watermark_) return AdvanceWatermarkSome(requested, max_rows, output, done);
  return Status::OK();
}

void WindowAggregateOperator::StageClosedWindow(Groups& groups, int64_t start, int64_t end) {
  ClosingWindow& window = closing_windows_.emplace_back();
  window.start = start;
  window.end = end;
  SortByKey(groups, window.own);
  window.orders.push_back(&window.own);
  window.heads.push_back(0);
}

size_t WindowAggregateOperator::StageClosing(size_t max_rows) {
  size_t staged = 0;
  while (staged < max_rows && !closing_windows_.empty()) {
    if (StageNextKey(closing_windows_.front())) {
      ++staged;
    } else {
      closing_windows_.pop_front();
    }
  }
  close_rows_staged_ += static_cast<int64_t>(staged);
  return staged;
}

bool WindowAggregateOperator::StageNextKey(ClosingWindow& window) {
  const std::vector<const KeyOrder*>& orders = window.orders;
  std::vector<size_t>& heads = window.heads;
  const int64_t start = window.start;
  const int64_t end = window.end;
  // Groups are staged in key order, which is no order in memory: the entries (and keys) a few
  // places ahead are prefetched, as ProcessRows does for its lookups.
  auto prefetch_ahead = [](const KeyOrder& order, size_t head) {
    if (head + kPrefetchGroups < order.size()) {
      const Groups::value_type* ahead = order[head + kPrefetchGroups].entry;
      PrefetchLine(ahead);
      PrefetchLine(reinterpret_cast<const char*>(ahead) + 63);
    }
    if (head + kPrefetchGroups / 2 < order.size()) {
      PrefetchLine(order[head + kPrefetchGroups / 2].entry->first.data());
    }
  };
  if (orders.size() == 1) {
    if (heads[0] == orders[0]->size()) return false;
    prefetch_ahead(*orders[0], heads[0]);
    Groups::value_type* entry = (*orders[0])[heads[0]++].entry;
    Stage({&entry->second, entry->first, start, end, end - 1});
    return true;
  }
  // Each pane's groups in key order, merged: a key in one pane is staged from the pane's group
  // itself, one in several from a merged copy.
  const std::string_view* min_key = nullptr;
  for (size_t pane_idx = 0; pane_idx < orders.size(); ++pane_idx) {
    if (heads[pane_idx] == orders[pane_idx]->size()) continue;
    const std::string_view* key = &(*orders[pane_idx])[heads[pane_idx]].entry->first;
    if (min_key == nullptr || *key < *min_key) min_key = key;
  }
  if (min_key == nullptr) return false;
  Group* staged = nullptr;
  bool copied = false;
  for (size_t pane_idx = 0; pane_idx < orders.size(); ++pane_idx) {
    if (heads[pane_idx] == orders[pane_idx]->size()) continue;
    Groups::value_type* entry = (*orders[pane_idx])[heads[pane_idx]].entry;
    Group* group = &entry->second;
    if (entry->first != *min_key) continue;
    prefetch_ahead(*orders[pane_idx], heads[pane_idx]);
    ++heads[pane_idx];
    if (staged == nullptr) {
      staged = group;
      continue;
    }
    if (!copied) {
      staged = &closing_.emplace_back(*staged);
      copied = true;
    }
    for (size_t call_idx = 0; call_idx < plan_.aggregates.size(); ++call_idx) {
      MergeAccumulator(plan_.aggregates[call_idx], group->accumulators[call_idx],
                       staged->accumulators[call_idx]);
    }
  }
  Stage({staged, *min_key, start, end, end - 1});
  return true;
}

}  // namespace sluice
