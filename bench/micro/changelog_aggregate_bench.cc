// ChangelogAggregateOperator over 1024-row batches, in memory (no state table), shaped like the
// second query of Nexmark q4: AVG(final) GROUP BY category over a changelog of (id, category,
// final) keyed by id, where each auction's row is replaced a few times by a higher maximum (so
// most rows retract the key's previous row from its group and add the new one). Items are input
// rows; each iteration is the whole changelog.

#include <benchmark/benchmark.h>

#include <random>
#include <vector>

#include "runtime/expression/expression_factory.h"
#include "runtime/operator/changelog_aggregate.h"

namespace sluice {
namespace {

constexpr size_t kBatchRows = 1024;

// 130K auctions in 5 categories; each has 1-5 rows of rising `final`, the rows of ~100
// auctions at a time interleaved as the generator's in-flight auctions are.
std::vector<RecordBatch> MakeWinningBids(size_t num_auctions) {
  Schema schema({{"id", DataType::Bigint()},
                 {"category", DataType::Bigint()},
                 {"final", DataType::Bigint()}});
  std::mt19937_64 random(5);
  std::uniform_int_distribution<int> updates(1, 5), category(10, 14), in_flight(0, 99);
  std::uniform_int_distribution<int64_t> raise(1, 1000);
  struct Open {
    int64_t id, category, final;
    int left;
  };
  std::vector<Open> open;
  std::vector<RecordBatch> batches;
  int64_t next_id = 1000;
  int64_t offset = 0;
  while (next_id < 1000 + static_cast<int64_t>(num_auctions) || !open.empty()) {
    if (open.size() < 100 && next_id < 1000 + static_cast<int64_t>(num_auctions)) {
      open.push_back({next_id++, category(random), 0, updates(random)});
      continue;
    }
    const size_t pick = static_cast<size_t>(in_flight(random)) % open.size();
    Open& auction = open[pick];
    auction.final += raise(random);
    if (offset % static_cast<int64_t>(kBatchRows) == 0) batches.emplace_back(schema);
    RecordBatch& batch = batches.back();
    batch.column(0).AppendInt64(auction.id);
    batch.column(1).AppendInt64(auction.category);
    batch.column(2).AppendInt64(auction.final);
    batch.meta().push_back(RecordMeta{offset, 0, offset, RowKind::kUpsert});
    batch.keys().emplace_back();
    ++offset;
    if (--auction.left == 0) {
      auction = open.back();
      open.pop_back();
    }
  }
  return batches;
}

// One pass of a fresh operator over the changelog; the rows it emitted.
Result<size_t> AggregateAll(const PhysicalAggregate& plan, const std::vector<RecordBatch>& input) {
  EvalContext context;
  ChangelogAggregateOperator op(plan, context);
  size_t emitted = 0;
  RecordBatch output(plan.schema);
  for (const RecordBatch& batch : input) {
    RETURN_NOT_OK(op.Process(batch, output));
    emitted += output.num_rows();
    output = RecordBatch(plan.schema);
  }
  return emitted;
}

void BM_AvgPerCategoryOfUpserts(benchmark::State& state) {
  const std::vector<RecordBatch> batches = MakeWinningBids(130'000);
  size_t num_rows = 0;
  for (const RecordBatch& batch : batches) num_rows += batch.num_rows();
  // SELECT category, AVG(final) AS avg_final ... GROUP BY category, keyed by id.
  PhysicalAggregate plan;
  plan.changelog_key = {0};
  plan.emit_changes = true;
  plan.keys.push_back(MakeColumnRef(1, DataType::Bigint()));
  plan.schema = Schema({{"category", DataType::Bigint()}, {"avg_final", DataType::Double()}});
  AggregateCall& avg = plan.aggregates.emplace_back();
  avg.function = AggregateFunction::kAvg;
  avg.argument = MakeColumnRef(2, DataType::Bigint());
  avg.type = DataType::Double();
  size_t rows_out = 0;
  for (auto _ : state) {
    const Result<size_t> emitted = AggregateAll(plan, batches);
    if (!emitted.ok()) {
      state.SkipWithError("process failed");
      break;
    }
    rows_out += *emitted;
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * num_rows));
  state.counters["rows_out"] =
      static_cast<double>(rows_out) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_AvgPerCategoryOfUpserts)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace sluice
