// JSON record encoding, as json-log mode's sinks do it: Nexmark bids whose numbers and strings
// vary in length from row to row (a fixed row lets the branch predictor learn every length),
// encoded row by row into one reused EncodeBuffer (q0's columns; q1's with the price as a
// DECIMAL(13,3); a DATE column) or into a std::string, and the whole sink path, AppendRowsToTopic,
// into a local-log topic (encoding, framing, checksums and the write into the page cache). Run:
// micro_bench --benchmark_filter=JsonEncode

#include <benchmark/benchmark.h>

#include <string>

#include "bench/micro/bench_dir.h"
#include "common/json_codec.h"
#include "runtime/connector/local_log_sink.h"
#include "storage/log/local_log_store.h"

namespace sluice {
namespace {

constexpr size_t kBatchRows = 1024;

// A deterministic generator, so every run encodes the same rows.
class Lcg {
 public:
  uint64_t Next(uint64_t bound) {
    state_ = state_ * 6364136223846793005ULL + 1442695040888963407ULL;
    return (state_ >> 33) % bound;
  }

 private:
  uint64_t state_ = 42;
};

// Bids: auction, bidder, price (BIGINT, or DECIMAL(13,3) as q1's 0.908 * price), channel, url,
// datetime, extra.
Schema BidSchema(bool decimal_price) {
  return Schema({{"auction", DataType::Bigint()},
                 {"bidder", DataType::Bigint()},
                 {"price", decimal_price ? DataType::Decimal(13, 3) : DataType::Bigint()},
                 {"channel", DataType::Varchar()},
                 {"url", DataType::Varchar()},
                 {"datetime", DataType::Timestamp()},
                 {"extra", DataType::Varchar()}});
}

RecordBatch VariedBids(bool decimal_price) {
  RecordBatch batch(BidSchema(decimal_price));
  Lcg random;
  for (size_t row = 0; row < kBatchRows; ++row) {
    batch.column(0).AppendInt64(static_cast<int64_t>(1000 + random.Next(100000)));
    batch.column(1).AppendInt64(static_cast<int64_t>(1000 + random.Next(10000)));
    const int64_t price = static_cast<int64_t>(random.Next(10000000));
    batch.column(2).AppendInt64(decimal_price ? price * 908 : price);
    batch.column(3).AppendString(std::string(5 + random.Next(8), 'c'));
    batch.column(4).AppendString("https://www.nexmark.com/" +
                                 std::string(20 + random.Next(50), 'u'));
    batch.column(5).AppendInt64(static_cast<int64_t>(1700000000000 + random.Next(1000000)));
    batch.column(6).AppendString(std::string(60 + random.Next(30), 'x'));
    RecordMeta meta;
    meta.timestamp = batch.column(5).GetInt64(row);
    batch.meta().push_back(meta);
  }
  return batch;
}

void EncodeRows(benchmark::State& state, const Schema& schema, const RecordBatch& batch) {
  JsonRecordEncoder encoder(schema);
  EncodeBuffer out;
  size_t row = 0;
  for (auto _ : state) {
    encoder.EncodeRow(batch, row, out);
    if (++row == kBatchRows) {
      benchmark::DoNotOptimize(out.view().data());
      out.Clear();
      row = 0;
    }
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_JsonEncodeVariedBids(benchmark::State& state) {
  EncodeRows(state, BidSchema(false), VariedBids(false));
}
BENCHMARK(BM_JsonEncodeVariedBids);

// The std::string path (nested values, INSERT's keys and messages use it).
void BM_JsonEncodeVariedBidsToString(benchmark::State& state) {
  const RecordBatch batch = VariedBids(false);
  JsonRecordEncoder encoder(BidSchema(false));
  std::string out;
  size_t row = 0;
  for (auto _ : state) {
    out.clear();
    encoder.EncodeRow(batch, row, out);
    benchmark::DoNotOptimize(out.data());
    row = row + 1 == kBatchRows ? 0 : row + 1;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_JsonEncodeVariedBidsToString);

void BM_JsonEncodeVariedBidsDecimalPrice(benchmark::State& state) {
  EncodeRows(state, BidSchema(true), VariedBids(true));
}
BENCHMARK(BM_JsonEncodeVariedBidsDecimalPrice);

// Days around today and before 1970, in a batch of one DATE and one negative BIGINT column.
void BM_JsonEncodeDatesAndNegatives(benchmark::State& state) {
  Schema schema({{"day", DataType::Date()}, {"delta", DataType::Bigint()}});
  RecordBatch batch(schema);
  Lcg random;
  for (size_t row = 0; row < kBatchRows; ++row) {
    batch.column(0).AppendInt64(static_cast<int64_t>(random.Next(40000)) - 20000);
    batch.column(1).AppendInt64(-static_cast<int64_t>(random.Next(1ULL << 40)));
    batch.meta().emplace_back();
  }
  EncodeRows(state, schema, batch);
}
BENCHMARK(BM_JsonEncodeDatesAndNegatives);

// The sink's whole path for one batch of q0's output: encode, frame, checksum, write(2).
void BM_JsonEncodeSinkAppendBids(benchmark::State& state) {
  BenchDir dir;
  auto store = LocalLogStore::Open(dir.path() + "/log");
  if (!store.ok() || !(*store)->CreateTopic("bench", 1).ok()) {
    state.SkipWithError("cannot create the log");
    return;
  }
  const RecordBatch batch = VariedBids(false);
  JsonRecordEncoder encoder(BidSchema(false));
  LocalLogWriterCache writers(**store);
  TopicAppendScratch scratch;
  for (auto _ : state) {
    Result<int64_t> appended = AppendRowsToTopic(writers, "bench", 1, encoder, batch, {}, scratch);
    if (!appended.ok()) {
      state.SkipWithError(appended.status().ToString().c_str());
      break;
    }
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(kBatchRows));
}
BENCHMARK(BM_JsonEncodeSinkAppendBids);

}  // namespace
}  // namespace sluice
