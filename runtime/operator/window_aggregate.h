#pragma once
// Runs a PhysicalAggregate: GROUP BY over TUMBLE, HOP or SESSION windows of event time, over the
// windows an upstream window aggregate wrote into its rows (kUpstream), or over the whole stream.
// Windowed, it emits one final row per window and key when the watermark reaches the window's end
// (then forgets the window, so state stays flat); with EMIT CHANGES, and always without a window,
// it emits the group's new row after every record instead. Without a window the output is a
// changelog: a group that stops satisfying HAVING is retracted with a RowKind::kDelete row (a
// tombstone downstream).
//
// A window [start, end) closes once watermark >= end; a record whose windows are all closed is
// late: dropped and counted.

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "runtime/expression/evaluate.h"
#include "runtime/operator/aggregate_accumulator.h"
#include "runtime/operator/stateful_operator.h"
#include "runtime/operator/window_group_codec.h"
#include "runtime/plan/physical_aggregate.h"
#include "storage/state/state_store.h"

namespace sluice {

class WindowAggregateOperator final : public StatefulOperator {
 public:
  // `plan` and `context` must outlive the operator.
  WindowAggregateOperator(const PhysicalAggregate& plan, EvalContext& context);

  Status Process(const RecordBatch& input, RecordBatch& output) override;
  // Like Process, but before row r the watermark first advances to watermark_before_row[r]
  // (closing windows into `output`), so late records are judged row by row within a batch.
  Status ProcessRows(const RecordBatch& input, const std::vector<int64_t>& watermark_before_row,
                     RecordBatch& output);
  Status AdvanceWatermark(int64_t watermark, RecordBatch& output) override;
  // Restores the groups saved in `table` by an earlier PrepareCheckpoint and keeps writing
  // there. Without a table (interactive queries) state lives in memory only.
  // REQUIRES: called before the first Process. (window_aggregate_state.cc)
  Status AttachState(StateTable* table);
  // Incremental: writes the groups updated since the last checkpoint and deletes the windows
  // and sessions closed since then, so its cost follows the input, not the open state.
  Status PrepareCheckpoint() override;
  int64_t late_records() const override { return late_records_; }
  const Schema& output_schema() const override { return plan_.schema; }
  // The end of the next window AdvanceWatermark would close (after the watermark), or INT64_MAX
  // when no window is open (sessions and GROUP BY without a window are not counted).
  int64_t NextWindowEnd() const;
  // Groups currently held (all windows), for tests and metrics.
  size_t num_groups() const;

 private:
  struct Group {
    std::vector<Value> keys;
    std::vector<AggregateAccumulator> accumulators;
    bool emitted = false;  // a passing row was emitted and not retracted (changelog)
    bool dirty = false;    // updated since the last checkpoint (listed in dirty_groups_)
  };
  using Groups = std::unordered_map<std::string, Group>;
  struct Session {
    int64_t start = 0;
    int64_t end = 0;  // last event time + gap
    Group group;
  };
  // A row to stage: which group and window it shows.
  struct PendingRow {
    Group* group;
    int64_t window_start;
    int64_t window_end;
    int64_t event_time;
  };

  static int64_t FloorTo(int64_t value, int64_t step);
  // HOP in panes: stages the windows that closed since `previous_watermark` (each the merge of its
  // panes' groups, in window then key order) and lists the panes no open window needs in `dead`.
  // (window_aggregate_panes.cc)
  void ClosePaneWindows(int64_t previous_watermark, std::vector<std::pair<int64_t, int64_t>>& dead);

  Group NewGroup(const std::vector<Column>& key_columns, size_t row) const;
  void Update(Group& group, size_t row);
  Status ProcessSessionRow(const std::string& key, const std::vector<Column>& key_columns,
                           size_t row, int64_t event_time, RecordBatch& output);
  // Stages the closed window's rows, ordered by group key.
  void StageClosedWindow(Groups& groups, int64_t start, int64_t end);
  // Appends the group's current row to staged_ (a snapshot: later updates do not change it).
  void Stage(const PendingRow& row);
  // Applies HAVING to the staged rows and moves what survives (and retractions) to `output`.
  Status FlushStaged(RecordBatch& output);

  const PhysicalAggregate& plan_;
  EvalContext& context_;
  std::vector<Column> argument_columns_;  // per aggregate call, reused across batches
  // (window_start, window_end) -> groups; ordered so closing windows come first. Non-windowed
  // queries keep everything under (0, 0).
  std::map<std::pair<int64_t, int64_t>, Groups> windows_;
  std::unordered_map<std::string, std::vector<Session>> sessions_;  // by group key, by start
  // HOP without EMIT CHANGES keeps groups per pane (gcd(size, advance) long) in windows_ instead
  // of per window, so a record updates one group, not size/advance of them; a window's groups are
  // merged from its panes when it closes. 0: windows_ holds windows.
  int64_t pane_ms_ = 0;
  std::deque<Group> closing_;  // merged groups of closing windows, alive until flushed
  using KeyOrder = std::vector<std::pair<const std::string*, Group*>>;
  // Pane -> its groups ordered by key, built when a window over it first closes.
  std::map<std::pair<int64_t, int64_t>, KeyOrder> pane_key_orders_;
  const KeyOrder& PaneKeyOrder(const std::pair<int64_t, int64_t>& pane, Groups& groups);
  // Sets `order` to `groups` ordered by encoded key. (window_aggregate_panes.cc)
  static void SortByKey(Groups& groups, KeyOrder& order);
  // The state table's group encoding, built on first use.
  WindowGroupCodec& codec();
  // Writes `group` under `table_key`, encoded into `scratch`.
  Status PutGroup(const std::string& table_key, const Group& group, std::string& scratch);
  std::unique_ptr<WindowGroupCodec> codec_;

  // Marks a window group updated since the last checkpoint.
  void MarkDirty(Group& group, int64_t start, int64_t end, const std::string& key);

  StateTable* table_ = nullptr;
  // Since the last checkpoint: updated window groups (window, group key), windows closed, and
  // group keys whose sessions changed.
  struct DirtyGroup {
    int64_t start;
    int64_t end;
    std::string key;
  };
  std::vector<DirtyGroup> dirty_groups_;
  std::vector<std::pair<int64_t, int64_t>> closed_windows_;
  std::unordered_map<std::string, bool> dirty_sessions_;
  // Session group key -> its table keys as of the last checkpoint.
  std::unordered_map<std::string, std::vector<std::string>> session_table_keys_;
  RecordBatch staged_;
  std::vector<Group*> staged_groups_;  // parallel to staged_'s rows
  int64_t watermark_ = INT64_MIN;
  int64_t late_records_ = 0;
  int64_t sequence_ = 0;  // arrival order, for LATEST/EARLIEST_BY_OFFSET
};

}  // namespace sluice
