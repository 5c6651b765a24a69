// JSON record decoding of a Nexmark bid, with a projection (2 of 7 columns) and with all columns.
// Rows go into batches of 1024 that are cleared when full, as a source would do.

#include <benchmark/benchmark.h>

#include <string>

#include "common/json_codec.h"

namespace sluice {
namespace {

constexpr std::string_view kBid =
    R"({"auction":1000,"bidder":2001,"price":1234,"channel":"Google",)"
    R"("url":"https://www.nexmark.com/abc/item.htm?query=1","dateTime":1700000000000,)"
    R"("extra":"xxxxxxxxxx"})";
constexpr size_t kBatchRows = 1024;

Schema BidSchema() {
  return Schema({{"auction", DataType::Bigint()},
                 {"bidder", DataType::Bigint()},
                 {"price", DataType::Bigint()},
                 {"channel", DataType::Varchar()},
                 {"url", DataType::Varchar()},
                 {"datetime", DataType::Timestamp()},
                 {"extra", DataType::Varchar()}});
}

void DecodeBids(benchmark::State& state, std::vector<int> needed) {
  JsonRecordDecoder decoder(BidSchema(), std::move(needed));
  RecordBatch batch(decoder.output_schema());
  // Distinct input bytes per record so the copy into the decoder's buffer is not free.
  std::vector<std::string> records(kBatchRows, std::string(kBid));
  size_t row = 0;
  for (auto _ : state) {
    Status status = decoder.DecodeRow(records[row], batch);
    if (!status.ok()) {
      state.SkipWithError(status.ToString().c_str());
      break;
    }
    if (++row == kBatchRows) {
      batch.Clear();
      row = 0;
    }
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * kBid.size()));
}

void BM_JsonDecodeBidTwoOfSevenColumns(benchmark::State& state) {
  DecodeBids(state, {2, 5});  // price, datetime
}
BENCHMARK(BM_JsonDecodeBidTwoOfSevenColumns);

void BM_JsonDecodeBidAllColumns(benchmark::State& state) {
  DecodeBids(state, {0, 1, 2, 3, 4, 5, 6});
}
BENCHMARK(BM_JsonDecodeBidAllColumns);

void BM_JsonEncodeBid(benchmark::State& state) {
  Schema schema = BidSchema();
  JsonRecordDecoder decoder(schema, {0, 1, 2, 3, 4, 5, 6});
  RecordBatch batch(decoder.output_schema());
  if (!decoder.DecodeRow(kBid, batch).ok()) {
    state.SkipWithError("decoding the sample bid failed");
    return;
  }
  JsonRecordEncoder encoder(schema);
  std::string out;
  for (auto _ : state) {
    out.clear();
    encoder.EncodeRow(batch, 0, out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_JsonEncodeBid);

}  // namespace
}  // namespace sluice
