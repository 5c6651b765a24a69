// The window aggregate's state in chunks (window_state_chunk.h) with a real StateStore: a window of
// many groups is a few table entries, a group written by several checkpoints is restored from the
// last, superseded entries are rewritten away, per-group keys of earlier versions are still read,
// and a malformed chunk is a STORAGE error.

#include "runtime/operator/window_state_chunk.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "runtime/operator/window_aggregate.h"
#include "runtime/operator/window_group_codec.h"
#include "tests/unit/runtime/aggregate_test_util.h"
#include "tests/unit/runtime/window_aggregate_test_util.h"

namespace sluice {
namespace {

using testing::AttachStore;
using testing::MakeInput;
using testing::MakePlan;
using testing::Rows;

using Records = std::vector<std::tuple<int64_t, std::string, int64_t>>;

std::string TestDir(const std::string& name) {
  return ::testing::TempDir() + "/window_state_chunk_" + name + "_" + std::to_string(::getpid());
}

// Table keys, and group entries in chunks, of the "aggregate" table.
struct TableCounts {
  size_t keys = 0;
  size_t chunk_entries = 0;
};

TableCounts CountTable(StateStore& store) {
  TableCounts counts;
  auto table = store.Table("aggregate");
  EXPECT_TRUE(table.ok());
  Status status = (*table)->Scan("", "", [&](std::string_view key, std::string_view value) {
    ++counts.keys;
    uint64_t sequence = 0;
    if (IsChunkTableKey(key, &sequence)) {
      EXPECT_TRUE(ForEachChunkEntry(value, [&](std::string_view, std::string_view) {
                    ++counts.chunk_entries;
                    return Status::OK();
                  }).ok());
    }
    return true;
  });
  EXPECT_TRUE(status.ok()) << status.ToString();
  return counts;
}

Records Keys(int64_t first, int64_t count, int64_t time, int64_t value) {
  Records rows;
  for (int64_t key = first; key < first + count; ++key) {
    rows.emplace_back(time, "k" + std::to_string(key), value);
  }
  return rows;
}

// Runs `rows` through `op` and commits a checkpoint `id` of it.
void ProcessAndCommit(WindowAggregateOperator& op, StateStore& store, const Records& rows,
                      int64_t id) {
  RecordBatch output(op.output_schema());
  ASSERT_TRUE(op.Process(MakeInput(rows), output).ok());
  ASSERT_TRUE(op.PrepareCheckpoint().ok());
  ASSERT_TRUE(store.Commit(CheckpointManifest{id, 0, {}, {}, {}}).ok());
}

// 20000 new groups in one open window: a checkpoint writes them as a few chunks, not 20000 keys,
// and a restored operator closes the window with every group.
TEST(WindowStateChunkTest, AWindowOfManyGroupsIsAFewEntries) {
  auto plan = MakePlan({WindowType::kTumble, 1000, 0, 0});
  const std::string dir = TestDir("many");
  EvalContext context;
  {
    WindowAggregateOperator op(*plan, context);
    std::unique_ptr<StateStore> store = AttachStore(op, dir);
    ASSERT_NE(store, nullptr);
    ProcessAndCommit(op, *store, Keys(0, 20000, 5, 2), 1);
    const TableCounts counts = CountTable(*store);
    EXPECT_EQ(counts.chunk_entries, 20000u);
    EXPECT_LE(counts.keys, 4u);
  }
  WindowAggregateOperator restored(*plan, context);
  std::unique_ptr<StateStore> store = AttachStore(restored, dir);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(restored.num_groups(), 20000u);
  RecordBatch output(plan->schema);
  ASSERT_TRUE(restored.AdvanceWatermark(1000, output).ok());
  ASSERT_EQ(output.num_rows(), 20000u);
  int64_t total = 0;
  for (size_t row = 0; row < output.num_rows(); ++row) total += output.column(4).GetInt64(row);
  EXPECT_EQ(total, 40000);
  // Closed: the next checkpoint deletes the window's chunks.
  ASSERT_TRUE(restored.PrepareCheckpoint().ok());
  ASSERT_TRUE(store->Commit(CheckpointManifest{2, 0, {}, {}, {}}).ok());
  EXPECT_EQ(CountTable(*store).keys, 0u);
  store.reset();
  std::filesystem::remove_all(dir);
}

// The same 2000 groups updated before each of 10 checkpoints: each checkpoint appends them, a
// window never holds much more than twice its groups (superseded entries are rewritten away), and
// the restored groups are the last written.
TEST(WindowStateChunkTest, HotGroupsAreRewrittenAndRestoredFromTheLastWrite) {
  auto plan = MakePlan({WindowType::kTumble, 1000, 0, 0});
  const std::string dir = TestDir("hot");
  EvalContext context;
  {
    WindowAggregateOperator op(*plan, context);
    std::unique_ptr<StateStore> store = AttachStore(op, dir);
    ASSERT_NE(store, nullptr);
    for (int64_t checkpoint = 1; checkpoint <= 10; ++checkpoint) {
      ProcessAndCommit(op, *store, Keys(0, 2000, checkpoint, checkpoint), checkpoint);
      EXPECT_LE(CountTable(*store).chunk_entries, 2 * 2000u + 1024u) << checkpoint;
    }
  }
  WindowAggregateOperator restored(*plan, context);
  std::unique_ptr<StateStore> store = AttachStore(restored, dir);
  ASSERT_NE(store, nullptr);
  RecordBatch output(plan->schema);
  ASSERT_TRUE(restored.AdvanceWatermark(1000, output).ok());
  ASSERT_EQ(output.num_rows(), 2000u);
  for (size_t row = 0; row < output.num_rows(); ++row) {
    EXPECT_EQ(output.column(3).GetInt64(row), 10);  // COUNT(*)
    EXPECT_EQ(output.column(4).GetInt64(row), 55);  // SUM(1..10)
  }
  store.reset();
  std::filesystem::remove_all(dir);
}

// State of earlier versions (one key per group) restores, and the window's next checkpoint
// rewrites it as chunks: no per-group key is left behind to shadow or outlive them.
TEST(WindowStateChunkTest, PerGroupKeysOfEarlierVersionsAreReadAndRewritten) {
  auto plan = MakePlan({WindowType::kTumble, 1000, 0, 0});
  const std::string dir = TestDir("legacy");
  std::string window_key = "w";
  for (int64_t bound : {int64_t{0}, int64_t{1000}}) {
    const auto bits = static_cast<uint64_t>(bound) ^ (1ULL << 63);
    for (int shift = 56; shift >= 0; shift -= 8)
      window_key.push_back(static_cast<char>(bits >> shift));
  }
  WindowGroupCodec codec({DataType::Varchar()}, plan->aggregates);
  std::vector<std::pair<std::string, std::string>> entries;
  for (const std::string name : {"a", "b"}) {
    std::vector<AggregateAccumulator> accumulators(2);
    accumulators[0].count = 3;
    accumulators[1].count = 3;
    accumulators[1].int_sum = 30;
    std::string value;
    codec.Encode("", {Value::Varchar(name)}, accumulators, false, value);
    const std::string group_key = std::string("\1", 1) + name + std::string("\0\0", 2);
    entries.emplace_back(window_key + group_key, value);
  }
  testing::CommitTableEntries(dir, entries);
  EvalContext context;
  {
    WindowAggregateOperator op(*plan, context);
    std::unique_ptr<StateStore> store = AttachStore(op, dir);
    ASSERT_NE(store, nullptr);
    EXPECT_EQ(op.num_groups(), 2u);
    ProcessAndCommit(op, *store, {{7, "a", 5}}, 2);
    const TableCounts counts = CountTable(*store);
    EXPECT_EQ(counts.keys, 1u);  // one chunk, the per-group keys deleted
    EXPECT_EQ(counts.chunk_entries, 2u);
  }
  WindowAggregateOperator restored(*plan, context);
  std::unique_ptr<StateStore> store = AttachStore(restored, dir);
  ASSERT_NE(store, nullptr);
  RecordBatch output(plan->schema);
  ASSERT_TRUE(restored.AdvanceWatermark(1000, output).ok());
  EXPECT_EQ(Rows(output),
            (std::vector<std::string>{"+ 1970-01-01 00:00:00.000 1970-01-01 00:00:01.000 a 4 35",
                                      "+ 1970-01-01 00:00:00.000 1970-01-01 00:00:01.000 b 3 30"}));
  store.reset();
  std::filesystem::remove_all(dir);
}

TEST(WindowStateChunkTest, MalformedChunksAreStorageErrors) {
  auto visit = [](std::string_view, std::string_view) { return Status::OK(); };
  std::string chunk;
  AppendChunkEntry("key", "value", chunk);
  EXPECT_TRUE(ForEachChunkEntry(chunk, visit).ok());
  for (const std::string& bad : {std::string(), std::string("X"), chunk.substr(0, chunk.size() - 1),
                                 chunk + std::string("\x85", 1)}) {
    Status status = ForEachChunkEntry(bad, visit);
    EXPECT_EQ(status.category(), ErrorCategory::kStorage) << status.ToString();
    EXPECT_NE(status.message().find("window aggregate state"), std::string::npos);
  }
  // Through the operator: a cut chunk in the table fails the restore.
  auto plan = MakePlan({WindowType::kTumble, 1000, 0, 0});
  const std::string dir = TestDir("bad");
  const std::string window_key = "w" + std::string(16, '\x80');
  testing::CommitTableEntries(dir, {{ChunkTableKey(window_key, 0), chunk.substr(0, 4)}});
  EvalContext context;
  WindowAggregateOperator op(*plan, context);
  Status status = testing::RestoreFrom(op, dir);
  EXPECT_EQ(status.category(), ErrorCategory::kStorage) << status.ToString();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace sluice
