#pragma once
// Runs a PhysicalAggregate: GROUP BY over TUMBLE, HOP or SESSION windows of event time, over the
// windows an upstream window aggregate wrote into its rows (kUpstream), or over the whole stream.
// Windowed, it emits one final row per window and key when the watermark reaches the window's end
// (then forgets the window, so state stays flat); with EMIT CHANGES, and always without a window,
// it emits the group's new row after every record instead. Without a window the output is a
// changelog: a record that leaves its group's row as it was emits nothing (aggregate_change.h),
// and a group that stops satisfying HAVING is retracted with a RowKind::kDelete row (a tombstone
// downstream).
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
#include "runtime/operator/accumulator_slots.h"
#include "runtime/operator/aggregate_accumulator.h"
#include "runtime/operator/key_filter.h"
#include "runtime/operator/stateful_operator.h"
#include "runtime/operator/window_group_codec.h"
#include "runtime/operator/window_group_map.h"
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
  // Like AdvanceWatermark, but stages at most about `max_rows` rows of the windows it closes per
  // call: with rows left, *done is false and the caller calls again (same watermark, nothing else
  // in between) for the next slice. So a window of 1M groups leaves as a few batches, not one.
  // (window_aggregate_close.cc)
  Status AdvanceWatermarkSome(int64_t watermark, size_t max_rows, RecordBatch& output, bool* done);
  // Restores the groups saved in `table` by an earlier PrepareCheckpoint and keeps writing
  // there. Without a table (interactive queries) state lives in memory only.
  // REQUIRES: called before the first Process. (window_aggregate_state.cc)
  Status AttachState(StateTable* table);
  // Bounds what a GROUP BY without a window keeps in memory to about `max_bytes` of groups: when
  // a batch leaves more, the least recently updated groups are evicted (a changed one is first
  // written to the table, uncommitted like any checkpoint write) and read back from the table
  // when a record updates them again. Applies only with a table and without a window (windows
  // are purged by the watermark instead). REQUIRES: called before AttachState.
  // (window_aggregate_cache.cc)
  void set_cache_budget(size_t max_bytes) { cache_max_bytes_ = max_bytes; }
  // With a cache budget: a group not updated for `ttl_ms` of event time (its last update at or
  // before watermark - ttl_ms) is dropped, and a later record for its key starts a fresh group.
  // Nothing is emitted when a group expires. REQUIRES: called before AttachState.
  void set_state_ttl(int64_t ttl_ms) { state_ttl_ms_ = ttl_ms; }
  // Incremental: writes the groups updated since the last checkpoint and deletes the windows
  // and sessions closed since then, so its cost follows the input, not the open state.
  Status PrepareCheckpoint() override;
  int64_t late_records() const override { return late_records_; }
  void AddStateCounters(StateCounters& counters) const override;
  const Schema& output_schema() const override { return plan_.schema; }
  // The end of the next window AdvanceWatermark would close (after the watermark), or INT64_MAX
  // when no window is open (sessions and GROUP BY without a window are not counted).
  int64_t NextWindowEnd() const;
  // Groups currently held in memory (all windows), for tests and metrics.
  size_t num_groups() const;
  // With a cache budget: the estimated bytes of the groups held, and how many groups were
  // evicted and read back so far.
  size_t cached_bytes() const { return cached_bytes_; }
  int64_t evictions() const { return evictions_; }
  int64_t reads_back() const { return reads_back_; }
  int64_t expired_groups() const { return expired_groups_; }

 private:
  struct Group {
    // The key values, only when a key cannot be decoded from the encoded key the group is held
    // under (a nested value; see keep_key_values_): a Value is ~140 bytes, so a group of a
    // BIGINT key would otherwise carry 10x its accumulator in key copies. Behind a pointer, as
    // most groups have none.
    struct KeyValues {  // a unique_ptr that copies deeply (closing windows copy groups)
      std::unique_ptr<std::vector<Value>> values;
      KeyValues() = default;
      KeyValues(const KeyValues& other) { *this = other; }
      KeyValues& operator=(const KeyValues& other) {
        if (this != &other) {
          values = other.values ? std::make_unique<std::vector<Value>>(*other.values) : nullptr;
        }
        return *this;
      }
      KeyValues(KeyValues&&) noexcept = default;
      KeyValues& operator=(KeyValues&&) noexcept = default;
    };
    KeyValues keys;
    const std::vector<Value>& key_values() const {
      static const std::vector<Value>* const none = new std::vector<Value>();
      return keys.values != nullptr ? *keys.values : *none;
    }
    std::vector<Value>& mutable_key_values() {
      if (keys.values == nullptr) keys.values = std::make_unique<std::vector<Value>>();
      return *keys.values;
    }
    // Before the accumulators, so the first cache line or two of a map entry (its key's view,
    // these, the first call's accumulator) are all that a row's update touches.
    bool emitted = false;  // a passing row was emitted and not retracted (changelog)
    bool dirty = false;    // updated since the last checkpoint (listed in dirty_)
    // Cache mode (set_cache_budget): the bytes charged for the group, and the batch that last
    // updated it (eviction takes the least recent first).
    uint32_t charged_bytes = 0;
    AccumulatorSlots accumulators;  // inline for one or two calls
    uint64_t last_batch = 0;
    int64_t updated_at = INT64_MIN;  // with a TTL: event time of the latest update
  };
  using Groups = WindowGroupMap<Group>;
  struct Session {
    int64_t start = 0;
    int64_t end = 0;  // last event time + gap
    Group group;
  };
  // A row to stage: which group and window it shows.
  struct PendingRow {
    Group* group;
    std::string_view key;  // the group's encoded key (read while staging only)
    int64_t window_start;
    int64_t window_end;
    int64_t event_time;
  };

  static int64_t FloorTo(int64_t value, int64_t step);
  // The one window (or HOP pane) row `row` of `input` goes to: TUMBLE, HOP in panes, kUpstream
  // (an empty one for a NULL window) or none ((0, 0)). REQUIRES: not a session or a HOP kept as
  // windows.
  std::pair<int64_t, int64_t> RowWindow(const RecordBatch& input, size_t row) const;
  // HOP in panes: queues the windows that closed since `previous_watermark` (each the merge of its
  // panes' groups) in closing_windows_ and lists the panes no open window needs in `dead`.
  // (window_aggregate_panes.cc)
  void ClosePaneWindows(int64_t previous_watermark, std::vector<std::pair<int64_t, int64_t>>& dead);

  Group NewGroup(const std::vector<Column>& key_columns, size_t row) const;
  // Adds input row `row` to `group`. Returns false when, in a GROUP BY without a window, the
  // group's row surely stayed as it was (its changelog then skips the update); true otherwise.
  bool Update(Group& group, size_t row);
  Status ProcessSessionRow(const std::string& key, const std::vector<Column>& key_columns,
                           size_t row, int64_t event_time, RecordBatch& output);
  // Queues the closed window's rows, ordered by group key, in closing_windows_.
  void StageClosedWindow(Groups& groups, int64_t start, int64_t end);
  // Stages up to `max_rows` rows of closing_windows_, in window then key order, dropping the
  // windows done; returns how many. (window_aggregate_close.cc)
  size_t StageClosing(size_t max_rows);
  // Appends the group's current row to staged_ (a snapshot: later updates do not change it).
  void Stage(const PendingRow& row);
  // Applies HAVING to the staged rows and moves what survives (and retractions) to `output`.
  Status FlushStaged(RecordBatch& output);

  const PhysicalAggregate& plan_;
  EvalContext& context_;
  std::vector<Column> argument_columns_;  // per aggregate call, reused across batches
  // ProcessRows' scratch, reused across batches: the batch's encoded keys back to back (row r's
  // ends at key_ends_[r]) and, when each row goes to one window's groups, their hashes and
  // windows.
  std::string batch_keys_;
  std::vector<size_t> key_ends_;
  std::vector<uint64_t> key_hashes_;
  // Cache mode, within one ProcessRows: the group a row of the batch went to, by the low bits of
  // its key's hash (direct-mapped; the key a view of batch_keys_). A GROUP BY over a stream mostly
  // updates a few recent keys: their rows then skip the group map, whose slots of 100K+ groups
  // miss the cache.
  struct RecentGroup {
    uint64_t hash = 0;
    Groups::value_type* entry = nullptr;  // null: empty
    std::string_view key;
  };
  static constexpr size_t kRecentGroups = 256;
  std::vector<RecentGroup> recent_groups_;
  std::vector<std::pair<int64_t, int64_t>> row_windows_;
  // (window_start, window_end) -> groups; ordered so closing windows come first. Non-windowed
  // queries keep everything under (0, 0).
  std::map<std::pair<int64_t, int64_t>, Groups> windows_;
  std::unordered_map<std::string, std::vector<Session>> sessions_;  // by group key, by start
  // HOP without EMIT CHANGES keeps groups per pane (gcd(size, advance) long) in windows_ instead
  // of per window, so a record updates one group, not size/advance of them; a window's groups are
  // merged from its panes when it closes. 0: windows_ holds windows.
  int64_t pane_ms_ = 0;
  // Whether groups keep their key values (Group::keys): only when some key is nested, since
  // every other key type is staged and checkpointed from the encoded key.
  bool keep_key_values_ = false;
  std::deque<Group> closing_;  // merged groups of closing windows, alive until flushed
  // A group in a key order: the key's first 16 bytes as two big-endian numbers (zero-padded),
  // which decide most comparisons without touching the key, and the map entry.
  struct KeyRef {
    uint64_t high;
    uint64_t low;
    Groups::value_type* entry;
  };
  using KeyOrder = std::vector<KeyRef>;
  // Pane -> its groups ordered by key, built when a window over it first closes.
  std::map<std::pair<int64_t, int64_t>, KeyOrder> pane_key_orders_;
  const KeyOrder& PaneKeyOrder(const std::pair<int64_t, int64_t>& pane, Groups& groups);
  // A closed window whose rows are still to stage: the key orders of its panes (or its own
  // groups, in `own`) merged, from `heads` on.
  struct ClosingWindow {
    int64_t start = 0;
    int64_t end = 0;
    std::vector<const KeyOrder*> orders;
    std::vector<size_t> heads;
    KeyOrder own;
  };
  // The next key of `window` staged (merging it across panes); false when the window is done.
  bool StageNextKey(ClosingWindow& window);
  std::deque<ClosingWindow> closing_windows_;
  // A close in progress (AdvanceWatermarkSome): the windows (or panes) to forget once their rows
  // are out.
  bool close_in_progress_ = false;
  std::vector<std::pair<int64_t, int64_t>> closed_pending_;
  // Of the close in progress: the watermark before it and the rows staged so far. A checkpoint
  // taken in between saves both ('p'), so a restored operator closes the same windows again and
  // skips the rows already emitted (resume_*; window_aggregate_state.cc).
  int64_t close_from_watermark_ = INT64_MIN;
  int64_t close_rows_staged_ = 0;
  bool progress_saved_ = false;  // the table holds a 'p' to delete once the close is done
  int64_t resume_close_to_ = INT64_MIN;
  int64_t resume_skip_rows_ = 0;
  // Sets `order` to `groups` ordered by encoded key. (window_aggregate_panes.cc)
  static void SortByKey(Groups& groups, KeyOrder& order);
  // The table key prefix of a window's (or HOP pane's) groups: 'w' + start + end, big-endian
  // with the sign bit flipped, so keys sort by window. (window_aggregate_state.cc)
  static std::string WindowTableKey(int64_t start, int64_t end);
  // WindowTableKey(0, 0): the prefix of a GROUP BY without a window's groups (the cache's).
  static const std::string& NoWindowTableKey();
  // The state table's group encoding, built on first use.
  WindowGroupCodec& codec();
  // Writes `group` (of encoded key `key`) under `table_key`, encoded into `scratch`.
  Status PutGroup(const std::string& table_key, std::string_view key, const Group& group,
                  std::string& scratch);
  std::unique_ptr<WindowGroupCodec> codec_;

  // Marks a window group updated since the last checkpoint.
  void MarkDirty(Groups::value_type& entry, int64_t start, int64_t end);
  // How a window's (or HOP pane's) groups are held in the table: in chunks (window_state_chunk.h),
  // each checkpoint appending the groups it changed. Erased with the window.
  struct ChunkLog {
    uint64_t next_sequence = 0;
    size_t entries = 0;   // group entries in the window's chunks, superseded ones included
    bool legacy = false;  // the table holds per-group keys of an earlier version: rewrite
  };
  std::map<std::pair<int64_t, int64_t>, ChunkLog> chunk_logs_;
  // PrepareCheckpoint of the windows' groups: the dirty ones appended to their window's chunks,
  // or the whole window rewritten once its superseded entries outgrow it.
  // (window_aggregate_state.cc)
  Status WriteDirtyGroups();
  // Writes `entries` of a window as chunks under `window_key`, kChunkTargetBytes or so each.
  Status WriteChunks(const std::string& window_key, const std::vector<Groups::value_type*>& entries,
                     ChunkLog& log);

  // Cache mode: the group entry of `key` (encoded; `hash` its Groups::HashOf) in memory, read
  // back from the table or new.
  Result<Groups::value_type*> CachedGroup(std::string_view key, uint64_t hash,
                                          const std::vector<Column>& key_columns, size_t row);
  // Sets `group` (a new, empty entry's) to `key`'s group as the table holds it, or a new one.
  Status LoadCachedGroup(std::string_view key, const std::vector<Column>& key_columns, size_t row,
                         Group& group);
  // Cache mode: the groups that turned dirty since the last checkpoint, so the checkpoint need
  // not visit every group held (100K+, a cache miss each) to find them. Complete unless an
  // eviction erased groups since (the list may then name erased entries): the checkpoint then
  // scans, as it does with a TTL (expired groups are found by the scan).
  std::vector<Groups::value_type*> dirty_cached_;
  bool dirty_cached_complete_ = true;
  // Cache mode: evicts the least recently updated groups until half the budget is free.
  // REQUIRES: nothing staged (staged rows point at groups).
  Status EvictColdGroups();
  // Cache mode: writes the groups changed since the last checkpoint (the ones evicted since
  // were written when evicted).
  Status PutDirtyCachedGroups();
  // Cache mode with a TTL: the group's last update is a TTL or more behind the watermark.
  bool Expired(const Group& group) const;
  // Cache mode: writes `group` under its table key (and, with a TTL, its update time).
  Status PutCachedGroup(std::string_view key, const Group& group);
  // Cache mode with a TTL: deletes the expired groups the table holds and memory does not (a
  // full scan, at most once per half TTL of event time).
  Status SweepExpiredFromTable();
  // Cache mode: the memory a held group takes, estimated.
  size_t EstimateBytes(std::string_view key, const Group& group) const;

  StateTable* table_ = nullptr;
  size_t cache_max_bytes_ = 0;       // 0: no budget, every group stays in memory
  Groups* cached_groups_ = nullptr;  // windows_[{0, 0}] in cache mode, else null
  // Whether the table may hold groups not in memory (restored or evicted): if not, a new key
  // needs no table read.
  bool table_may_hold_groups_ = false;
  // The keys this operator wrote to the table (PutCachedGroup): with no restored groups, a key
  // it surely did not write needs no table read either (a stream of new keys after evictions).
  KeyFilter written_keys_;
  bool table_held_groups_at_attach_ = false;
  // Some call keeps a value of varying size (strings, COUNT(DISTINCT) sets): the charge of a
  // group is re-estimated after each update.
  bool variable_size_groups_ = false;
  size_t cached_bytes_ = 0;
  uint64_t batch_counter_ = 0;
  int64_t evictions_ = 0;
  int64_t reads_back_ = 0;
  int64_t state_ttl_ms_ = 0;  // 0: groups never expire
  int64_t expired_groups_ = 0;
  int64_t last_table_sweep_ = INT64_MIN;  // the watermark of the last SweepExpiredFromTable
  std::string cache_key_;                 // scratch table key and value for reads and evictions
  std::string cache_value_;
  // Since the last checkpoint: updated window groups, windows closed, and group keys whose
  // sessions changed.
  // The updated groups by window, as map entries (a window's groups are only erased with the
  // window, which drops its list too): 8 bytes per group where a (window, entry) pair per group
  // took 24, and WriteDirtyGroups needs no regrouping copy. A window with 100K+ new groups per
  // checkpoint otherwise faults in megabytes of list.
  std::map<std::pair<int64_t, int64_t>, std::vector<Groups::value_type*>> dirty_;
  // The list of the window MarkDirty added to last (rows come in runs of one window), or null.
  std::vector<Groups::value_type*>* dirty_run_ = nullptr;
  std::pair<int64_t, int64_t> dirty_run_window_;
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
