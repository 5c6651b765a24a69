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
  // A candidate's partner row: a resident row's bytes (stable while the batch is joined), or a
  // spilled row's, copied to spilled_partners_ at `offset` (the file's buffer lasts one visit).
  struct PartnerBytes {
    const char* resident;  // null: spilled
    size_t offset;
    size_t size;
  };

  // How far past its own time a side's row can still meet on-time rows of the other side.
  int64_t Reach(JoinSide side) const {
    return side == JoinSide::kLeft ? plan_.after_ms : plan_.before_ms;
  }
  JoinRowStore& store(JoinSide side) { return sides_[static_cast<int>(side)]; }
  // Pairs row `row` of `input` (buffered as `index`) with the other side's rows in reach, from
  // `newest` (the other side's Newest of the row's key hash) on: into the candidates when ON has
  // a rest to apply, else into `output`.
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
  // Applies the rest of ON to the candidates (pairs of rows of `input`, joined as `side`, with
  // partners), marks the survivors' rows matched, and appends them to `output` in the order found.
  // ON is evaluated over the columns it reads only; the others are built for survivors alone, so
  // a key with many partners and a selective rest (Nexmark q5's num >= maxn) costs little per
  // rejected pair.
  Status EmitCandidates(JoinSide side, const RecordBatch& input, RecordBatch& output);
  // The resident or copied bytes of a candidate's partner.
  std::string_view PartnerRow(const PartnerBytes& partner) const {
    if (partner.resident != nullptr) return {partner.resident, partner.size};
    return std::string_view(spilled_partners_).substr(partner.offset, partner.size);
  }
  // Appends the meta of pairs of rows `rows` of `input` (their times `times`) to `target`.
  static void AppendPairMeta(const RecordBatch& input, const std::vector<uint32_t>& rows,
                             const std::vector<int64_t>& times, RecordBatch& target);
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
  std::vector<std::string_view> partner_rows_;  // FlushPairs' and EmitCandidates' scratch
  // Pairs found in the current batch that await the rest of ON: the input row, the partner's
  // bytes, the pair's time and both rows' indexes.
  std::vector<uint32_t> candidate_rows_;
  std::vector<PartnerBytes> candidate_partners_;
  std::vector<int64_t> candidate_times_;
  std::vector<Candidate> candidate_ids_;
  std::string spilled_partners_;
  // The columns the rest of ON reads, per side (a flag per column of the side).
  std::vector<uint8_t> condition_columns_[2];
  RecordBatch condition_input_;  // those columns of the candidates (the others stay empty)
  std::vector<uint8_t> keep_;
  std::vector<uint32_t> kept_rows_;
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
