// ChangelogAggregateOperator on hand-built changelog batches: a key's update retracts its previous
// row, a tombstone retracts, MAX falls back to the next value, an emptied group is deleted, and
// the previous rows survive a checkpoint and restore.

#include "runtime/operator/changelog_aggregate.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <optional>

#include "runtime/expression/expression_factory.h"
#include "tests/unit/runtime/aggregate_test_util.h"

namespace sluice {
namespace {

Schema InputSchema() {
  Schema schema;
  schema.Add(Field{"id", DataType::Varchar()});
  schema.Add(Field{"owner", DataType::Varchar()});
  schema.Add(Field{"balance", DataType::Bigint()});
  return schema;
}

struct Change {
  std::string id;
  std::optional<std::string> owner;  // nullopt: a tombstone for `id`
  int64_t balance = 0;
};

RecordBatch MakeInput(const std::vector<Change>& changes) {
  RecordBatch batch(InputSchema());
  int64_t offset = 0;
  for (const Change& change : changes) {
    batch.column(0).AppendString(change.id);
    if (change.owner) {
      batch.column(1).AppendString(*change.owner);
      batch.column(2).AppendInt64(change.balance);
    } else {
      batch.column(1).AppendNull();
      batch.column(2).AppendNull();
    }
    batch.meta().push_back(
        RecordMeta{offset, 0, offset, change.owner ? RowKind::kUpsert : RowKind::kDelete});
    ++offset;
    batch.keys().emplace_back();
  }
  return batch;
}

AggregateCall Call(AggregateFunction function, bool distinct = false) {
  AggregateCall call;
  call.function = function;
  call.distinct = distinct;
  if (function != AggregateFunction::kCountStar) {
    call.argument = MakeColumnRef(2, DataType::Bigint());
  }
  call.type = DataType::Bigint();
  return call;
}

// GROUP BY owner: COUNT(*), SUM(balance), MAX(balance), COUNT(DISTINCT balance), keyed by id.
std::unique_ptr<PhysicalAggregate> MakePlan() {
  auto plan = std::make_unique<PhysicalAggregate>();
  plan->keys.push_back(MakeColumnRef(1, DataType::Varchar()));
  plan->aggregates.push_back(Call(AggregateFunction::kCountStar));
  plan->aggregates.push_back(Call(AggregateFunction::kSum));
  plan->aggregates.push_back(Call(AggregateFunction::kMax));
  plan->aggregates.push_back(Call(AggregateFunction::kCount, /*distinct=*/true));
  for (const char* name : {"owner", "n", "total", "high", "kinds"}) {
    plan->schema.Add(
        Field{name, std::string(name) == "owner" ? DataType::Varchar() : DataType::Bigint()});
  }
  plan->emit_changes = true;
  plan->changelog_key = {0};
  return plan;
}

using testing::Rows;

TEST(ChangelogAggregateTest, UpdatesRetractTheKeysPreviousRow) {
  auto plan = MakePlan();
  EvalContext context;
  ChangelogAggregateOperator op(*plan, context);
  RecordBatch output(plan->schema);
  ASSERT_TRUE(
      op.Process(MakeInput({{"a1", "ann", 10}, {"a2", "ann", 30}, {"a3", "bob", 10}}), output)
          .ok());
  // a2 falls to 7: ann's maximum goes back to 10. a3 moves to ann: bob empties and is deleted.
  // a1's tombstone retracts 10 once; a3 still holds 10.
  ASSERT_TRUE(
      op.Process(MakeInput({{"a2", "ann", 7}, {"a3", "ann", 10}, {"a1", std::nullopt}}), output)
          .ok());
  EXPECT_EQ(Rows(output), (std::vector<std::string>{
                              "+ ann 1 10 10 1",
                              "+ ann 2 40 30 2",
                              "+ bob 1 10 10 1",
                              "+ ann 2 17 10 2",
                              "- bob 0 NULL NULL 0",
                              "+ ann 3 27 10 2",
                              "+ ann 2 17 10 2",
                          }));
  EXPECT_EQ(op.num_groups(), 1u);
  // A tombstone for an unknown key changes nothing.
  RecordBatch nothing(plan->schema);
  ASSERT_TRUE(op.Process(MakeInput({{"zz", std::nullopt}}), nothing).ok());
  EXPECT_EQ(nothing.num_rows(), 0u);
}

// What was checkpointed is what a restarted operator retracts: a2's row from before the
// checkpoint, not the update made after it (lost with the "crash").
TEST(ChangelogAggregateTest, PreviousRowsSurviveCheckpointAndRestore) {
  auto plan = MakePlan();
  const std::string dir =
      ::testing::TempDir() + "/changelog_aggregate_state_" + std::to_string(::getpid());
  std::filesystem::remove_all(dir);
  EvalContext context;
  {
    auto store = StateStore::Open(dir, StateStoreOptions());
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    auto table = (*store)->Table("aggregate");
    ASSERT_TRUE(table.ok());
    ChangelogAggregateOperator op(*plan, context);
    ASSERT_TRUE(op.AttachState(*table).ok());
    RecordBatch output(plan->schema);
    ASSERT_TRUE(
        op.Process(MakeInput({{"a1", "ann", 10}, {"a2", "ann", 30}, {"a3", "bob", 5}}), output)
            .ok());
    ASSERT_TRUE(op.PrepareCheckpoint().ok());
    ASSERT_TRUE((*store)->Commit(CheckpointManifest{1, 0, {}, {}, {}}).ok());
    ASSERT_TRUE(op.Process(MakeInput({{"a2", "bob", 99}}), output).ok());
  }
  auto store = StateStore::Open(dir, StateStoreOptions());
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  auto table = (*store)->Table("aggregate");
  ASSERT_TRUE(table.ok());
  ChangelogAggregateOperator op(*plan, context);
  ASSERT_TRUE(op.AttachState(*table).ok());
  EXPECT_EQ(op.num_groups(), 2u);
  RecordBatch output(plan->schema);
  ASSERT_TRUE(op.Process(MakeInput({{"a2", "ann", 12}, {"a3", std::nullopt}}), output).ok());
  EXPECT_EQ(Rows(output), (std::vector<std::string>{
                              "+ ann 2 22 12 2",
                              "- bob 0 NULL NULL 0",
                          }));
  std::filesystem::remove_all(dir);
}

// A key's row sent again as it is changes no group: nothing is emitted, and the row is still
// retracted once when it really changes.
TEST(ChangelogAggregateTest, ARepeatedRowEmitsNothing) {
  auto plan = MakePlan();
  EvalContext context;
  ChangelogAggregateOperator op(*plan, context);
  RecordBatch output(plan->schema);
  ASSERT_TRUE(op.Process(MakeInput({{"a1", "ann", 10}, {"a1", "ann", 10}}), output).ok());
  ASSERT_TRUE(op.Process(MakeInput({{"a1", "ann", 10}, {"a1", "ann", 4}}), output).ok());
  EXPECT_EQ(Rows(output), (std::vector<std::string>{"+ ann 1 10 10 1", "+ ann 1 4 4 1"}));
}

// A group emptied and refilled within one batch: the emptying deletes its row downstream, the
// refill upserts it again, and the group is kept (only groups that end a batch empty go).
TEST(ChangelogAggregateTest, AGroupEmptiedAndRefilledInABatchStays) {
  auto plan = MakePlan();
  EvalContext context;
  ChangelogAggregateOperator op(*plan, context);
  RecordBatch output(plan->schema);
  ASSERT_TRUE(op.Process(MakeInput({{"a1", "ann", 10}}), output).ok());
  ASSERT_TRUE(
      op.Process(MakeInput({{"a1", std::nullopt}, {"a2", "ann", 3}, {"a3", "bob", 1}}), output)
          .ok());
  EXPECT_EQ(Rows(output), (std::vector<std::string>{"+ ann 1 10 10 1", "- ann 0 NULL NULL 0",
                                                    "+ ann 1 3 3 1", "+ bob 1 1 1 1"}));
  EXPECT_EQ(op.num_groups(), 2u);
  RecordBatch more(plan->schema);
  ASSERT_TRUE(op.Process(MakeInput({{"a2", std::nullopt}}), more).ok());
  EXPECT_EQ(Rows(more), (std::vector<std::string>{"- ann 0 NULL NULL 0"}));
  EXPECT_EQ(op.num_groups(), 1u);
}

}  // namespace
}  // namespace sluice
