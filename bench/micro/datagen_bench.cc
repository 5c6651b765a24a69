// Datagen generation speed: rows per second of one thread, polling batches of 4096 rows into a
// reused RecordBatch (as a pipeline does). Run: micro_bench --benchmark_filter=Datagen

#include <benchmark/benchmark.h>

#include <map>
#include <string>
#include <vector>

#include "runtime/connector/datagen/datagen_source.h"

namespace sluice {
namespace {

constexpr size_t kBatchRows = 4096;

Schema BidSchema() {
  return Schema({{"auction", DataType::Bigint()},
                 {"bidder", DataType::Bigint()},
                 {"price", DataType::Bigint()},
                 {"channel", DataType::Varchar()},
                 {"url", DataType::Varchar()},
                 {"datetime", DataType::Timestamp()},
                 {"extra", DataType::Varchar()}});
}

Schema PersonSchema() {
  return Schema({{"id", DataType::Bigint()},
                 {"name", DataType::Varchar()},
                 {"emailaddress", DataType::Varchar()},
                 {"creditcard", DataType::Varchar()},
                 {"city", DataType::Varchar()},
                 {"state", DataType::Varchar()},
                 {"datetime", DataType::Timestamp()},
                 {"extra", DataType::Varchar()}});
}

Schema AuctionSchema() {
  return Schema({{"id", DataType::Bigint()},
                 {"itemname", DataType::Varchar()},
                 {"description", DataType::Varchar()},
                 {"initialbid", DataType::Bigint()},
                 {"reserve", DataType::Bigint()},
                 {"datetime", DataType::Timestamp()},
                 {"expires", DataType::Timestamp()},
                 {"seller", DataType::Bigint()},
                 {"category", DataType::Bigint()},
                 {"extra", DataType::Varchar()}});
}

void RunSource(benchmark::State& state, const Schema& schema, std::vector<int> columns,
               std::map<std::string, std::string> properties, int timestamp_column) {
  SourceSpec spec;
  spec.store_type = "datagen";
  spec.relation_schema = schema;
  spec.columns = columns;
  spec.timestamp_column = timestamp_column;
  spec.properties = std::move(properties);
  Result<std::unique_ptr<DatagenSource>> source = DatagenSource::Create(spec);
  if (!source.ok()) {
    state.SkipWithError(source.status().ToString().c_str());
    return;
  }
  Schema output;
  for (int column : columns) output.Add(schema.field(static_cast<size_t>(column)));
  RecordBatch batch(output);
  int64_t rows = 0;
  for (auto _ : state) {
    batch.Clear();
    Status status = (*source)->Poll(kBatchRows, batch);
    if (!status.ok()) {
      state.SkipWithError(status.ToString().c_str());
      return;
    }
    rows += static_cast<int64_t>(batch.num_rows());
    benchmark::DoNotOptimize(batch.meta().data());
  }
  state.SetItemsProcessed(rows);
}

// Nexmark q1/q2-style projection: the auction and price of each bid, timestamped by datetime.
void BM_DatagenNexmarkBidTwoColumns(benchmark::State& state) {
  RunSource(state, BidSchema(), {0, 2}, {{"generator", "nexmark.bid"}}, 5);
}
BENCHMARK(BM_DatagenNexmarkBidTwoColumns);

void BM_DatagenNexmarkBidAllColumns(benchmark::State& state) {
  RunSource(state, BidSchema(), {0, 1, 2, 3, 4, 5, 6}, {{"generator", "nexmark.bid"}}, 5);
}
BENCHMARK(BM_DatagenNexmarkBidAllColumns);

// Rows per second of the person / auction streams; each row stands for 50 / 16.7 events of
// the whole sequence, so these run far below the bid stream's event rate on purpose.
void BM_DatagenNexmarkPersonAllColumns(benchmark::State& state) {
  RunSource(state, PersonSchema(), {0, 1, 2, 3, 4, 5, 6, 7}, {{"generator", "nexmark.person"}}, 6);
}
BENCHMARK(BM_DatagenNexmarkPersonAllColumns);

void BM_DatagenNexmarkAuctionAllColumns(benchmark::State& state) {
  RunSource(state, AuctionSchema(), {0, 1, 2, 3, 4, 5, 6, 7, 8, 9},
            {{"generator", "nexmark.auction"}}, 5);
}
BENCHMARK(BM_DatagenNexmarkAuctionAllColumns);

// The whole event sequence with flattened columns (NULL for other kinds).
void BM_DatagenNexmarkEventFlat(benchmark::State& state) {
  Schema schema({{"event_type", DataType::Integer()},
                 {"datetime", DataType::Timestamp()},
                 {"bid_auction", DataType::Bigint()},
                 {"bid_price", DataType::Bigint()},
                 {"auction_seller", DataType::Bigint()},
                 {"person_state", DataType::Varchar()}});
  RunSource(state, schema, {0, 1, 2, 3, 4, 5}, {{"generator", "nexmark.event"}}, 1);
}
BENCHMARK(BM_DatagenNexmarkEventFlat);

void BM_DatagenRandomScalars(benchmark::State& state) {
  Schema schema({{"viewtime", DataType::Bigint()},
                 {"userid", DataType::Varchar()},
                 {"pageid", DataType::Integer()},
                 {"score", DataType::Double()}});
  RunSource(state, schema, {0, 1, 2, 3}, {{"generator", "random"}}, 0);
}
BENCHMARK(BM_DatagenRandomScalars);

}  // namespace
}  // namespace sluice
