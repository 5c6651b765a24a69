#pragma once
// The running value of one aggregate call for one group: COUNT, SUM, AVG, MIN, MAX,
// LATEST_BY_OFFSET, EARLIEST_BY_OFFSET. NULL inputs are skipped by every function except
// COUNT(*), as in SQL; LATEST/EARLIEST_BY_OFFSET skip NULLs too (ksqlDB's default). Merge exists
// for session windows, which combine two sessions when a record bridges the gap between them.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_set>
#include <vector>

#include "common/batch.h"
#include "runtime/plan/aggregate_spec.h"
#include "storage/state/state_store.h"

namespace sluice {

struct AggregateAccumulator {
  int64_t count = 0;  // rows counted (COUNT) or non-NULL inputs seen (others)
  // SUM and AVG keep the sums; MIN/MAX keep the best cell by physical kind (LATEST/EARLIEST keep
  // the cell, in Extra). No call keeps both, so each sum shares its bytes with a best: a window
  // operator holds one accumulator per group and call, and 16 bytes less of each is 16 bytes
  // less per group and call.
  union {
    int64_t int_sum = 0;
    int64_t best_int;
  };
  union {
    double double_sum = 0;
    double best_double;
  };
  // What only string MIN/MAX, LATEST/EARLIEST and COUNT(DISTINCT) use, allocated on first use: a
  // window operator holds one accumulator per group and call (100K+ of them), and COUNT, SUM or a
  // numeric MIN/MAX would otherwise carry ~200 unused bytes each.
  struct Extra {
    std::string best_string;
    Value best_value;
    // LATEST/EARLIEST: the arrival sequence number best_value came with, so merged sessions
    // still pick by arrival order.
    int64_t best_sequence = 0;
    std::unordered_set<std::string> distinct;  // COUNT(DISTINCT): encoded cells
  };
  std::unique_ptr<Extra> extra;

  AggregateAccumulator() = default;
  AggregateAccumulator(const AggregateAccumulator& other) { *this = other; }
  AggregateAccumulator& operator=(const AggregateAccumulator& other);
  AggregateAccumulator(AggregateAccumulator&&) noexcept = default;
  AggregateAccumulator& operator=(AggregateAccumulator&&) noexcept = default;

  Extra& mutable_extra() {
    if (extra == nullptr) extra = std::make_unique<Extra>();
    return *extra;
  }
  const std::string& best_string() const;
  const Value& best_value() const;
  int64_t best_sequence() const { return extra != nullptr ? extra->best_sequence : 0; }
  const std::unordered_set<std::string>& distinct() const;
};

// Adds row `row` of `argument` (ignored for COUNT(*)); `sequence` increases with arrival order.
void Accumulate(const AggregateCall& call, const Column* argument, size_t row, int64_t sequence,
                AggregateAccumulator& accumulator);
void MergeAccumulator(const AggregateCall& call, const AggregateAccumulator& from,
                      AggregateAccumulator& into);
// The aggregate's current value, appended to `out` (a column of call.type).
void AppendResult(const AggregateCall& call, const AggregateAccumulator& accumulator, Column& out);
// Appends the value of COUNT, SUM or AVG computed from a running count and sums (NULL for a SUM or
// AVG of no input) and returns true; returns false, appending nothing, for other functions.
bool AppendArithmeticResult(const AggregateCall& call, int64_t count, int64_t int_sum,
                            double double_sum, Column& out);
// Appends every row of `rows` to `output` (same schema), meta included; into an empty `output`
// the batch moves instead of being copied.
void AppendRows(RecordBatch&& rows, RecordBatch& output);
// The state row schema both aggregate operators checkpoint groups with: one field per group key
// ("k0", ...), then per call "a<i>_count", "a<i>_isum", "a<i>_dsum" and the fields
// `add_call_fields(prefix, call_idx, schema)` adds, then the operator's trailing fields.
Schema AggregateStateSchema(const std::vector<std::unique_ptr<Expression>>& keys, size_t num_calls,
                            const std::function<void(const std::string& prefix, size_t call_idx,
                                                     Schema& schema)>& add_call_fields);
// Writes row i of `rows` (state rows of `schema`, encoded as one JSON object each) under keys[i].
Status PutStateRows(const Schema& schema, const RecordBatch& rows,
                    const std::vector<std::string>& keys, StateTable& table);
// Every column index of `schema`, for a decoder of whole state rows.
std::vector<int> AllColumns(const Schema& schema);
// The cell codec (cell_codec.cc). Appends an order-preserving byte encoding of a cell (group
// keys, join keys, distinct values).
void EncodeCell(const Column& column, size_t row, std::string& out);
// EncodeCell of every column of each of the first `num_rows` rows, a row's cells back to back:
// appends row r's key to `out` and sets ends[r] to where it ends (ends is resized). Keys of
// numbers only (BIGINT-like and DOUBLE columns) without a NULL in the batch are written a column
// at a time at fixed offsets; the bytes are the same.
void EncodeKeys(const std::vector<Column>& columns, size_t num_rows, std::string& out,
                std::vector<size_t>& ends);
// Whether DecodeCell can rebuild a cell of this type from EncodeCell's bytes (all but nested
// values, which EncodeCell writes as display text).
bool CellDecodable(const DataType& type);
// Reads the cell EncodeCell wrote at the front of `encoded`, appends it to `out` (a column of the
// encoded type) and drops its bytes from `encoded`; false, appending nothing, on malformed bytes.
// A -0.0 key reads back as 0.0 (EncodeCell made them one group).
bool DecodeCell(std::string_view& encoded, Column& out);

}  // namespace sluice
