#pragma once
// The run-time side of a PhysicalJoin: the rows (interval join) or versions (temporal join) it
// keeps, fed by the JoinStage with the batches of both sources. Like every StatefulOperator it
// keeps its state in memory and writes it to its StateTable at checkpoints; joins write only
// what changed since the last checkpoint.
//
// Lateness: a row whose event time is behind the join's watermark (the minimum of both sides')
// is late: dropped and counted, since what it could have matched may already be purged.

#include <cstdint>
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
  JoinOperator(const PhysicalJoin& plan, EvalContext& context) : plan_(plan), context_(context) {}

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

  Status Process(const RecordBatch& input, RecordBatch& output) override {
    return ProcessSide(JoinSide::kLeft, input, {}, output);
  }
  int64_t late_records() const override { return late_records_; }
  const Schema& output_schema() const override { return plan_.schema; }

 protected:
  // Evaluates `side`'s key expressions over `input` into key_columns_.
  Status EvaluateKeys(JoinSide side, const RecordBatch& input);
  // The encoded key of `row` (after EvaluateKeys); false when a key cell is NULL (never equal).
  bool EncodeKey(size_t row, std::string& key) const;
  // Appends an output row: the left values (or NULLs), then the right values (or NULLs).
  void AppendJoined(const std::vector<Value>* left, const std::vector<Value>* right,
                    const RecordMeta& meta, RecordBatch& output) const;
  size_t width(JoinSide side) const {
    return side == JoinSide::kLeft ? plan_.left_width : plan_.schema.size() - plan_.left_width;
  }
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
  int64_t watermark_ = INT64_MIN;  // the last AdvanceWatermark
};

}  // namespace sluice
