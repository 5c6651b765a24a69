#pragma once
// Runs an interval join of two streams: a left row at time t and a right row at time u match when
// their keys are equal, u lies in [t - before, t + after] and the rest of ON holds. Each arriving
// row probes the rows the other side buffers, then is buffered itself until the join's watermark
// passes the end of its interval (left: t + after, right: u + before): no later on-time row of the
// other side can match it then, so it is purged, and an outer join emits it with NULLs if it never
// matched. The state is therefore bounded by the rows of one interval's width.
//
// Output event time: the larger of the two rows' times for a match (the moment both existed);
// the row's own time for an outer row.

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "runtime/operator/join_operator.h"
#include "runtime/operator/join_row_store.h"

namespace sluice {

class IntervalJoinOperator final : public JoinOperator {
 public:
  IntervalJoinOperator(const PhysicalJoin& plan, EvalContext& context);

  Status ProcessSide(JoinSide side, const RecordBatch& input,
                     const std::vector<int64_t>& watermark_before_row,
                     RecordBatch& output) override;
  Status AdvanceWatermark(int64_t watermark, RecordBatch& output) override;
  // State table: 'L' or 'R' + the chunk's first row index -> its live rows
  // (interval_join_state.cc).
  Status AttachState(StateTable* table) override;
  // Incremental: rewrites the chunks of rows that were added, purged or newly matched since the
  // last checkpoint and deletes the chunks emptied since, so its cost follows the input rate, not
  // the state size, with one write per chunk rather than per row.
  Status PrepareCheckpoint() override;
  size_t state_rows() const override { return sides_[0].size() + sides_[1].size(); }
  // Past `resident_budget_bytes` per side, the oldest rows move to a file in `dir`.
  void SetSpill(const std::string& dir, size_t resident_budget_bytes) override;
  size_t unsaved_bytes() const override {
    return sides_[0].unsaved_bytes() + sides_[1].unsaved_bytes();
  }
  // Bytes of the rows held in memory (both sides), for tests and metrics.
  size_t resident_bytes() const { return sides_[0].resident_bytes() + sides_[1].resident_bytes(); }
  void AddStateCounters(StateCounters& counters) const override;

 private:
  // Pairs awaiting the rest of ON are filtered once this many pile up within a batch.
  static constexpr size_t kMaxCandidates = 4096;
  struct Candidate {
    int64_t left;  // row indexes in the sides' stores
    int64_t right;
  };

  // How far past its own time a side's row can still meet on-time rows of the other side.
  int64_t Reach(JoinSide side) const {
    return side == JoinSide::kLeft ? plan_.after_ms : plan_.before_ms;
  }
  JoinRowStore& store(JoinSide side) { return sides_[static_cast<int>(side)]; }
  // Pairs row `row` of `input` (buffered as `index`) with the other side's rows in reach, from
  // `newest` (the other side's Newest of the row's key hash) on: into candidates_ when ON has a
  // rest to apply, else into `output`.
  Status Probe(JoinSide side, const RecordBatch& input, size_t row, int64_t index, int64_t newest,
               RecordBatch& output);
  // Both rows of a pair matched (only an outer side's flag is ever read: a no-op for an inner
  // join).
  void MarkMatched(const Candidate& pair) {
    if (tracks_matches_) MarkMatchedRows(pair);
  }
  void MarkMatchedRows(const Candidate& pair);
  // Appends the pairs held back in pending_ to `target` (see pending_rows_).
  Status FlushPairs(JoinSide side, const RecordBatch& input, RecordBatch& target);
  // Applies the rest of ON to candidates_, marks the survivors' rows matched, and moves them to
  // `output`.
  Status EmitCandidates(RecordBatch& output);
  // The state-table key of the chunk of `side`'s rows starting at index `first`.
  static std::string TableKey(int side_idx, int64_t first);
  // Puts the live rows of the chunk starting at `first`, or a reference to its image in the
  // spill file (or deletes it when none is left).
  Status WriteChunk(int side_idx, int64_t first);
  // A chunk's value that references its image (interval_join_state.cc).
  static constexpr uint32_t kImageMark = 0xFFFFFFFF;
  static constexpr size_t kImageRefHeader = 4 + 8 + 8 + 1;
  static void AppendBitmap(const std::vector<uint64_t>& bits, std::string& out);
  Status RestoreImage(JoinRowStore& rows, std::string_view value);
  static Status MalformedRef();

  const bool tracks_matches_;  // an outer join: pairs flag their rows matched
  JoinRowStore sides_[2];
  // Pairs found in the batch being joined whose partner row is resident, not appended yet: the
  // input row, the partner's index and the pair's time. FlushPairs appends them a column at a
  // time, before anything else goes to the same target, so rows keep the order they were found
  // in. (A partner's bytes stay put until the batch ends: rows are purged and spilled only
  // between batches.)
  std::vector<uint32_t> pending_rows_;
  std::vector<int64_t> pending_partners_;
  std::vector<int64_t> pending_times_;
  std::vector<std::string_view> partner_rows_;  // FlushPairs' scratch
  RecordBatch candidates_;                      // pairs found in the current batch, output schema
  std::vector<Candidate> candidate_ids_;
  std::string encoded_;
  // The batch being joined: its encoded keys back to back, where each row's ends, its hash.
  std::string batch_keys_;
  std::vector<size_t> key_ends_;
  std::vector<uint8_t> has_key_;  // 0: a key column is NULL
  std::vector<uint64_t> hashes_;
  std::vector<int64_t> newest_;  // the other side's newest row of each row's key hash
  StateTable* table_ = nullptr;
  // Table keys found at AttachState: the restored rows are rewritten in new chunks at the next
  // checkpoint, which deletes these first.
  std::vector<std::string> restored_keys_;
};

}  // namespace sluice
