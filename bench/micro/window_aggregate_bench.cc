// WindowAggregateOperator over 1024-row batches, in memory (no state table), shaped like the
// Nexmark window queries: q5's HOP(10 s, 2 s) COUNT(*) per BIGINT auction (a few hot auctions
// among 130K, all in one 2 s pane, then its five windows closed), and q8's TUMBLE(10 s) GROUP BY
// (id BIGINT, name VARCHAR) without calls (one group per row, then the window closed), and q7's
// MAX per TUMBLE(10 s) without a key; and q4's GROUP BY (id, category) MAX(price) over its join's
// rows, without a window, in a state table with the group cache (what a persistent query runs).
// Items are input rows; each iteration is the whole stream, its groups built and its windows
// emitted (or its groups checkpointed).

#include <benchmark/benchmark.h>

#include <limits>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "bench/micro/bench_dir.h"
#include "runtime/expression/expression_factory.h"
#include "runtime/operator/window_aggregate.h"
#include "storage/state/state_store.h"

namespace sluice {
namespace {

constexpr size_t kBatchRows = 1024;
constexpr int64_t kBaseTime = 1'700'000'000'000;

// Bids: auction ids skewed like the generator's (half of them among 100 hot auctions), event times
// spread over the first 2 s.
std::vector<RecordBatch> MakeBids(size_t num_rows, int64_t num_auctions) {
  Schema schema({{"auction", DataType::Bigint()}});
  std::mt19937_64 random(7);
  std::uniform_int_distribution<int64_t> any(0, num_auctions - 1), hot(0, 99);
  std::vector<RecordBatch> batches;
  for (size_t row = 0; row < num_rows; ++row) {
    if (row % kBatchRows == 0) batches.emplace_back(schema);
    RecordBatch& batch = batches.back();
    batch.column(0).AppendInt64(1000 + (row % 2 == 0 ? hot(random) : any(random)));
    const int64_t time = kBaseTime + static_cast<int64_t>(row * 2000 / num_rows);
    batch.meta().push_back(RecordMeta{time, 0, static_cast<int64_t>(row), RowKind::kUpsert});
    batch.keys().emplace_back();
  }
  return batches;
}

// People: distinct ids with names of 5-20 letters, over the first 10 s.
std::vector<RecordBatch> MakePeople(size_t num_rows) {
  Schema schema({{"id", DataType::Bigint()}, {"name", DataType::Varchar()}});
  std::mt19937_64 random(11);
  std::uniform_int_distribution<int> letter(0, 25), length(5, 20);
  std::vector<RecordBatch> batches;
  for (size_t row = 0; row < num_rows; ++row) {
    if (row % kBatchRows == 0) batches.emplace_back(schema);
    RecordBatch& batch = batches.back();
    std::string name;
    for (int size = length(random); size > 0; --size) name.push_back('a' + letter(random));
    batch.column(0).AppendInt64(1000 + static_cast<int64_t>(row));
    batch.column(1).AppendString(name);
    const int64_t time = kBaseTime + static_cast<int64_t>(row * 10000 / num_rows);
    batch.meta().push_back(RecordMeta{time, 0, static_cast<int64_t>(row), RowKind::kUpsert});
    batch.keys().emplace_back();
  }
  return batches;
}

void Run(benchmark::State& state, const PhysicalAggregate& plan,
         const std::vector<RecordBatch>& batches, size_t num_rows) {
  size_t rows_out = 0;
  for (auto _ : state) {
    EvalContext context;
    WindowAggregateOperator op(plan, context);
    for (const RecordBatch& batch : batches) {
      RecordBatch output(plan.schema);
      if (!op.Process(batch, output).ok()) state.SkipWithError("process failed");
    }
    bool done = false;
    while (!done) {
      RecordBatch output(plan.schema);
      if (!op.AdvanceWatermarkSome(std::numeric_limits<int64_t>::max(), 8192, output, &done).ok()) {
        state.SkipWithError("close failed");
        break;
      }
      rows_out += output.num_rows();
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * num_rows));
  state.counters["rows_out"] =
      static_cast<double>(rows_out) / static_cast<double>(state.iterations());
}

void BM_HopCountPerAuction(benchmark::State& state) {
  constexpr size_t kRows = 2'000'000;
  const std::vector<RecordBatch> batches = MakeBids(kRows, 130'000);
  PhysicalAggregate plan;
  plan.window = {WindowType::kHop, 10'000, 2'000, 0};
  plan.keys.push_back(MakeColumnRef(0, DataType::Bigint()));
  AggregateCall count;
  count.function = AggregateFunction::kCountStar;
  count.type = DataType::Bigint();
  plan.aggregates.push_back(std::move(count));
  plan.schema.Add(Field{"window_start", DataType::Timestamp()});
  plan.schema.Add(Field{"window_end", DataType::Timestamp()});
  plan.schema.Add(Field{"auction", DataType::Bigint()});
  plan.schema.Add(Field{"num", DataType::Bigint()});
  Run(state, plan, batches, kRows);
}
BENCHMARK(BM_HopCountPerAuction)->Unit(benchmark::kMillisecond);

void BM_TumbleDistinctPeople(benchmark::State& state) {
  constexpr size_t kRows = 300'000;
  const std::vector<RecordBatch> batches = MakePeople(kRows);
  PhysicalAggregate plan;
  plan.window = {WindowType::kTumble, 10'000, 0, 0};
  plan.keys.push_back(MakeColumnRef(0, DataType::Bigint()));
  plan.keys.push_back(MakeColumnRef(1, DataType::Varchar()));
  plan.schema.Add(Field{"window_start", DataType::Timestamp()});
  plan.schema.Add(Field{"window_end", DataType::Timestamp()});
  plan.schema.Add(Field{"id", DataType::Bigint()});
  plan.schema.Add(Field{"name", DataType::Varchar()});
  Run(state, plan, batches, kRows);
}
BENCHMARK(BM_TumbleDistinctPeople)->Unit(benchmark::kMillisecond);

// q7's shape: MAX(price) per TUMBLE(10 s) window, no key (one group per window), over the bids'
// auction column as the price.
void BM_TumbleMaxNoKey(benchmark::State& state) {
  constexpr size_t kRows = 2'000'000;
  const std::vector<RecordBatch> batches = MakeBids(kRows, 130'000);
  PhysicalAggregate plan;
  plan.window = {WindowType::kTumble, 10'000, 0, 0};
  AggregateCall max;
  max.function = AggregateFunction::kMax;
  max.argument = MakeColumnRef(0, DataType::Bigint());
  max.type = DataType::Bigint();
  plan.aggregates.push_back(std::move(max));
  plan.schema.Add(Field{"window_start", DataType::Timestamp()});
  plan.schema.Add(Field{"window_end", DataType::Timestamp()});
  plan.schema.Add(Field{"maxprice", DataType::Bigint()});
  Run(state, plan, batches, kRows);
}
BENCHMARK(BM_TumbleMaxNoKey)->Unit(benchmark::kMillisecond);

// q4's join output: (id, category, price) with a new auction every 15 rows, each row for one of
// the 100 newest auctions, over the first 2 s.
std::vector<RecordBatch> MakeWinningBidPairs(size_t num_rows) {
  Schema schema({{"id", DataType::Bigint()},
                 {"category", DataType::Bigint()},
                 {"price", DataType::Bigint()}});
  std::mt19937_64 random(5);
  std::uniform_int_distribution<int64_t> recent(0, 99), price(100, 100'000);
  std::vector<RecordBatch> batches;
  for (size_t row = 0; row < num_rows; ++row) {
    if (row % kBatchRows == 0) batches.emplace_back(schema);
    RecordBatch& batch = batches.back();
    const int64_t id = 1000 + std::max<int64_t>(static_cast<int64_t>(row / 15) - recent(random), 0);
    batch.column(0).AppendInt64(id);
    batch.column(1).AppendInt64(10 + id % 5);
    batch.column(2).AppendInt64(price(random));
    const int64_t time = kBaseTime + static_cast<int64_t>(row * 2000 / num_rows);
    batch.meta().push_back(RecordMeta{time, 0, static_cast<int64_t>(row), RowKind::kUpsert});
    batch.keys().emplace_back();
  }
  return batches;
}

void BM_GroupByMaxPerAuctionCached(benchmark::State& state) {
  constexpr size_t kRows = 2'000'000;
  const std::vector<RecordBatch> batches = MakeWinningBidPairs(kRows);
  PhysicalAggregate plan;
  plan.window = {WindowType::kNone, 0, 0, 0};
  plan.emit_changes = true;  // always, without a window (the planner sets it)
  plan.keys.push_back(MakeColumnRef(0, DataType::Bigint()));
  plan.keys.push_back(MakeColumnRef(1, DataType::Bigint()));
  AggregateCall max;
  max.function = AggregateFunction::kMax;
  max.argument = MakeColumnRef(2, DataType::Bigint());
  max.type = DataType::Bigint();
  plan.aggregates.push_back(std::move(max));
  plan.schema.Add(Field{"id", DataType::Bigint()});
  plan.schema.Add(Field{"category", DataType::Bigint()});
  plan.schema.Add(Field{"final", DataType::Bigint()});
  size_t rows_out = 0;
  for (auto _ : state) {
    state.PauseTiming();
    BenchDir dir;
    auto store = StateStore::Open(dir.path(), StateStoreOptions());
    if (!store.ok()) {
      state.SkipWithError("cannot open the state store");
      return;
    }
    auto table = (*store)->Table("aggregate");
    EvalContext context;
    WindowAggregateOperator op(plan, context);
    op.set_cache_budget(size_t{64} << 20);
    if (!table.ok() || !op.AttachState(*table).ok()) {
      state.SkipWithError("cannot attach the state");
      return;
    }
    state.ResumeTiming();
    for (const RecordBatch& batch : batches) {
      RecordBatch output(plan.schema);
      if (!op.Process(batch, output).ok()) state.SkipWithError("process failed");
      rows_out += output.num_rows();
    }
    if (!op.PrepareCheckpoint().ok() ||
        !(*store)->Commit(CheckpointManifest{1, 0, {}, {}, {}}).ok()) {
      state.SkipWithError("checkpoint failed");
    }
    state.PauseTiming();
    store->reset();
    state.ResumeTiming();
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kRows));
  state.counters["rows_out"] =
      static_cast<double>(rows_out) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_GroupByMaxPerAuctionCached)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace sluice
