#pragma once
// The run-time side of a PhysicalJoin: the rows (interval join) or versions (temporal join) it
// keeps, fed by the JoinStage with the batches of both sources. Like every StatefulOperator it
// keeps its state in memory and writes it to its StateTable at checkpoints; joins write only
// what changed since the last checkpoint.
//
// Lateness: a row whose event time is behind the join's watermark (the minimum of both sides')
// is late: dropped and counted, since what it could have matched may already be purged.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "runtime/expression/evaluate.h"
#include "runtime/operator/join_row_codec.h"
#include "runtime/operator/stateful_operator.h"
#include "runtime/plan/physical_join.h"
#include "storage/state/state_store.h"

namespace sluice {

class JoinOperator : public StatefulOperator {
 public:
  // `plan` and `context` must outlive the operator.
  JoinOperator(const PhysicalJoin& plan, EvalContext& context);

  // Consumes a batch of `side`'s source rows. Before row r the join's watermark is
  // watermark_before_row[r] (late rows are judged row by row, however rows were batched).
  [[nodiscard]] virtual Status ProcessSide(JoinSide side, const RecordBatch& input,
                                           const std::vector<int64_t>& watermark_before_row,
                                           RecordBatch& output) = 0;
  // Restores what `table` holds from an earlier checkpoint and keeps writing there. Without a
  // table (interactive queries) state lives in memory only. REQUIRES: before the first batch.
  [[nodiscard]] virtual Status AttachState(StateTable* table) = 0;
  // Rows (or versions) held now, for tests and metrics.
  virtual size_t state_rows() const = 0;
  // Lets state larger than `resident_budget_bytes` move to files in `dir` (a join that keeps
  // little per key ignores it). REQUIRES: before AttachState.
  virtual void SetSpill(const std::string& dir, size_t resident_budget_bytes) {}
  // Roughly what the next PrepareCheckpoint writes (0: not tracked).
  virtual size_t unsaved_bytes() const { return 0; }

  Status Process(const RecordBatch& input, RecordBatch& output) override {
    return ProcessSide(JoinSide::kLeft, input, {}, output);
  }
  int64_t late_records() const override { return late_records_; }
  // Late rows dropped before they reached the join (by a filter pushed below it) still count.
  void CountLate(int64_t rows) { late_records_ += rows; }
  const Schema& output_schema() const override { return plan_.schema; }

 protected:
  // Evaluates `side`'s key expressions over `input` into key_columns_.
  Status EvaluateKeys(JoinSide side, const RecordBatch& input);
  // The encoded key of `row` (after EvaluateKeys); false when a key cell is NULL (never equal).
  bool EncodeKey(size_t row, std::string& key) const {
    key.clear();
    return AppendKey(row, key);
  }
  // EncodeKey appending to `out`, which is left as it was when the key is NULL.
  bool AppendKey(size_t row, std::string& out) const;
  // AppendKey of each of the first `num_rows` rows: ends[r] is where row r's key ends in `out`
  // and has_key[r] is 0 for a NULL key (which appends nothing).
  void AppendKeys(size_t num_rows, std::string& out, std::vector<size_t>& ends,
                  std::vector<uint8_t>& has_key) const;
  // Output rows are built a side at a time: the side's cells from its source batch, from a
  // kept row's bytes (JoinRowCodec) or NULLs, then FinishRow.
  void AppendCells(JoinSide side, const RecordBatch& input, size_t row, RecordBatch& out) const;
  // AppendCells for rows `rows` of `input`, in that order, a column at a time (one type dispatch
  // per column instead of per cell); only the side's columns i with (*only)[i] != 0 when `only`
  // is given.
  void AppendCellsOfRows(JoinSide side, const RecordBatch& input, const std::vector<uint32_t>& rows,
                         RecordBatch& out, const std::vector<uint8_t>* only = nullptr) const;
  Status AppendStored(JoinSide side, std::string_view bytes, RecordBatch& out) {
    return codecs_[static_cast<int>(side)]->Decode(bytes, out, offset(side));
  }
  // AppendStored of each of `rows`, in order (of the columns `only` names, as above).
  Status AppendStoredRows(JoinSide side, const std::vector<std::string_view>& rows,
                          RecordBatch& out, const std::vector<uint8_t>* only = nullptr) {
    return codecs_[static_cast<int>(side)]->DecodeRows(rows, out, offset(side), only);
  }
  void AppendNulls(JoinSide side, RecordBatch& out) const;
  static void FinishRow(const RecordMeta& meta, RecordBatch& out) {
    out.meta().push_back(meta);
    out.keys().emplace_back();
  }
  // Encodes row `row` of `side`'s source batch for keeping.
  void EncodeRow(JoinSide side, const RecordBatch& input, size_t row, int64_t time, bool flag,
                 std::string& out) const {
    codecs_[static_cast<int>(side)]->Encode(input, row, time, flag, out);
  }
  size_t width(JoinSide side) const {
    return side == JoinSide::kLeft ? plan_.left_width : plan_.schema.size() - plan_.left_width;
  }
  size_t offset(JoinSide side) const { return side == JoinSide::kLeft ? 0 : plan_.left_width; }
  // The side's source schema (its slice of the output columns).
  Schema SideSchema(JoinSide side) const;
  // True (and counted) when row `row` is behind the join's watermark before it:
  // watermark_before_row[row], or watermark_ when the caller passed none.
  bool IsLate(const RecordBatch& input, size_t row,
              const std::vector<int64_t>& watermark_before_row) {
    const int64_t watermark =
        row < watermark_before_row.size() ? watermark_before_row[row] : watermark_;
    if (input.meta()[row].timestamp >= watermark) return false;
    ++late_records_;
    return true;
  }

  const PhysicalJoin& plan_;
  EvalContext& context_;
  std::vector<Column> key_columns_;
  int64_t late_records_ = 0;
  int64_t watermark_ = INT64_MIN;            // the last AdvanceWatermark
  std::unique_ptr<JoinRowCodec> codecs_[2];  // per side, over SideSchema(side)
};

}  // namespace sluice
