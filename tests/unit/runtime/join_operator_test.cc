// IntervalJoinOperator and TemporalJoinOperator on hand-built batches: matching, outer rows on
// interval close, expiry, late rows, version lookup as of event time, deletes, purging, and the
// incremental checkpoint restored into a new operator.

#include <gtest/gtest.h>
#include <unistd.h>

#include "runtime/expression/expression_factory.h"
#include "runtime/operator/interval_join.h"
#include "runtime/operator/temporal_join.h"

namespace sluice {
namespace {

// Both sides: (k VARCHAR, v BIGINT).
Schema SideSchema(const std::string& prefix) {
  Schema schema;
  schema.Add(Field{prefix + "k", DataType::Varchar()});
  schema.Add(Field{prefix + "v", DataType::Bigint()});
  return schema;
}

struct Row {
  int64_t time;
  std::string key;  // "" = NULL
  int64_t value;
  bool deleted = false;
};

RecordBatch MakeBatch(const std::string& prefix, const std::vector<Row>& rows) {
  RecordBatch batch(SideSchema(prefix));
  for (const Row& row : rows) {
    if (row.key.empty()) {
      batch.column(0).AppendNull();
    } else {
      batch.column(0).AppendString(row.key);
    }
    batch.column(1).AppendInt64(row.value);
    RecordMeta meta{row.time, 0, 0, row.deleted ? RowKind::kDelete : RowKind::kUpsert};
    batch.meta().push_back(meta);
    batch.keys().emplace_back();
  }
  return batch;
}

std::unique_ptr<PhysicalJoin> MakeJoin(JoinStrategy strategy, JoinType type) {
  auto join = std::make_unique<PhysicalJoin>();
  join->strategy = strategy;
  join->type = type;
  join->left_keys.push_back(MakeColumnRef(0, DataType::Varchar()));
  join->right_keys.push_back(MakeColumnRef(0, DataType::Varchar()));
  join->before_ms = 10;
  join->after_ms = 10;
  join->left_width = 2;
  const Schema left = SideSchema("l");
  const Schema right = SideSchema("r");
  for (const Field& field : left.fields()) join->schema.Add(field);
  for (const Field& field : right.fields()) join->schema.Add(field);
  return join;
}

// "time lk lv rk rv" per output row, NULL as "-".
std::vector<std::string> Rows(const RecordBatch& batch) {
  std::vector<std::string> rows;
  for (size_t row = 0; row < batch.num_rows(); ++row) {
    std::string text = std::to_string(batch.meta()[row].timestamp);
    for (size_t column_idx = 0; column_idx < batch.num_columns(); ++column_idx) {
      const Column& column = batch.column(column_idx);
      text += " " + (column.IsNull(row) ? std::string("-") : column.GetValue(row).ToString());
    }
    rows.push_back(text);
  }
  return rows;
}

TEST(IntervalJoinTest, MatchesWithinTheIntervalAndEmitsOuterRowsWhenItCloses) {
  auto plan = MakeJoin(JoinStrategy::kInterval, JoinType::kFull);
  EvalContext context;
  IntervalJoinOperator op(*plan, context);
  RecordBatch output(plan->schema);
  ASSERT_TRUE(
      op.ProcessSide(JoinSide::kLeft, MakeBatch("l", {{100, "a", 1}, {100, "b", 2}}), {}, output)
          .ok());
  // a at 105 matches; b at 111 is 11 ms away (outside 10); c has no partner; NULL never matches.
  ASSERT_TRUE(op.ProcessSide(
                    JoinSide::kRight,
                    MakeBatch("r", {{105, "a", 10}, {111, "b", 20}, {104, "c", 30}, {104, "", 40}}),
                    {}, output)
                  .ok());
  // Without a rest of ON, output follows the input: a's match, then the NULL-key row.
  EXPECT_EQ(Rows(output), (std::vector<std::string>{"105 a 1 a 10", "104 - - - 40"}));
  EXPECT_EQ(op.state_rows(), 5u);
  output = RecordBatch(plan->schema);
  // Left rows close at t + after = 110, right rows at u + before: 115, 121, 114.
  ASSERT_TRUE(op.AdvanceWatermark(111, output).ok());
  EXPECT_EQ(Rows(output), (std::vector<std::string>{"100 b 2 - -"}));
  ASSERT_TRUE(op.AdvanceWatermark(122, output).ok());
  EXPECT_EQ(Rows(output),
            (std::vector<std::string>{"100 b 2 - -", "104 - - c 30", "111 - - b 20"}));
  EXPECT_EQ(op.state_rows(), 0u);  // everything expired: state is bounded by the interval
}

TEST(IntervalJoinTest, LateRowsAreDroppedAndCounted) {
  auto plan = MakeJoin(JoinStrategy::kInterval, JoinType::kLeft);
  EvalContext context;
  IntervalJoinOperator op(*plan, context);
  RecordBatch output(plan->schema);
  ASSERT_TRUE(op.AdvanceWatermark(50, output).ok());
  ASSERT_TRUE(
      op.ProcessSide(JoinSide::kLeft, MakeBatch("l", {{40, "a", 1}, {60, "a", 2}}), {}, output)
          .ok());
  EXPECT_EQ(op.late_records(), 1);
  EXPECT_EQ(op.state_rows(), 1u);
  // Per-row watermarks: the second row is judged against 70.
  ASSERT_TRUE(op.ProcessSide(JoinSide::kRight, MakeBatch("r", {{62, "a", 5}, {65, "a", 6}}),
                             {50, 70}, output)
                  .ok());
  EXPECT_EQ(op.late_records(), 2);
  EXPECT_EQ(Rows(output), (std::vector<std::string>{"62 a 2 a 5"}));
}

TEST(IntervalJoinTest, ResidualConditionDecidesMatchedForOuterRows) {
  auto plan = MakeJoin(JoinStrategy::kInterval, JoinType::kLeft);
  // ON l.k = r.k AND r.v > 100
  auto condition = MakeComparison(ComparisonOp::kGreater, MakeColumnRef(3, DataType::Bigint()),
                                  MakeLiteral(Value::Bigint(100)));
  ASSERT_TRUE(condition.ok()) << condition.status().ToString();
  plan->condition = std::move(*condition);
  EvalContext context;
  IntervalJoinOperator op(*plan, context);
  RecordBatch output(plan->schema);
  ASSERT_TRUE(op.ProcessSide(JoinSide::kLeft, MakeBatch("l", {{100, "a", 1}}), {}, output).ok());
  ASSERT_TRUE(op.ProcessSide(JoinSide::kRight, MakeBatch("r", {{101, "a", 5}}), {}, output).ok());
  EXPECT_EQ(output.num_rows(), 0u);
  ASSERT_TRUE(op.AdvanceWatermark(200, output).ok());
  EXPECT_EQ(Rows(output), (std::vector<std::string>{"100 a 1 - -"}));
}

TEST(IntervalJoinTest, SelectiveResidualKeepsProbeOrderCellsAndOuterRows) {
  // Nexmark q5's shape: every row of a key meets thousands of partners and ON's rest (l.v >= r.v)
  // keeps few. It is judged on the columns it reads before the pairs are built, across more
  // candidates than one filtering round holds; the survivors keep their cells and probe order
  // (partners newest first), and the rows no pair passed come out NULL-padded when they close.
  auto plan = MakeJoin(JoinStrategy::kInterval, JoinType::kFull);
  auto condition = MakeComparison(ComparisonOp::kGreaterEqual, MakeColumnRef(1, DataType::Bigint()),
                                  MakeColumnRef(3, DataType::Bigint()));
  ASSERT_TRUE(condition.ok()) << condition.status().ToString();
  plan->condition = std::move(*condition);
  EvalContext context;
  IntervalJoinOperator op(*plan, context);
  RecordBatch output(plan->schema);
  // Left: 5000 rows of key w (values i % 97, NULL every 500th as -1 below).
  RecordBatch left(SideSchema("l"));
  std::vector<int64_t> values;
  for (int64_t row = 0; row < 5000; ++row) {
    left.column(0).AppendString("w");
    values.push_back(row % 500 == 0 ? -1 : row % 97);
    if (values.back() < 0) {
      left.column(1).AppendNull();
    } else {
      left.column(1).AppendInt64(values.back());
    }
    left.meta().push_back(RecordMeta{100, 0, 0, RowKind::kUpsert});
    left.keys().emplace_back();
  }
  ASSERT_TRUE(op.ProcessSide(JoinSide::kLeft, left, {}, output).ok());
  ASSERT_EQ(output.num_rows(), 0u);
  // Right: thresholds 95 and 90 (5000 candidates each), one no left row reaches, one of another
  // key. The NULL-threshold row is pushed by hand below.
  RecordBatch right = MakeBatch("r", {{105, "w", 95}, {105, "w", 90}, {105, "w", 500}});
  right.column(0).AppendString("w");
  right.column(1).AppendNull();
  right.meta().push_back(RecordMeta{105, 0, 0, RowKind::kUpsert});
  right.keys().emplace_back();
  ASSERT_TRUE(op.ProcessSide(JoinSide::kRight, right, {}, output).ok());
  std::vector<std::string> expected;
  std::vector<bool> left_matched(values.size(), false);
  for (int64_t threshold : {95, 90}) {
    for (size_t row = values.size(); row-- > 0;) {
      if (values[row] < threshold) continue;
      left_matched[row] = true;
      expected.push_back("105 w " + std::to_string(values[row]) + " w " +
                         std::to_string(threshold));
    }
  }
  EXPECT_EQ(Rows(output), expected);
  // A later left row probes the other way: the right rows it passes, newest first.
  output = RecordBatch(plan->schema);
  ASSERT_TRUE(op.ProcessSide(JoinSide::kLeft, MakeBatch("l", {{103, "w", 92}}), {}, output).ok());
  EXPECT_EQ(Rows(output), (std::vector<std::string>{"105 w 92 w 90"}));
  output = RecordBatch(plan->schema);
  ASSERT_TRUE(op.AdvanceWatermark(INT64_MAX, output).ok());
  expected.clear();
  for (size_t row = 0; row < values.size(); ++row) {
    if (left_matched[row]) continue;
    expected.push_back("100 w " + (values[row] < 0 ? "-" : std::to_string(values[row])) + " - -");
  }
  expected.push_back("105 - - w 500");
  expected.push_back("105 - - w -");
  EXPECT_EQ(Rows(output), expected);
  EXPECT_EQ(op.state_rows(), 0u);
}

std::string TempStateDir(const std::string& name) {
  return ::testing::TempDir() + "/" + name + "_" + std::to_string(::getpid());
}

// The keys the table holds; with `bytes`, also the bytes of their values.
size_t TableKeys(StateTable& table, size_t* bytes = nullptr) {
  size_t keys = 0;
  EXPECT_TRUE(table
                  .Scan("", "",
                        [&](std::string_view, std::string_view value) {
                          ++keys;
                          if (bytes != nullptr) *bytes += value.size();
                          return true;
                        })
                  .ok());
  return keys;
}

// A state store in `dir` and its "join" table, attached to `op`.
struct OpenState {
  std::unique_ptr<StateStore> store;
  StateTable* table = nullptr;
};
OpenState Attach(const std::string& dir, JoinOperator& op) {
  OpenState state;
  auto store = StateStore::Open(dir, StateStoreOptions());
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  if (!store.ok()) return state;
  state.store = std::move(*store);
  auto table = state.store->Table("join");
  EXPECT_TRUE(table.ok());
  if (!table.ok()) return state;
  state.table = *table;
  EXPECT_TRUE(op.AttachState(state.table).ok());
  return state;
}

TEST(IntervalJoinTest, IncrementalCheckpointRestoresRowsAndMatchedFlags) {
  auto plan = MakeJoin(JoinStrategy::kInterval, JoinType::kLeft);
  const std::string dir = TempStateDir("interval_join_state");
  EvalContext context;
  {
    IntervalJoinOperator op(*plan, context);
    OpenState state = Attach(dir, op);
    ASSERT_NE(state.table, nullptr);
    RecordBatch output(plan->schema);
    ASSERT_TRUE(
        op.ProcessSide(JoinSide::kLeft, MakeBatch("l", {{100, "a", 1}, {100, "b", 2}}), {}, output)
            .ok());
    ASSERT_TRUE(op.PrepareCheckpoint().ok());
    ASSERT_TRUE(state.store->Commit(CheckpointManifest{1, 0, {}, {}, {}}).ok());
    EXPECT_EQ(TableKeys(*state.table), 1u);  // one chunk of left rows
    // a matches after the first checkpoint: the second one rewrites its chunk (an outer side's
    // flag) and writes the right side's first chunk.
    ASSERT_TRUE(
        op.ProcessSide(JoinSide::kRight, MakeBatch("r", {{105, "a", 10}}), {}, output).ok());
    ASSERT_TRUE(op.PrepareCheckpoint().ok());
    ASSERT_TRUE(state.store->Commit(CheckpointManifest{2, 0, {}, {}, {}}).ok());
    EXPECT_EQ(TableKeys(*state.table), 2u);
    // Not checkpointed: lost with the "crash".
    ASSERT_TRUE(
        op.ProcessSide(JoinSide::kRight, MakeBatch("r", {{106, "b", 20}}), {}, output).ok());
  }
  IntervalJoinOperator op(*plan, context);
  OpenState state = Attach(dir, op);
  ASSERT_NE(state.table, nullptr);
  EXPECT_EQ(op.state_rows(), 3u);
  RecordBatch output(plan->schema);
  ASSERT_TRUE(op.AdvanceWatermark(200, output).ok());
  // a was matched before the checkpoint: only b comes out with NULLs.
  EXPECT_EQ(Rows(output), (std::vector<std::string>{"100 b 2 - -"}));
  ASSERT_TRUE(op.PrepareCheckpoint().ok());
  ASSERT_TRUE(state.store->Commit(CheckpointManifest{3, 0, {}, {}, {}}).ok());
  EXPECT_EQ(TableKeys(*state.table), 0u);  // purged rows are deleted from the table too
}

TEST(TemporalJoinTest, PicksTheVersionAsOfEventTimeAndHonorsDeletes) {
  auto plan = MakeJoin(JoinStrategy::kTemporal, JoinType::kLeft);
  EvalContext context;
  TemporalJoinOperator op(*plan, context);
  RecordBatch output(plan->schema);
  ASSERT_TRUE(
      op.ProcessSide(JoinSide::kRight,
                     MakeBatch("r", {{10, "a", 1}, {20, "a", 2}, {30, "a", 0, true}, {40, "a", 4}}),
                     {}, output)
          .ok());
  ASSERT_TRUE(op.ProcessSide(JoinSide::kLeft,
                             MakeBatch("l", {{5, "a", 100},
                                             {10, "a", 101},
                                             {25, "a", 102},
                                             {35, "a", 103},
                                             {45, "a", 104},
                                             {45, "z", 105}}),
                             {}, output)
                  .ok());
  EXPECT_EQ(Rows(output),
            (std::vector<std::string>{"5 a 100 - -", "10 a 101 a 1", "25 a 102 a 2", "35 a 103 - -",
                                      "45 a 104 a 4", "45 z 105 - -"}));
  EXPECT_EQ(op.state_rows(), 4u);
  // Past 35 only the newest version at or before it matters (the delete at 30, which goes too).
  ASSERT_TRUE(op.AdvanceWatermark(35, output).ok());
  EXPECT_EQ(op.state_rows(), 1u);
  ASSERT_TRUE(op.AdvanceWatermark(50, output).ok());
  EXPECT_EQ(op.state_rows(), 1u);  // the only version left answers every later lookup
}

TEST(TemporalJoinTest, PurgesKeysWhoseChangesCameInAndOutOfTimeOrder) {
  auto plan = MakeJoin(JoinStrategy::kTemporal, JoinType::kInner);
  EvalContext context;
  TemporalJoinOperator op(*plan, context);
  RecordBatch output(plan->schema);
  // Deletes of unknown keys in time order (b@20, c@30), then one that comes late (d@15), and a
  // key with two versions (a@10, a@40): each is queued for a purge at its newest version's time.
  ASSERT_TRUE(op.ProcessSide(JoinSide::kRight,
                             MakeBatch("r", {{10, "a", 1},
                                             {20, "b", 0, true},
                                             {30, "c", 0, true},
                                             {15, "d", 0, true},
                                             {40, "a", 4}}),
                             {}, output)
                  .ok());
  EXPECT_EQ(op.state_rows(), 5u);
  // Past 15: d's delete goes though it was queued after later times; b and c stay.
  ASSERT_TRUE(op.AdvanceWatermark(15, output).ok());
  EXPECT_EQ(op.state_rows(), 4u);
  ASSERT_TRUE(op.AdvanceWatermark(30, output).ok());
  EXPECT_EQ(op.state_rows(), 2u);
  // Past 40 only a@40 is left, and it still answers.
  ASSERT_TRUE(op.AdvanceWatermark(40, output).ok());
  EXPECT_EQ(op.state_rows(), 1u);
  ASSERT_TRUE(op.ProcessSide(JoinSide::kLeft,
                             MakeBatch("l", {{45, "a", 100}, {45, "b", 101}, {45, "d", 102}}), {},
                             output)
                  .ok());
  EXPECT_EQ(Rows(output), (std::vector<std::string>{"45 a 100 a 4"}));
}

TEST(TemporalJoinTest, CheckpointRestoresVersions) {
  auto plan = MakeJoin(JoinStrategy::kTemporal, JoinType::kInner);
  const std::string dir = TempStateDir("temporal_join_state");
  EvalContext context;
  {
    TemporalJoinOperator op(*plan, context);
    OpenState state = Attach(dir, op);
    ASSERT_NE(state.table, nullptr);
    RecordBatch output(plan->schema);
    ASSERT_TRUE(
        op.ProcessSide(JoinSide::kRight, MakeBatch("r", {{10, "a", 1}, {20, "a", 2}}), {}, output)
            .ok());
    ASSERT_TRUE(op.AdvanceWatermark(25, output).ok());  // purges a@10
    ASSERT_TRUE(op.PrepareCheckpoint().ok());
    ASSERT_TRUE(state.store->Commit(CheckpointManifest{1, 0, {}, {}, {}}).ok());
    EXPECT_EQ(TableKeys(*state.table), 1u);
  }
  TemporalJoinOperator op(*plan, context);
  OpenState state = Attach(dir, op);
  ASSERT_NE(state.table, nullptr);
  RecordBatch output(plan->schema);
  ASSERT_TRUE(op.ProcessSide(JoinSide::kLeft, MakeBatch("l", {{30, "a", 7}}), {}, output).ok());
  EXPECT_EQ(Rows(output), (std::vector<std::string>{"30 a 7 a 2"}));
}

// The bytes of the versions a checkpoint writes after one change to "a" at 10 and `second` at 20.
size_t CheckpointedBytes(const std::string& dir, const PhysicalJoin& plan, const Row& second) {
  EvalContext context;
  TemporalJoinOperator op(plan, context);
  OpenState state = Attach(dir, op);
  RecordBatch output(plan.schema);
  EXPECT_TRUE(
      op.ProcessSide(JoinSide::kRight, MakeBatch("r", {{10, "a", 1}, second}), {}, output).ok());
  EXPECT_TRUE(op.PrepareCheckpoint().ok());
  EXPECT_TRUE(state.store->Commit(CheckpointManifest{1, 0, {}, {}, {}}).ok());
  size_t bytes = 0;
  TableKeys(*state.table, &bytes);
  return bytes;
}

TEST(TemporalJoinTest, ADeleteKeepsNoCellsAndStillEndsItsKeyAfterARestore) {
  auto plan = MakeJoin(JoinStrategy::kTemporal, JoinType::kInner);
  const std::string dir = TempStateDir("temporal_join_delete");
  // The same change at 20 as an upsert and as a delete (a row failing the state filter comes as
  // a delete with all its cells): the delete is saved without them.
  const size_t with_upsert = CheckpointedBytes(dir + "_upsert", *plan, {20, "a", 12345});
  const size_t with_delete = CheckpointedBytes(dir, *plan, {20, "a", 12345, true});
  EXPECT_LT(with_delete, with_upsert);
  EvalContext context;
  TemporalJoinOperator op(*plan, context);
  OpenState state = Attach(dir, op);
  RecordBatch output(plan->schema);
  ASSERT_TRUE(
      op.ProcessSide(JoinSide::kLeft, MakeBatch("l", {{15, "a", 7}, {25, "a", 8}}), {}, output)
          .ok());
  EXPECT_EQ(Rows(output), (std::vector<std::string>{"15 a 7 a 1"}));
}

TEST(TemporalJoinTest, CheckpointBlocksAreRewrittenWhenSparseAndReplacedVersionsStayReplaced) {
  auto plan = MakeJoin(JoinStrategy::kTemporal, JoinType::kInner);
  const std::string dir = TempStateDir("temporal_join_blocks");
  EvalContext context;
  {
    TemporalJoinOperator op(*plan, context);
    OpenState state = Attach(dir, op);
    ASSERT_NE(state.table, nullptr);
    RecordBatch output(plan->schema);
    auto checkpoint = [&](int64_t id) {
      ASSERT_TRUE(op.PrepareCheckpoint().ok());
      ASSERT_TRUE(state.store->Commit(CheckpointManifest{id, 0, {}, {}, {}}).ok());
    };
    ASSERT_TRUE(op.ProcessSide(JoinSide::kRight,
                               MakeBatch("r", {{10, "a", 1}, {10, "b", 2}, {40, "c", 5}}), {},
                               output)
                    .ok());
    checkpoint(1);
    EXPECT_EQ(TableKeys(*state.table), 1u);  // one block of three versions
    // c@40 is replaced (same time: the later change wins); a@10 and b@10 are purged by newer
    // versions: the first block keeps none of its versions live and goes.
    ASSERT_TRUE(op.ProcessSide(JoinSide::kRight,
                               MakeBatch("r", {{20, "a", 3}, {20, "b", 4}, {40, "c", 6}}), {},
                               output)
                    .ok());
    ASSERT_TRUE(op.AdvanceWatermark(30, output).ok());
    EXPECT_EQ(op.state_rows(), 3u);
    checkpoint(2);
    EXPECT_EQ(TableKeys(*state.table), 1u);
    // A block losing fewer than half of its versions stays as it is.
    ASSERT_TRUE(op.ProcessSide(JoinSide::kRight, MakeBatch("r", {{50, "c", 7}}), {}, output).ok());
    checkpoint(3);
    EXPECT_EQ(TableKeys(*state.table), 2u);
    ASSERT_TRUE(op.AdvanceWatermark(55, output).ok());  // purges c@40 from block 2
    checkpoint(4);
    EXPECT_EQ(TableKeys(*state.table), 2u);
  }
  TemporalJoinOperator op(*plan, context);
  OpenState state = Attach(dir, op);
  ASSERT_NE(state.table, nullptr);
  RecordBatch output(plan->schema);
  // c@40 comes back from its block (stale, harmless: never picked by a row at or after 55, and
  // purged again at the first watermark).
  EXPECT_EQ(op.state_rows(), 4u);
  ASSERT_TRUE(op.ProcessSide(JoinSide::kLeft,
                             MakeBatch("l", {{55, "a", 8}, {55, "b", 9}, {55, "c", 10}}), {},
                             output)
                  .ok());
  EXPECT_EQ(Rows(output), (std::vector<std::string>{"55 a 8 a 3", "55 b 9 b 4", "55 c 10 c 7"}));
  ASSERT_TRUE(op.AdvanceWatermark(55, output).ok());
  EXPECT_EQ(op.state_rows(), 3u);
}

// State a join cannot read (the per-row layout of earlier versions, a cut block) is a STORAGE
// error at restore, never a silently emptier join.
TEST(JoinStateTest, UnreadableStateIsAStorageError) {
  struct Case {
    JoinStrategy strategy;
    std::string key;
    std::string value;
    std::string message;
  };
  std::string old_row_key = "L";
  JoinRowCodec::AppendInt(7, old_row_key);
  old_row_key += "\1k";
  std::string block_key = "B";
  JoinRowCodec::AppendInt(1, block_key);
  std::string chunk_key = "R";
  JoinRowCodec::AppendInt(0, chunk_key);
  const std::vector<Case> cases = {
      {JoinStrategy::kInterval, old_row_key, "{\"lk\":\"a\"}", "older Sluice"},
      {JoinStrategy::kInterval, chunk_key, std::string("\2\0\0\0\5\0\0\0k", 9),
       "truncated or malformed"},
      {JoinStrategy::kTemporal, "V" + old_row_key.substr(1), "{}", "older Sluice"},
      {JoinStrategy::kTemporal, block_key, std::string("\1\0\0\0\3\0\0\0kxyz", 12),
       "truncated or malformed"},
  };
  int case_idx = 0;
  for (const Case& test_case : cases) {
    const std::string dir = TempStateDir("join_state_bad_" + std::to_string(case_idx++));
    {
      auto store = StateStore::Open(dir, StateStoreOptions());
      ASSERT_TRUE(store.ok());
      auto table = (*store)->Table("join");
      ASSERT_TRUE(table.ok());
      ASSERT_TRUE((*table)->Put(test_case.key, test_case.value).ok());
      ASSERT_TRUE((*store)->Commit(CheckpointManifest{1, 0, {}, {}, {}}).ok());
    }
    auto plan = MakeJoin(test_case.strategy, JoinType::kInner);
    EvalContext context;
    std::unique_ptr<JoinOperator> op;
    if (test_case.strategy == JoinStrategy::kInterval) {
      op = std::make_unique<IntervalJoinOperator>(*plan, context);
    } else {
      op = std::make_unique<TemporalJoinOperator>(*plan, context);
    }
    auto store = StateStore::Open(dir, StateStoreOptions());
    ASSERT_TRUE(store.ok());
    auto table = (*store)->Table("join");
    ASSERT_TRUE(table.ok());
    Status status = op->AttachState(*table);
    EXPECT_EQ(status.category(), ErrorCategory::kStorage) << status.ToString();
    EXPECT_NE(status.message().find(test_case.message), std::string::npos) << status.ToString();
  }
}

}  // namespace
}  // namespace sluice
