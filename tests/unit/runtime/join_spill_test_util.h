#pragma once
// Shared by the interval-join spill tests: a join of bids with window maxima in Nexmark q7's
// shape, batches of (time, key, value) rows, the output as sortable text, and a JoinQuery (a
// worker's store, table and operator, opened and checkpointed as the worker does).

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "runtime/expression/expression_factory.h"
#include "runtime/operator/interval_join.h"
#include "storage/state/state_store.h"

namespace sluice {

constexpr int64_t kWindow = 100;  // ms: the TUMBLE the right side's rows summarize

// Bids (price BIGINT, id BIGINT) JOIN window maxima (price BIGINT, window BIGINT) ON price,
// WITHIN kWindow, optionally with the rest of ON "id % 3 <> 1" (a residual condition).
inline std::unique_ptr<PhysicalJoin> MakeJoin(JoinType type, bool residual) {
  auto join = std::make_unique<PhysicalJoin>();
  join->strategy = JoinStrategy::kInterval;
  join->type = type;
  join->left_keys.push_back(MakeColumnRef(0, DataType::Bigint()));
  join->right_keys.push_back(MakeColumnRef(0, DataType::Bigint()));
  join->before_ms = kWindow;
  join->after_ms = kWindow;
  join->left_width = 2;
  for (const char* name : {"price", "id", "max_price", "window"}) {
    join->schema.Add(Field{name, DataType::Bigint()});
  }
  if (residual) {
    auto modulo = MakeArithmetic(ArithmeticOp::kModulo, MakeColumnRef(1, DataType::Bigint()),
                                 MakeLiteral(Value::Bigint(3)));
    EXPECT_TRUE(modulo.ok());
    auto condition =
        MakeComparison(ComparisonOp::kNotEqual, std::move(*modulo), MakeLiteral(Value::Bigint(1)));
    EXPECT_TRUE(condition.ok());
    join->condition = std::move(*condition);
  }
  return join;
}

struct Row {
  int64_t time;
  int64_t key;
  int64_t value;
};

inline RecordBatch MakeBatch(const std::vector<Row>& rows) {
  Schema schema;
  schema.Add(Field{"k", DataType::Bigint()});
  schema.Add(Field{"v", DataType::Bigint()});
  RecordBatch batch(schema);
  for (const Row& row : rows) {
    batch.column(0).AppendInt64(row.key);
    batch.column(1).AppendInt64(row.value);
    batch.meta().push_back(RecordMeta{row.time, 0, 0, RowKind::kUpsert});
    batch.keys().emplace_back();
  }
  return batch;
}

inline void Collect(const RecordBatch& batch, std::vector<std::string>& rows) {
  for (size_t row = 0; row < batch.num_rows(); ++row) {
    std::string text = std::to_string(batch.meta()[row].timestamp);
    for (size_t column_idx = 0; column_idx < batch.num_columns(); ++column_idx) {
      const Column& column = batch.column(column_idx);
      text += " " + (column.IsNull(row) ? std::string("-") : column.GetValue(row).ToString());
    }
    rows.push_back(text);
  }
}

// A query's state as a worker holds it: the store, the join's table and the operator.
struct JoinQuery {
  std::unique_ptr<StateStore> store;
  std::unique_ptr<IntervalJoinOperator> op;
  int64_t checkpoint = 0;

  Status Open(const std::string& dir, const PhysicalJoin& plan, EvalContext& context,
              size_t budget) {
    ASSIGN_OR_RETURN(store, StateStore::Open(dir, StateStoreOptions()));
    if (store->last_checkpoint()) checkpoint = store->last_checkpoint()->checkpoint_id;
    ASSIGN_OR_RETURN(StateTable * table, store->Table("join"));
    op = std::make_unique<IntervalJoinOperator>(plan, context);
    op->SetSpill(store->dir(), budget);
    return op->AttachState(table);
  }
  Status Checkpoint() {
    RETURN_NOT_OK(op->PrepareCheckpoint());
    return store->Commit(CheckpointManifest{++checkpoint, 0, {}, {}, {}});
  }
  // Bytes of the values the join's table holds (committed and not).
  size_t TableBytes() {
    size_t bytes = 0;
    auto table = store->Table("join");
    EXPECT_TRUE(table.ok());
    EXPECT_TRUE((*table)
                    ->Scan("", "",
                           [&](std::string_view, std::string_view value) {
                             bytes += value.size();
                             return true;
                           })
                    .ok());
    return bytes;
  }
};

}  // namespace sluice
