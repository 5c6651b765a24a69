#pragma once
// Helpers for the window aggregate operator tests: input batches of (event time, key, value), a
// GROUP BY k plan with COUNT(*) and SUM(v), and an operator attached to a real StateStore.

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "runtime/expression/expression_factory.h"
#include "runtime/operator/window_aggregate.h"
#include "storage/state/state_store.h"
#include "tests/unit/runtime/aggregate_test_util.h"

namespace sluice::testing {

inline Schema InputSchema() {
  Schema schema;
  schema.Add(Field{"k", DataType::Varchar()});
  schema.Add(Field{"v", DataType::Bigint()});
  return schema;
}

// Rows of (event time, key, value); value < 0 means NULL.
inline RecordBatch MakeInput(const std::vector<std::tuple<int64_t, std::string, int64_t>>& rows) {
  RecordBatch batch(InputSchema());
  int64_t offset = 0;
  for (const auto& [ts, key, value] : rows) {
    batch.column(0).AppendString(key);
    if (value < 0) {
      batch.column(1).AppendNull();
    } else {
      batch.column(1).AppendInt64(value);
    }
    batch.meta().push_back(RecordMeta{ts, 0, offset++, RowKind::kUpsert});
    batch.keys().emplace_back();
  }
  return batch;
}

// GROUP BY k with COUNT(*), SUM(v) over `window`.
inline std::unique_ptr<PhysicalAggregate> MakePlan(WindowSpec window) {
  auto plan = std::make_unique<PhysicalAggregate>();
  plan->window = window;
  plan->keys.push_back(MakeColumnRef(0, DataType::Varchar()));
  AggregateCall count;
  count.function = AggregateFunction::kCountStar;
  count.type = DataType::Bigint();
  plan->aggregates.push_back(std::move(count));
  AggregateCall sum;
  sum.function = AggregateFunction::kSum;
  sum.argument = MakeColumnRef(1, DataType::Bigint());
  sum.type = DataType::Bigint();
  plan->aggregates.push_back(std::move(sum));
  if (window.type != WindowType::kNone) {
    plan->schema.Add(Field{"window_start", DataType::Timestamp()});
    plan->schema.Add(Field{"window_end", DataType::Timestamp()});
  }
  plan->schema.Add(Field{"k", DataType::Varchar()});
  plan->schema.Add(Field{"n", DataType::Bigint()});
  plan->schema.Add(Field{"total", DataType::Bigint()});
  plan->emit_changes = window.type == WindowType::kNone;
  return plan;
}

// Opens a StateStore in `dir` and attaches `op` to its "aggregate" table (null on failure).
inline std::unique_ptr<StateStore> AttachStore(WindowAggregateOperator& op, const std::string& dir,
                                               StateStoreOptions options = {}) {
  auto store = StateStore::Open(dir, options);
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  if (!store.ok()) return nullptr;
  auto table = (*store)->Table("aggregate");
  EXPECT_TRUE(table.ok());
  if (!table.ok() || !op.AttachState(*table).ok()) return nullptr;
  return std::move(store).value();
}

// Commits `entries` (table key, value) to the "aggregate" table of the store in `dir`, as an
// earlier checkpoint would have.
inline void CommitTableEntries(const std::string& dir,
                               const std::vector<std::pair<std::string, std::string>>& entries) {
  auto store = StateStore::Open(dir, StateStoreOptions());
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  auto table = (*store)->Table("aggregate");
  ASSERT_TRUE(table.ok());
  for (const auto& [key, value] : entries) ASSERT_TRUE((*table)->Put(key, value).ok());
  ASSERT_TRUE((*store)->Commit(CheckpointManifest{1, 0, {}, {}, {}}).ok());
}

// Restores `op` from the store in `dir` and returns what AttachState said.
inline Status RestoreFrom(WindowAggregateOperator& op, const std::string& dir) {
  auto store = StateStore::Open(dir, StateStoreOptions());
  if (!store.ok()) return store.status();
  auto table = (*store)->Table("aggregate");
  if (!table.ok()) return table.status();
  return op.AttachState(*table);
}

// Runs `batches` through `op` and returns its output rows.
inline std::vector<std::string> RunBatches(WindowAggregateOperator& op,
                                           const std::vector<RecordBatch>& batches,
                                           const PhysicalAggregate& plan) {
  std::vector<std::string> rows;
  for (const RecordBatch& batch : batches) {
    RecordBatch output(plan.schema);
    Status status = op.Process(batch, output);
    EXPECT_TRUE(status.ok()) << status.ToString();
    for (std::string& row : Rows(output)) rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace sluice::testing
