// ChangelogAggregateOperator on hand-built changelog batches: a key's update retracts its previous
// row, a tombstone retracts, MAX falls back to the next value, an emptied group is deleted, and
// the previous rows survive a checkpoint and restore.

#include "runtime/operator/changelog_aggregate.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <optional>
#include <tuple>

#include "tests/unit/runtime/aggregate_test_util.h"
#include "tests/unit/runtime/changelog_aggregate_test_util.h"

namespace sluice {
namespace {

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

// A batch looks its keys up together (hashed and prefetched first): a key added and changed
// within one batch, groups moved and emptied, and the index growing mid-batch give the rows
// that one row at a time gives.
TEST(ChangelogAggregateTest, OneBigBatchGivesTheRowsOfOneRowAtATime) {
  auto plan = MakePlan();
  std::vector<Change> changes;
  for (int change = 0; change < 3000; ++change) {
    const std::string id = "a" + std::to_string(change * 13 % 700);
    if (change % 11 == 5) {
      changes.push_back({id, std::nullopt});
    } else {
      changes.push_back({id, "o" + std::to_string(change % 5 == 0 ? change % 3 : 4),
                         static_cast<int64_t>(change % 97)});
    }
  }
  EvalContext context;
  ChangelogAggregateOperator batched(*plan, context);
  RecordBatch batched_output(plan->schema);
  ASSERT_TRUE(batched.Process(MakeInput(changes), batched_output).ok());
  ChangelogAggregateOperator single(*plan, context);
  RecordBatch single_output(plan->schema);
  for (const Change& change : changes) {
    ASSERT_TRUE(single.Process(MakeInput({change}), single_output).ok());
  }
  EXPECT_EQ(Rows(batched_output), Rows(single_output));
  EXPECT_EQ(batched.num_rows_held(), single.num_rows_held());
  EXPECT_GT(batched.num_rows_held(), 500u);
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

// 100 keys over 5 owners, `round` in the balance.
RecordBatch ManyKeys(int round) {
  std::vector<Change> changes;
  for (int key = 0; key < 100; ++key) {
    changes.push_back({"k" + std::to_string(key), "o" + std::to_string(key % 5), key + round});
  }
  return MakeInput(changes);
}

// Previous rows are saved in chunks of keys: after updates and deletes spread over many chunks,
// two checkpoints and a restore, the restored operator retracts exactly what an operator that
// never stopped holds (its output for the same input is the same).
TEST(ChangelogAggregateTest, ChunkedPreviousRowsSurviveRestore) {
  auto plan = MakePlan();
  const std::string dir = TestDir("chunks");
  EvalContext context;
  ChangelogAggregateOperator reference(*plan, context);
  RecordBatch unused(plan->schema);
  std::vector<Change> some;  // every 7th key updated, every 11th deleted
  for (int key = 0; key < 100; key += 7) some.push_back({"k" + std::to_string(key), "o9", 1000});
  for (int key = 0; key < 100; key += 11) some.push_back({"k" + std::to_string(key), {}});
  {
    auto store = StateStore::Open(dir, StateStoreOptions());
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    auto table = (*store)->Table("aggregate");
    ASSERT_TRUE(table.ok());
    ChangelogAggregateOperator op(*plan, context);
    ASSERT_TRUE(op.AttachState(*table).ok());
    ASSERT_TRUE(op.Process(ManyKeys(0), unused).ok());
    ASSERT_TRUE(reference.Process(ManyKeys(0), unused).ok());
    ASSERT_TRUE(op.PrepareCheckpoint().ok());
    ASSERT_TRUE((*store)->Commit(CheckpointManifest{1, 0, {}, {}, {}}).ok());
    ASSERT_TRUE(op.Process(MakeInput(some), unused).ok());
    ASSERT_TRUE(reference.Process(MakeInput(some), unused).ok());
    ASSERT_TRUE(op.PrepareCheckpoint().ok());
    ASSERT_TRUE((*store)->Commit(CheckpointManifest{2, 0, {}, {}, {}}).ok());
  }
  auto store = StateStore::Open(dir, StateStoreOptions());
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  auto table = (*store)->Table("aggregate");
  ASSERT_TRUE(table.ok());
  ChangelogAggregateOperator op(*plan, context);
  ASSERT_TRUE(op.AttachState(*table).ok());
  EXPECT_EQ(op.num_groups(), reference.num_groups());
  // Every key once more, then every key deleted: all groups go, through the same rows.
  for (const RecordBatch& input : {ManyKeys(5), [] {
                                     std::vector<Change> deletes;
                                     for (int key = 0; key < 100; ++key)
                                       deletes.push_back({"k" + std::to_string(key), {}});
                                     return MakeInput(deletes);
                                   }()}) {
    RecordBatch restored(plan->schema);
    RecordBatch expected(plan->schema);
    ASSERT_TRUE(op.Process(input, restored).ok());
    ASSERT_TRUE(reference.Process(input, expected).ok());
    EXPECT_EQ(Rows(restored), Rows(expected));
    EXPECT_GT(restored.num_rows(), 0u);
  }
  EXPECT_EQ(op.num_groups(), 0u);
  std::filesystem::remove_all(dir);
}

// State from before chunks kept one previous row per key under 'p' (as eviction does now): it is
// read back, retracted from, and moved into a chunk at the next checkpoint.
TEST(ChangelogAggregateTest, ReadsPreviousRowsSavedOnePerKey) {
  auto plan = MakePlan();
  const std::string dir = TestDir("unchunked");
  EvalContext context;
  {
    auto store = StateStore::Open(dir, StateStoreOptions());
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    auto table = (*store)->Table("aggregate");
    ASSERT_TRUE(table.ok());
    ChangelogAggregateOperator op(*plan, context);
    ASSERT_TRUE(op.AttachState(*table).ok());
    RecordBatch output(plan->schema);
    ASSERT_TRUE(op.Process(MakeInput({{"a1", "ann", 10}}), output).ok());
    ASSERT_TRUE(op.PrepareCheckpoint().ok());
    ASSERT_TRUE((*store)->Commit(CheckpointManifest{1, 0, {}, {}, {}}).ok());
    // Rewrite a1's chunk as the old format's 'p' row: the same bytes under the key's own name.
    std::string chunk_key;
    std::string chunk;
    ASSERT_TRUE((*table)
                    ->Scan("c", "d",
                           [&](std::string_view key, std::string_view value) {
                             chunk_key = key;
                             chunk = value;
                             return true;
                           })
                    .ok());
    ASSERT_FALSE(chunk.empty());
    const size_t key_length = 4 + static_cast<uint8_t>(chunk[3]);
    ASSERT_TRUE((*table)->Delete(chunk_key).ok());
    ASSERT_TRUE(
        (*table)->Put("p" + chunk.substr(4, key_length - 4), chunk.substr(key_length + 4)).ok());
    ASSERT_TRUE((*store)->Commit(CheckpointManifest{2, 0, {}, {}, {}}).ok());
  }
  auto store = StateStore::Open(dir, StateStoreOptions());
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  auto table = (*store)->Table("aggregate");
  ASSERT_TRUE(table.ok());
  ChangelogAggregateOperator op(*plan, context);
  ASSERT_TRUE(op.AttachState(*table).ok());
  RecordBatch output(plan->schema);
  ASSERT_TRUE(op.Process(MakeInput({{"a1", "ann", 4}}), output).ok());
  EXPECT_EQ(Rows(output), (std::vector<std::string>{"+ ann 1 4 4 1"}));
  ASSERT_TRUE(op.PrepareCheckpoint().ok());
  ASSERT_TRUE((*store)->Commit(CheckpointManifest{3, 0, {}, {}, {}}).ok());
  std::vector<char> kinds;
  ASSERT_TRUE((*table)
                  ->Scan("", "",
                         [&](std::string_view key, std::string_view) {
                           kinds.push_back(key[0]);
                           return true;
                         })
                  .ok());
  EXPECT_EQ(kinds, (std::vector<char>{'c', 'g'}));
  std::filesystem::remove_all(dir);
}

std::string KeyTwice() {
  std::string entry = std::string("\0\0\0\1x\0\0\0\x14", 9) + std::string(20, '\0');
  return entry + entry;
}

// A chunk key of the wrong size, a chunk that does not parse, a key saved twice.
TEST(ChangelogAggregateTest, CorruptChunksFailTheRestore) {
  auto plan = MakePlan();
  EvalContext context;
  for (const auto& [key, value, message] :
       std::vector<std::tuple<std::string, std::string, std::string>>{
           {std::string("c\0\0\0\1", 5), "not a chunk", "corrupt previous rows"},
           {"c1", "", "corrupt chunk key"},
           // Key "x" (with an empty group key and four empty arguments) twice.
           {std::string("c\0\0\0\2", 5), KeyTwice(), "a key saved twice"}}) {
    const std::string dir = TestDir("corrupt");
    auto store = StateStore::Open(dir, StateStoreOptions());
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    auto table = (*store)->Table("aggregate");
    ASSERT_TRUE(table.ok());
    ASSERT_TRUE((*table)->Put(key, value).ok());
    ChangelogAggregateOperator op(*plan, context);
    Status status = op.AttachState(*table);
    EXPECT_EQ(status.category(), ErrorCategory::kStorage) << status.ToString();
    EXPECT_NE(status.message().find(message), std::string::npos) << status.ToString();
    store->reset();
    std::filesystem::remove_all(dir);
  }
}

}  // namespace
}  // namespace sluice
