#pragma once
// Runs a non-windowed PhysicalAggregate over a changelog (upsert semantics by primary key): a
// row for a key first retracts the key's previous row from its group, then adds itself; a
// tombstone (RowKind::kDelete), or a row that fails the aggregate's own WHERE, only retracts. The
// previous row of every key is kept (group key and arguments as encoded cells), so a restart
// retracts exactly what was added. A group whose last row is retracted is deleted downstream
// with a tombstone; otherwise each touched group emits its new row (a changelog, like every
// non-windowed GROUP BY). A row equal to its key's previous row changes nothing and emits
// nothing.
//
// With a cache budget, previous rows and groups are a cache over the state table: the least
// recently changed ones leave memory when it is full and are read back when a row needs them
// (changelog_aggregate_cache.cc).

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "runtime/expression/evaluate.h"
#include "runtime/operator/key_filter.h"
#include "runtime/operator/previous_row_map.h"
#include "runtime/operator/retractable_accumulator.h"
#include "runtime/operator/stateful_operator.h"
#include "runtime/operator/string_hash.h"
#include "runtime/plan/physical_aggregate.h"
#include "storage/state/state_store.h"

namespace sluice {

class ChangelogAggregateOperator final : public StatefulOperator {
 public:
  // REQUIRES: plan.changelog_key is not empty and plan has no window; `plan` and `context`
  // outlive the operator.
  ChangelogAggregateOperator(const PhysicalAggregate& plan, EvalContext& context);

  Status Process(const RecordBatch& input, RecordBatch& output) override;
  // No window closes: a changelog aggregate emits as it goes.
  Status AdvanceWatermark(int64_t watermark, RecordBatch& output) override;
  // Restores groups and previous rows from `table` (changelog_aggregate_state.cc); without a
  // table (interactive queries) state lives in memory only. REQUIRES: before the first Process.
  Status AttachState(StateTable* table);
  // Bounds what previous rows and groups take in memory to about `max_bytes`: a checkpoint that
  // finds more evicts the least recently changed chunks of previous rows and groups to the table
  // until half the budget is free; they are read back when a row needs them. Applies only with a
  // table; 0: no bound. REQUIRES: called before AttachState. (changelog_aggregate_cache.cc)
  void set_cache_budget(size_t max_bytes) { cache_max_bytes_ = max_bytes; }
  // Memory has outgrown the budget: the caller should checkpoint now (which evicts).
  bool over_budget() const { return caching() && cached_bytes() > cache_max_bytes_; }
  // Incremental: writes the groups and keys changed since the last checkpoint, then evicts when
  // over the budget. REQUIRES: StateStore::Commit before the next Process (the writes skip the
  // table's read index until then).
  Status PrepareCheckpoint() override;
  void AddStateCounters(StateCounters& counters) const override;
  const Schema& output_schema() const override { return plan_.schema; }
  // Groups and previous rows held in memory now, and their estimated bytes.
  size_t num_groups() const { return groups_.size(); }
  size_t num_rows_held() const { return rows_.size(); }
  size_t cached_bytes() const { return rows_bytes_ + groups_bytes_; }
  size_t previous_rows_bytes() const { return rows_bytes_; }

 private:
  struct Group {
    std::vector<Value> keys;
    std::vector<RetractableAccumulator> accumulators;
    int64_t rows = 0;      // input rows (keys of the changelog) in the group now
    bool emitted = false;  // its row downstream is live (emitted and not retracted)
    bool dirty = false;    // changed since the last checkpoint (listed in dirty_groups_)
    // Cache mode: the bytes charged for the group, and the batch that last changed it (eviction
    // takes the least recent first).
    uint32_t charged_bytes = 0;
    uint64_t last_batch = 0;
  };
  // Previous rows: by encoded primary key, what the key's current row contributed, as one string:
  // its group key, then its arguments (one per call; empty for COUNT(*)), each an encoded cell
  // prefixed by its 4-byte length (the form the state table keeps); and the chunk it is saved in
  // (with a table). One heap block per key (previous_row_map.h); entries are addressed by an index
  // that stays while the key lives, which chunks list.
  using RowIndex = uint32_t;
  static constexpr RowIndex kNoRow = PreviousRowMap::kNone;
  // With a table, previous rows are saved in chunks of up to kChunkRows keys, in the order the
  // keys first came: a checkpoint rewrites the chunks holding a changed key, one table write per
  // chunk. Keys of a changelog tend to change soon after they first appear (an auction's bids),
  // so the changed keys of an interval share few chunks, and the writes drop by up to kChunkRows.
  // A chunk is also the unit of eviction: its keys leave memory together, each written to the
  // table under its own key ('p'), since a later row finds its previous row by key alone. An
  // evicted chunk's id is reused (its table entry rewritten or deleted at the next checkpoint).
  static constexpr size_t kChunkRows = 32;
  static constexpr uint32_t kNoChunk = 0xFFFFFFFF;
  struct Chunk {
    std::vector<RowIndex> members;
    bool dirty = false;       // listed in dirty_chunks_
    uint64_t last_batch = 0;  // the batch that last changed a member
  };

  // By encoded group key; looked up by a string_view of it without building a string.
  struct GroupKeyHash {
    using is_transparent = void;
    size_t operator()(std::string_view key) const { return MixedStringHash(key); }
  };
  using GroupMap = std::unordered_map<std::string, Group, GroupKeyHash, std::equal_to<>>;
  // The group of `group_key`, created from `key_columns_` when absent (or read back from the
  // table in cache mode).
  Result<GroupMap::iterator> GroupOf(std::string_view group_key);
  // Notes that a row changed the group: cache charge, touched_, dirty, emptied.
  void Touch(GroupMap::iterator it);
  // Adds or retracts `row` (a previous row's bytes; sign +1 / -1) in its group.
  Status Apply(std::string_view row, int sign);
  // The same for a row already split into its group key and arguments.
  Status Apply(std::string_view group_key, const std::vector<std::string_view>& arguments,
               int sign);
  // A key's row `previous` (bytes) replaced by the next one (split): Apply(previous, -1) then
  // Apply(next, +1), with one group lookup when both are in the same group.
  Status Replace(std::string_view previous, std::string_view next_group,
                 const std::vector<std::string_view>& next_arguments);
  // Chunk bookkeeping (with a table): a new key joins the open chunk; a changed or removed key
  // marks its chunk for rewriting.
  void AddToChunk(RowIndex entry);
  void RemoveFromChunk(RowIndex entry);
  void MarkChunkDirty(uint32_t chunk);
  // Stages the touched groups' rows in touch order, snapshots of their values now. An emptied
  // group is staged as a deletion; it is forgotten when the batch is flushed, unless refilled.
  void StageTouched(int64_t event_time);
  // Applies HAVING to the staged rows and moves what survives, and retractions, to `output`;
  // then forgets the groups left empty.
  Status FlushStaged(RecordBatch& output);
  void MarkDirty(const std::string& group_key, Group& group);

  // Cache mode (changelog_aggregate_cache.cc). The previous row of `primary_key` read back from
  // the table into rows_ (and out of the table), or kNoRow when the table has none.
  Result<RowIndex> ReadBackRow(const std::string& primary_key);
  // The group of `group_key` read back from the table into groups_, or groups_.end().
  Result<GroupMap::iterator> ReadBackGroup(std::string_view group_key);
  // Evicts the least recently changed chunks and groups until half the budget is free: a
  // chunk's rows are written under their own keys, in key order, and its entry deleted (by the
  // caller when the chunk is dirty); a changed group is written. REQUIRES: nothing staged
  // (staged rows point at groups), and before the dirty chunks are written (PrepareCheckpoint).
  Status EvictCold();
  // The estimated memory of a held previous row: its block, pointer and index slots, and its
  // index in its chunk's members.
  size_t RowBytes(RowIndex entry) const { return rows_.EntryBytes(entry, sizeof(RowIndex)); }
  size_t GroupBytes(const std::string& group_key, const Group& group) const;
  bool caching() const { return cache_max_bytes_ > 0 && table_ != nullptr; }

  // State rows (changelog_aggregate_state.cc).
  Schema GroupStateSchema() const;
  // Appends `group` as a row of GroupStateSchema to `rows`.
  static void AppendGroupRow(const Group& group, RecordBatch& rows);
  // Decodes a group saved under 'g'. REQUIRES: `row` is an empty batch of the decoder's schema.
  Status DecodeGroup(std::string_view value, class JsonRecordDecoder& decoder, RecordBatch& row,
                     Group& group) const;
  // Splits a previous row's bytes into its group key and `num_calls` arguments; false when
  // malformed.
  static bool SplitPrevious(std::string_view bytes, size_t num_calls, std::string_view* group_key,
                            std::vector<std::string_view>* arguments);
  static std::string ChunkTableKey(uint32_t chunk);
  // Restores one chunk's keys (changelog_aggregate_state.cc).
  Status RestoreChunk(uint32_t chunk, std::string_view value);
  // Restores the chunks of previous rows, evicting as the budget fills.
  Status RestoreChunks();

  const PhysicalAggregate& plan_;
  EvalContext& context_;
  std::vector<PhysicalKind> argument_kinds_;  // per call
  GroupMap groups_;
  PreviousRowMap rows_;
  // Groups are only erased by FlushStaged, so these pointers stay valid within a batch.
  RecordBatch staged_;
  std::vector<Group*> staged_groups_;  // parallel to staged_'s rows
  std::vector<uint8_t> staged_empty_;  // the row deletes its group
  std::vector<std::string> emptied_;   // groups emptied in this batch (by key)
  // Within one input row: the groups it changed, in order (at most two).
  std::vector<Group*> touched_;
  // Filled by Process for the group being created (its key values).
  const std::vector<Column>* key_columns_ = nullptr;
  size_t key_row_ = 0;
  std::string next_;                   // scratch: the row being read, as a previous row's bytes
  std::vector<size_t> argument_ends_;  // scratch: where next_'s arguments end
  std::vector<std::string_view> argument_views_;  // next_'s arguments
  std::vector<std::string_view> previous_views_;  // scratch: a previous row's arguments
  // The batch being aggregated: its encoded primary keys back to back, where each row's ends,
  // its hash.
  std::string batch_keys_;
  std::vector<size_t> key_ends_;
  std::vector<uint64_t> key_hashes_;
  StateTable* table_ = nullptr;
  // Groups changed since the last checkpoint (a key may repeat: PrepareCheckpoint writes it
  // once).
  std::vector<std::string> dirty_groups_;
  std::vector<Chunk> chunks_;  // by chunk id
  std::vector<uint32_t> dirty_chunks_;
  uint32_t open_chunk_ = kNoChunk;  // where new keys go, while it has room
  size_t open_chunk_added_ = 0;

  // Cache mode (set_cache_budget).
  size_t cache_max_bytes_ = 0;         // 0: everything stays in memory
  std::vector<uint32_t> free_chunks_;  // ids of evicted chunks, for new keys
  // Keys the table may hold outside memory: previous rows under 'p' and groups under 'g' that
  // were evicted or not loaded at restore. A key surely absent costs no table read (most keys of
  // a changelog are new when they first come).
  KeyFilter rows_in_table_;
  KeyFilter groups_in_table_;
  bool variable_size_groups_ = false;  // MIN, MAX or COUNT(DISTINCT): re-estimated per change
  size_t rows_bytes_ = 0;
  size_t groups_bytes_ = 0;
  uint64_t batch_counter_ = 0;
  int64_t rows_evicted_ = 0;
  int64_t rows_read_back_ = 0;
  int64_t groups_evicted_ = 0;
  int64_t groups_read_back_ = 0;
  std::string table_key_;  // scratch table key and value for reads and evictions
  std::string table_value_;
};

}  // namespace sluice
