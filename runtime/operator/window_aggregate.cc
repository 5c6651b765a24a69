#include "runtime/operator/window_aggregate.h"

#include <algorithm>
#include <limits>
#include <numeric>

#include "runtime/operator/aggregate_change.h"
#include "runtime/operator/string_hash.h"

namespace sluice {

int64_t WindowAggregateOperator::FloorTo(int64_t value, int64_t step) {
  int64_t floor = value / step;
  if (value % step != 0 && value < 0) --floor;
  return floor * step;
}

std::pair<int64_t, int64_t> WindowAggregateOperator::RowWindow(const RecordBatch& input,
                                                               size_t row) const {
  const WindowSpec& window = plan_.window;
  const int64_t event_time = input.meta()[row].timestamp;
  switch (window.type) {
    case WindowType::kTumble: {
      const int64_t start = FloorTo(event_time, window.size_ms);
      return {start, start + window.size_ms};
    }
    case WindowType::kHop: {
      const int64_t pane_start = FloorTo(event_time, pane_ms_);
      return {pane_start, pane_start + pane_ms_};
    }
    case WindowType::kUpstream: {
      // The row names its window; a NULL one is none (an empty window, which holds no row).
      const Column& starts = input.column(static_cast<size_t>(window.start_column));
      const Column& ends = input.column(static_cast<size_t>(window.end_column));
      if (starts.IsNull(row) || ends.IsNull(row)) return {0, 0};
      return {starts.GetInt64(row), ends.GetInt64(row)};
    }
    case WindowType::kNone:
    case WindowType::kSession: return {0, 0};
  }
  return {0, 0};
}

WindowAggregateOperator::WindowAggregateOperator(const PhysicalAggregate& plan,
                                                 EvalContext& context)
    : plan_(plan), context_(context), argument_columns_(plan.aggregates.size()) {
  // EMIT CHANGES shows each window's group after every record, so it needs the windows themselves.
  if (plan.window.type == WindowType::kHop && !plan.emit_changes && plan.window.size_ms > 0 &&
      plan.window.advance_ms > 0) {
    pane_ms_ = std::gcd(plan.window.size_ms, plan.window.advance_ms);
  }
  for (const auto& key : plan.keys)
    keep_key_values_ = keep_key_values_ || !CellDecodable(key->type());
}

size_t WindowAggregateOperator::num_groups() const {
  size_t count = 0;
  for (const auto& [window, groups] : windows_) count += groups.size();
  for (const auto& [key, sessions] : sessions_) count += sessions.size();
  return count;
}

WindowAggregateOperator::Group WindowAggregateOperator::NewGroup(
    const std::vector<Column>& key_columns, size_t row) const {
  Group group;
  if (keep_key_values_) {
    std::vector<Value>& keys = group.mutable_key_values();
    keys.reserve(key_columns.size());
    for (const Column& column : key_columns) keys.push_back(column.GetValue(row));
  }
  group.accumulators.assign(plan_.aggregates.size());
  return group;
}

bool WindowAggregateOperator::Update(Group& group, size_t row) {
  // Only a GROUP BY without a window skips repeated rows, so only it asks.
  const bool track = plan_.window.type == WindowType::kNone;
  // Without aggregate calls the row is the key alone: new until a row of it went out.
  bool changed = !track || (plan_.aggregates.empty() && !group.emitted);
  for (size_t call_idx = 0; call_idx < plan_.aggregates.size(); ++call_idx) {
    const AggregateCall& call = plan_.aggregates[call_idx];
    const Column* argument = call.argument ? &argument_columns_[call_idx] : nullptr;
    if (!changed) {
      changed = AccumulateChangesResult(call, argument, row, group.accumulators[call_idx]);
    }
    Accumulate(call, argument, row, sequence_, group.accumulators[call_idx]);
  }
  return changed;
}

Status WindowAggregateOperator::Process(const RecordBatch& input, RecordBatch& output) {
  return ProcessRows(input, {}, output);
}

Status WindowAggregateOperator::ProcessRows(const RecordBatch& input,
                                            const std::vector<int64_t>& watermark_before_row,
                                            RecordBatch& output) {
  if (input.num_rows() == 0) return Status::OK();
  std::vector<Column> key_columns(plan_.keys.size());
  for (size_t key_idx = 0; key_idx < plan_.keys.size(); ++key_idx) {
    RETURN_NOT_OK(Evaluate(*plan_.keys[key_idx], input, &key_columns[key_idx], context_));
  }
  for (size_t call_idx = 0; call_idx < plan_.aggregates.size(); ++call_idx) {
    const AggregateCall& call = plan_.aggregates[call_idx];
    if (call.argument) {
      RETURN_NOT_OK(Evaluate(*call.argument, input, &argument_columns_[call_idx], context_));
    }
  }

  const WindowSpec& window = plan_.window;
  ++batch_counter_;
  const size_t num_rows = input.num_rows();
  // Every row's key, encoded back to back, and (where rows go to one window's groups, or pane's)
  // that window and the key's hash: so a row's lookup can be prefetched a few rows ahead.
  const bool one_window_per_row = window.type != WindowType::kSession &&
                                  cached_groups_ == nullptr &&
                                  (window.type != WindowType::kHop || pane_ms_ > 0);
  batch_keys_.clear();
  EncodeKeys(key_columns, num_rows, batch_keys_, key_ends_);
  auto key_of = [&](size_t row) {
    const size_t begin = row == 0 ? 0 : key_ends_[row - 1];
    return std::string_view(batch_keys_).substr(begin, key_ends_[row] - begin);
  };
  if (cached_groups_ != nullptr) {
    // The group cache's lookups, hashed in a pass of their own. Not prefetched: a GROUP BY over
    // a stream mostly updates a few recent keys, whose groups are in cache (micro_bench
    // BM_GroupByMaxPerAuctionCached was ~4% slower with the windows' prefetching).
    key_hashes_.resize(num_rows);
    for (size_t row = 0; row < num_rows; ++row) key_hashes_[row] = Groups::HashOf(key_of(row));
  }
  if (one_window_per_row) {
    key_hashes_.resize(num_rows);
    row_windows_.resize(num_rows);
    // TUMBLE windows and HOP panes are aligned and of one size: a row in the previous row's
    // window is in no other (and needs no division to say so).
    const bool aligned = window.type == WindowType::kTumble || window.type == WindowType::kHop;
    for (size_t row = 0; row < num_rows; ++row) {
      key_hashes_[row] = Groups::HashOf(key_of(row));
      const int64_t event_time = input.meta()[row].timestamp;
      if (aligned && row > 0 && row_windows_[row - 1].first <= event_time &&
          event_time < row_windows_[row - 1].second) {
        row_windows_[row] = row_windows_[row - 1];
      } else {
        row_windows_[row] = RowWindow(input, row);
      }
    }
  }
  // The groups of the window the last row went to: the next rows mostly go there too. Reset
  // whenever windows may be erased (a watermark step).
  Groups* current_groups = nullptr;
  std::pair<int64_t, int64_t> current_window;
  // The group the last row went to (in last_groups, under last_key): the next row of the same
  // key and window needs no lookup. Reset with current_groups.
  Groups::value_type* last_entry = nullptr;
  const Groups* last_groups = nullptr;
  std::string_view last_key;
  // How far ahead of its lookup a row's prefetch steps start (WindowGroupMap::Prefetch).
  constexpr size_t kPrefetchSlot = 16;
  constexpr size_t kPrefetchEntry = 8;
  constexpr size_t kPrefetchKey = 4;
  // A window of a few thousand groups stays in cache: prefetching it would only cost.
  constexpr size_t kPrefetchMinGroups = 4096;
  auto prefetch = [&](size_t row, int step) {
    if (row < num_rows && current_groups != nullptr &&
        current_groups->size() >= kPrefetchMinGroups && row_windows_[row] == current_window) {
      current_groups->Prefetch(key_hashes_[row], step);
    }
  };
  std::string key;
  // Cache mode: the groups this batch's rows went to (recent_groups_), so the rows of a few hot
  // keys (a hot auction's bids) find theirs without a lookup. Groups are only evicted after the
  // loop; a TTL (which checks each lookup) turns it off, a watermark step clears it.
  if (cached_groups_ != nullptr) recent_groups_.assign(kRecentGroups, RecentGroup{});
  for (size_t row = 0; row < num_rows; ++row) {
    if (row < watermark_before_row.size() && watermark_before_row[row] > watermark_) {
      // Updates staged for EMIT CHANGES go out first: closing may erase their groups.
      RETURN_NOT_OK(FlushStaged(output));
      RETURN_NOT_OK(AdvanceWatermark(watermark_before_row[row], output));
      if (cached_groups_ != nullptr) recent_groups_.assign(kRecentGroups, RecentGroup{});
      current_groups = nullptr;
      last_entry = nullptr;
    }
    ++sequence_;
    const int64_t event_time = input.meta()[row].timestamp;
    if (window.type == WindowType::kSession) {
      key.assign(key_of(row));
    } else if (one_window_per_row) {
      prefetch(row + kPrefetchSlot, 0);
      prefetch(row + kPrefetchEntry, 1);
      prefetch(row + kPrefetchKey, 2);
    }
    if (window.type == WindowType::kSession) {
      RETURN_NOT_OK(ProcessSessionRow(key, key_columns, row, event_time, output));
      continue;
    }
    if (cached_groups_ != nullptr) {
      // A GROUP BY without a window under a cache budget (changes only, never late).
      const std::string_view row_key = key_of(row);
      const uint64_t hash = key_hashes_[row];
      RecentGroup& recent = recent_groups_[hash & (kRecentGroups - 1)];
      Groups::value_type* entry = recent.entry;
      if (entry == nullptr || recent.hash != hash || !EncodedKeysEqual(row_key, recent.key)) {
        ASSIGN_OR_RETURN(entry, CachedGroup(row_key, hash, key_columns, row));
        if (state_ttl_ms_ <= 0) recent = RecentGroup{hash, entry, row_key};
      }
      Group* group = &entry->second;
      const bool changed = Update(*group, row);
      if (!group->dirty) {
        group->dirty = true;
        if (dirty_cached_complete_) dirty_cached_.push_back(entry);
      }
      group->last_batch = batch_counter_;
      group->updated_at = std::max(group->updated_at, event_time);
      if (variable_size_groups_) {
        const size_t bytes = EstimateBytes(row_key, *group);
        cached_bytes_ += bytes - group->charged_bytes;
        group->charged_bytes = static_cast<uint32_t>(bytes);
      }
      if (changed) Stage({group, row_key, 0, 0, event_time});
      continue;
    }
    bool accepted = false;
    // Adds the row to the group of its key held under [start, end): a window, or a HOP pane.
    auto add_to_group = [&](int64_t start, int64_t end) {
      const std::pair<int64_t, int64_t> window_key{start, end};
      if (current_groups == nullptr || current_window != window_key) {
        current_groups = &windows_[window_key];
        current_window = window_key;
      }
      Groups& groups = *current_groups;
      const std::string_view row_key = key_of(row);
      Groups::value_type* entry = nullptr;
      if (last_entry != nullptr && last_groups == &groups && last_key == row_key) {
        entry = last_entry;  // a run of one key (one group per window: no key at all)
      } else {
        // One hash lookup whether or not the group exists (most rows of a key-per-row stream,
        // like new people per window, create one).
        auto [it, created] = one_window_per_row
                                 ? groups.try_emplace_hashed(row_key, key_hashes_[row])
                                 : groups.try_emplace(row_key);
        if (created) it->second = NewGroup(key_columns, row);
        entry = &*it;
        last_entry = entry;
        last_groups = &groups;
        last_key = row_key;
      }
      const bool changed = Update(entry->second, row);
      if (table_ != nullptr) MarkDirty(*entry, start, end);
      accepted = true;
      // Staged now: the row shows the group as of this record.
      if (plan_.emit_changes && changed) Stage({&entry->second, row_key, start, end, event_time});
    };
    auto add_to_window = [&](int64_t start, int64_t end) {
      // The window already closed and was emitted: adding to it would be silently lost.
      if (window.type != WindowType::kNone && end <= watermark_) return;
      add_to_group(start, end);
    };
    if (window.type == WindowType::kHop && pane_ms_ == 0) {
      // Every window [s, s + size) with s a multiple of advance and s <= t < s + size, oldest
      // first.
      int64_t last_start = FloorTo(event_time, window.advance_ms);
      int64_t first_start = last_start;
      while (first_start - window.advance_ms > event_time - window.size_ms) {
        first_start -= window.advance_ms;
      }
      for (int64_t start = first_start; start <= last_start; start += window.advance_ms) {
        add_to_window(start, start + window.size_ms);
      }
    } else if (window.type == WindowType::kHop) {
      // Late once the last window holding the row (the one starting at or before it) closed.
      if (FloorTo(event_time, window.advance_ms) + window.size_ms > watermark_) {
        add_to_group(row_windows_[row].first, row_windows_[row].second);
      }
    } else if (row_windows_[row].first < row_windows_[row].second ||
               window.type == WindowType::kNone) {
      // An upstream window that is NULL or empty holds no row: late.
      add_to_window(row_windows_[row].first, row_windows_[row].second);
    }
    if (!accepted) ++late_records_;
  }
  RETURN_NOT_OK(FlushStaged(output));
  if (cached_groups_ != nullptr && cached_bytes_ > cache_max_bytes_) return EvictColdGroups();
  return Status::OK();
}

Status WindowAggregateOperator::ProcessSessionRow(const std::string& key,
                                                  const std::vector<Column>& key_columns,
                                                  size_t row, int64_t event_time,
                                                  RecordBatch& output) {
  const int64_t gap = plan_.window.gap_ms;
  if (event_time + gap <= watermark_) {
    ++late_records_;
    return Status::OK();
  }
  std::vector<Session>& sessions = sessions_[key];
  Session merged{event_time, event_time + gap, NewGroup(key_columns, row)};
  // A record within `gap` of one or more sessions bridges them into one.
  std::vector<Session> kept;
  for (Session& session : sessions) {
    if (session.start < merged.end && merged.start < session.end) {
      merged.start = std::min(merged.start, session.start);
      merged.end = std::max(merged.end, session.end);
      for (size_t call_idx = 0; call_idx < plan_.aggregates.size(); ++call_idx) {
        MergeAccumulator(plan_.aggregates[call_idx], session.group.accumulators[call_idx],
                         merged.group.accumulators[call_idx]);
      }
    } else {
      kept.push_back(std::move(session));
    }
  }
  Update(merged.group, row);
  if (table_ != nullptr) dirty_sessions_[key] = true;
  kept.push_back(std::move(merged));
  std::sort(kept.begin(), kept.end(),
            [](const Session& a, const Session& b) { return a.start < b.start; });
  sessions = std::move(kept);
  if (plan_.emit_changes) {
    // Sessions move as later rows merge them, so the row goes out now, not at the batch end.
    for (Session& session : sessions) {
      if (session.start <= event_time && event_time < session.end) {
        Stage({&session.group, key, session.start, session.end, event_time});
        return FlushStaged(output);
      }
    }
  }
  return Status::OK();
}

void WindowAggregateOperator::Stage(const PendingRow& pending_row) {
  if (staged_.num_columns() == 0) staged_ = RecordBatch(plan_.schema);
  size_t column_idx = 0;
  if (plan_.num_window_columns() > 0) {
    staged_.column(column_idx++).AppendInt64(pending_row.window_start);
    staged_.column(column_idx++).AppendInt64(pending_row.window_end);
  }
  if (keep_key_values_) {
    for (const Value& key : pending_row.group->key_values())
      staged_.column(column_idx++).AppendValue(key);
  } else {
    // The operator encoded the key itself: malformed bytes cannot occur, a NULL would show it.
    std::string_view encoded = pending_row.key;
    for (size_t key_idx = 0; key_idx < plan_.keys.size(); ++key_idx) {
      Column& column = staged_.column(column_idx++);
      if (!DecodeCell(encoded, column)) column.AppendNull();
    }
  }
  for (size_t call_idx = 0; call_idx < plan_.aggregates.size(); ++call_idx) {
    AppendResult(plan_.aggregates[call_idx], pending_row.group->accumulators[call_idx],
                 staged_.column(column_idx++));
  }
  staged_.meta().push_back(RecordMeta{pending_row.event_time, 0, 0, RowKind::kUpsert});
  staged_.keys().emplace_back();
  staged_groups_.push_back(pending_row.group);
}

Status WindowAggregateOperator::FlushStaged(RecordBatch& output) {
  if (staged_groups_.empty()) return Status::OK();
  RecordBatch rows = std::move(staged_);
  staged_ = RecordBatch();
  std::vector<Group*> groups = std::move(staged_groups_);
  staged_groups_.clear();
  // Only a changelog reads `emitted` (to retract a group HAVING drops now): window rows go out
  // as staged unless HAVING drops some, and their groups are not touched again (a close stages
  // 100K+ of them, in no order in memory).
  const bool changelog = plan_.window.type == WindowType::kNone;
  if (!changelog && !plan_.having) {
    AppendRows(std::move(rows), output);
    return Status::OK();
  }
  std::vector<uint8_t> keep(rows.num_rows(), 1);
  if (plan_.having) RETURN_NOT_OK(EvaluateFilter(*plan_.having, rows, &keep, context_));
  bool dropped = false;
  for (size_t row = 0; row < rows.num_rows(); ++row) {
    if (!changelog) {
      dropped = dropped || !keep[row];
      continue;
    }
    Group& group = *groups[row];
    if (keep[row]) {
      group.emitted = true;
    } else if (group.emitted) {
      // The group no longer satisfies HAVING: retract what the changelog holds for its key.
      group.emitted = false;
      rows.meta()[row].kind = RowKind::kDelete;
      keep[row] = 1;
    } else {
      dropped = true;
    }
  }
  if (dropped) rows.Filter(keep);  // without HAVING, or all passing, every row goes out as is
  AppendRows(std::move(rows), output);
  return Status::OK();
}

}  // namespace sluice
