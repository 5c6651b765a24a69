// Interval join throughput in Nexmark q4's shape: auctions (id, datetime, expires, category) JOIN
// bids (auction, price, datetime) WITHIN (0 ms, 2 ms) ON id = auction, both in event-time order
// at 10 events per microsecond (6% auctions, 92% bids), each bid for one of the ~100 newest
// auctions; batches of 1024 rows alternate between the sides and the watermark follows them.
// Reports joined input rows per second. Run: micro_bench --benchmark_filter=IntervalJoin

#include <benchmark/benchmark.h>

#include <memory>
#include <random>
#include <vector>

#include "runtime/expression/expression_factory.h"
#include "runtime/operator/interval_join.h"

namespace sluice {
namespace {

constexpr size_t kBatchRows = 1024;

std::unique_ptr<PhysicalJoin> MakeQ4Join() {
  auto join = std::make_unique<PhysicalJoin>();
  join->strategy = JoinStrategy::kInterval;
  join->type = JoinType::kInner;
  join->left_keys.push_back(MakeColumnRef(0, DataType::Bigint()));
  join->right_keys.push_back(MakeColumnRef(0, DataType::Bigint()));
  join->before_ms = 0;
  join->after_ms = 2;
  join->left_width = 4;
  for (const char* name : {"id", "datetime", "expires", "category", "auction", "price", "time"}) {
    join->schema.Add(Field{name, DataType::Bigint()});
  }
  return join;
}

RecordBatch EmptyBatch(size_t columns) {
  Schema schema;
  for (size_t column_idx = 0; column_idx < columns; ++column_idx) {
    schema.Add(Field{"c" + std::to_string(column_idx), DataType::Bigint()});
  }
  return RecordBatch(schema);
}

void AppendRow(RecordBatch& batch, const std::vector<int64_t>& cells, int64_t time) {
  for (size_t column_idx = 0; column_idx < cells.size(); ++column_idx) {
    batch.column(column_idx).AppendInt64(cells[column_idx]);
  }
  batch.meta().push_back(RecordMeta{time, 0, 0, RowKind::kUpsert});
  batch.keys().emplace_back();
}

// The input, generated once: batches of each side in the order they are fed.
struct Q4Input {
  std::vector<RecordBatch> batches;
  std::vector<bool> left;  // per batch
  std::vector<int64_t> watermark_after;
  size_t rows = 0;

  explicit Q4Input(int64_t events) {
    std::mt19937_64 random(11);
    RecordBatch auctions = EmptyBatch(4);
    RecordBatch bids = EmptyBatch(3);
    int64_t next_auction = 0;
    int64_t watermark = 0;
    auto flush = [&](RecordBatch& batch, bool is_left) {
      if (batch.num_rows() == 0) return;
      watermark = std::max(watermark, batch.meta().back().timestamp);
      rows += batch.num_rows();
      batches.push_back(std::move(batch));
      left.push_back(is_left);
      watermark_after.push_back(watermark);
      batch = EmptyBatch(is_left ? 4 : 3);
    };
    for (int64_t event = 0; event < events; ++event) {
      const int64_t time = event / 10000;  // 10M events per second
      if (event % 50 < 3) {
        AppendRow(auctions, {next_auction++, time, time + 1, static_cast<int64_t>(random() % 20)},
                  time);
        if (auctions.num_rows() == kBatchRows) flush(auctions, true);
      } else if (event % 50 >= 4) {
        const int64_t recent = static_cast<int64_t>(random() % 100);
        const int64_t auction = next_auction > recent ? next_auction - 1 - recent : 0;
        AppendRow(bids, {auction, static_cast<int64_t>(random() % 10000), time}, time);
        if (bids.num_rows() == kBatchRows) flush(bids, false);
      }
    }
    flush(auctions, true);
    flush(bids, false);
  }
};

void BM_IntervalJoinQ4(benchmark::State& state) {
  const Q4Input input(state.range(0));
  auto plan = MakeQ4Join();
  EvalContext context;
  size_t pairs = 0;
  for (auto _ : state) {
    IntervalJoinOperator op(*plan, context);
    for (size_t batch_idx = 0; batch_idx < input.batches.size(); ++batch_idx) {
      RecordBatch output(plan->schema);
      const JoinSide side = input.left[batch_idx] ? JoinSide::kLeft : JoinSide::kRight;
      if (!op.ProcessSide(side, input.batches[batch_idx], {}, output).ok()) {
        state.SkipWithError("join failed");
        return;
      }
      // Both sides move in step: the join's watermark trails the last batch by one millisecond.
      if (!op.AdvanceWatermark(input.watermark_after[batch_idx] - 1, output).ok()) {
        state.SkipWithError("watermark failed");
        return;
      }
      pairs += output.num_rows();
      benchmark::DoNotOptimize(output);
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * input.rows));
  state.counters["pairs_per_run"] =
      static_cast<double>(pairs) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_IntervalJoinQ4)->Arg(2000000)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace sluice
