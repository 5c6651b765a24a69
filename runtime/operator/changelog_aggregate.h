#pragma once
// Runs a non-windowed PhysicalAggregate over a changelog (upsert semantics by primary key): a
// row for a key first retracts the key's previous row from its group, then adds itself; a
// tombstone (RowKind::kDelete), or a row that fails the aggregate's own WHERE, only retracts. The
// previous row of every key is kept (group key and arguments as encoded cells), so a restart
// retracts exactly what was added. A group whose last row is retracted is deleted downstream
// with a tombstone; otherwise each touched group emits its new row (a changelog, like every
// non-windowed GROUP BY). A row equal to its key's previous row changes nothing and emits
// nothing.

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "runtime/expression/evaluate.h"
#include "runtime/operator/retractable_accumulator.h"
#include "runtime/operator/stateful_operator.h"
#include "runtime/operator/window_group_map.h"
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
  // Incremental: writes the groups and keys changed since the last checkpoint.
  Status PrepareCheckpoint() override;
  const Schema& output_schema() const override { return plan_.schema; }
  size_t num_groups() const { return groups_.size(); }

 private:
  struct Group {
    std::vector<Value> keys;
    std::vector<RetractableAccumulator> accumulators;
    int64_t rows = 0;      // input rows (keys of the changelog) in the group now
    bool emitted = false;  // its row downstream is live (emitted and not retracted)
    bool dirty = false;    // changed since the last checkpoint (listed in dirty_groups_)
  };
  // What a key's current row contributed, as one string: its group key, then its arguments
  // (one per call; empty for COUNT(*)), each an encoded cell prefixed by its 4-byte length. One
  // allocation per key, and the form the state table keeps.
  struct PreviousRow {
    std::string bytes;
    uint32_t chunk = 0;  // the state chunk it is saved in (with a table)
  };
  // By encoded primary key; flat (no node per key, lookups by string_view), and entries keep
  // their addresses, which chunks point at.
  using Rows = WindowGroupMap<PreviousRow>;
  // With a table, previous rows are saved in chunks of up to kChunkRows keys, in the order the
  // keys first came: a checkpoint rewrites the chunks holding a changed key, one table write per
  // chunk. Keys of a changelog tend to change soon after they first appear (an auction's bids),
  // so the changed keys of an interval share few chunks, and the writes drop by up to kChunkRows.
  static constexpr size_t kChunkRows = 32;
  static constexpr uint32_t kNoChunk = 0xFFFFFFFF;  // restored from a 'p' key, not chunked yet
  struct Chunk {
    std::vector<Rows::value_type*> members;  // node pointers: stable while the key lives
    bool dirty = false;                      // listed in dirty_chunks_
  };

  // Adds or retracts `row` (PreviousRow::bytes; sign +1 / -1) in its group, creating the group
  // from `key_columns_` when absent.
  void Apply(std::string_view row, int sign);
  // Chunk bookkeeping (with a table): a new key joins the open chunk; a changed or removed key
  // marks its chunk for rewriting.
  void AddToChunk(Rows::value_type& entry);
  void RemoveFromChunk(Rows::value_type& entry);
  void MarkChunkDirty(uint32_t chunk);
  // Stages the touched groups' rows in touch order, snapshots of their values now. An emptied
  // group is staged as a deletion; it is forgotten when the batch is flushed, unless refilled.
  void StageTouched(int64_t event_time);
  // Applies HAVING to the staged rows and moves what survives, and retractions, to `output`;
  // then forgets the groups left empty.
  Status FlushStaged(RecordBatch& output);
  void MarkDirty(const std::string& group_key, Group& group);

  // State rows (changelog_aggregate_state.cc).
  Schema GroupStateSchema() const;
  // Splits a PreviousRow's bytes into its group key and `num_calls` arguments; false when
  // malformed.
  static bool SplitPrevious(std::string_view bytes, size_t num_calls, std::string_view* group_key,
                            std::vector<std::string_view>* arguments);
  static std::string ChunkTableKey(uint32_t chunk);
  // Restores one chunk's keys (changelog_aggregate_state.cc).
  Status RestoreChunk(uint32_t chunk, std::string_view value);

  const PhysicalAggregate& plan_;
  EvalContext& context_;
  std::vector<PhysicalKind> argument_kinds_;       // per call
  std::unordered_map<std::string, Group> groups_;  // by encoded group key
  Rows rows_;
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
  std::string next_;  // scratch: the row being read, as PreviousRow::bytes
  std::string cell_;  // scratch: one encoded cell
  std::vector<std::string_view> argument_views_;  // scratch for Apply
  StateTable* table_ = nullptr;
  // Groups changed since the last checkpoint (a key may repeat: PrepareCheckpoint writes it
  // once).
  std::vector<std::string> dirty_groups_;
  std::vector<Chunk> chunks_;  // by chunk id
  std::vector<uint32_t> dirty_chunks_;
  uint32_t open_chunk_ = 0;  // where new keys go, while it has room
  size_t open_chunk_added_ = 0;
  // Table keys of rows saved one per key (before chunks): deleted at the next checkpoint, which
  // saves their rows in chunks.
  std::vector<std::string> unchunked_keys_;
};

}  // namespace sluice
