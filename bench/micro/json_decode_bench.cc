// JSON record decoding of a Nexmark bid, with a projection (2 of 7 columns) and with all columns
// (encoding is in json_encode_bench.cc). Rows go into batches of 1024 that are cleared when full,
// as a source would do.
// kBid's "dateTime" matches its column only case-insensitively, so the decoder reads every key;
// kLowerBid is what json-log mode's topic holds (keys as the columns are named), where a query's
// decoder stops once it has its columns.

#include <benchmark/benchmark.h>

#include <string>

#include "common/json_codec.h"

namespace sluice {
namespace {

constexpr std::string_view kBid =
    R"({"auction":1000,"bidder":2001,"price":1234,"channel":"Google",)"
    R"("url":"https://www.nexmark.com/abc/item.htm?query=1","dateTime":1700000000000,)"
    R"("extra":"xxxxxxxxxx"})";
constexpr std::string_view kLowerBid =
    R"({"auction":1000,"bidder":1001,"price":12549,"channel":"Apple",)"
    R"("url":"https://www.nexmark.com/xbr_/lnrc/vqdn/item.htm?query=1","datetime":1700000000000,)"
    R"("extra":"ccyhfvbvfgnjaurrzhxdybwtisuvhbsbgtsxdpqkdutwpteyuhaogxaapgveiahzxqdw"})";
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

// Decodes `records` (kBatchRows of them) in turn, one per iteration, into a batch cleared when
// full, as a source would do.
void DecodeEach(benchmark::State& state, JsonRecordDecoder& decoder,
                const std::vector<std::string>& records, size_t bytes_per_record) {
  RecordBatch batch(decoder.output_schema());
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
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes_per_record));
}

void DecodeBids(benchmark::State& state, std::vector<int> needed, std::string_view bid = kBid) {
  JsonRecordDecoder decoder(BidSchema(), std::move(needed));
  // Distinct input bytes per record so the copy into the decoder's buffer is not free.
  std::vector<std::string> records(kBatchRows, std::string(bid));
  DecodeEach(state, decoder, records, bid.size());
}

void BM_JsonDecodeBidTwoOfSevenColumns(benchmark::State& state) {
  DecodeBids(state, {2, 5});  // price, datetime
}
BENCHMARK(BM_JsonDecodeBidTwoOfSevenColumns);

void BM_JsonDecodeBidAllColumns(benchmark::State& state) {
  DecodeBids(state, {0, 1, 2, 3, 4, 5, 6});
}
BENCHMARK(BM_JsonDecodeBidAllColumns);

// Nexmark q2's columns (auction, price and the event time) and q0's (all but channel and url).
void BM_JsonDecodeLowerBidQ2Columns(benchmark::State& state) {
  DecodeBids(state, {0, 2, 5}, kLowerBid);
}
BENCHMARK(BM_JsonDecodeLowerBidQ2Columns);

void BM_JsonDecodeLowerBidQ0Columns(benchmark::State& state) {
  DecodeBids(state, {0, 1, 2, 5, 6}, kLowerBid);
}
BENCHMARK(BM_JsonDecodeLowerBidQ0Columns);

// Bids whose numbers and strings vary in length from record to record, as the generated ones
// do: a fixed record lets the branch predictor learn every loop's exit, which real data does not.
void DecodeVariedBids(benchmark::State& state, std::vector<int> needed) {
  JsonRecordDecoder decoder(BidSchema(), std::move(needed));
  std::vector<std::string> records;
  uint64_t seed = 42;
  auto next = [&seed](uint64_t bound) {
    seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
    return (seed >> 33) % bound;
  };
  size_t bytes = 0;
  for (size_t row = 0; row < kBatchRows; ++row) {
    std::string record = "{\"auction\":" + std::to_string(1000 + next(100000)) +
                         ",\"bidder\":" + std::to_string(1000 + next(10000)) +
                         ",\"price\":" + std::to_string(next(1) == 0 ? next(10000000) : 1) +
                         ",\"channel\":\"" + std::string(5 + next(8), 'c') + "\",\"url\":\"" +
                         "https://www.nexmark.com/" + std::string(20 + next(50), 'u') +
                         "\",\"datetime\":" + std::to_string(1700000000000 + next(1000000)) +
                         ",\"extra\":\"" + std::string(60 + next(30), 'x') + "\"}";
    bytes += record.size();
    records.push_back(std::move(record));
  }
  DecodeEach(state, decoder, records, bytes / kBatchRows);
}

void BM_JsonDecodeVariedBidsQ2Columns(benchmark::State& state) {
  DecodeVariedBids(state, {0, 2, 5});
}
BENCHMARK(BM_JsonDecodeVariedBidsQ2Columns);

void BM_JsonDecodeVariedBidsQ0Columns(benchmark::State& state) {
  DecodeVariedBids(state, {0, 1, 2, 5, 6});
}
BENCHMARK(BM_JsonDecodeVariedBidsQ0Columns);

// Bids whose event time is text, as many producers write it: "datetime":"2023-11-14 22:13:20.123".
void BM_JsonDecodeBidTextTimestampQ0Columns(benchmark::State& state) {
  DecodeBids(state, {0, 1, 2, 5, 6},
             R"({"auction":1000,"bidder":1001,"price":12549,"channel":"Apple",)"
             R"("url":"https://www.nexmark.com/xbr_/lnrc/vqdn/item.htm?query=1",)"
             R"("datetime":"2023-11-14 22:13:20.123",)"
             R"("extra":"ccyhfvbvfgnjaurrzhxdybwtisuvhbsbgtsxdpqkdutwpteyuhaogxaapgveiahzxqdw"})");
}
BENCHMARK(BM_JsonDecodeBidTextTimestampQ0Columns);

// A Nexmark auction as json-log mode's topic holds it (about 650 bytes, most of them the `extra`
// string), read for q8's window: seller and the event time, fields 6 and 8 of 10.
void BM_JsonDecodeAuctionQ8Columns(benchmark::State& state) {
  JsonRecordDecoder decoder(
      Schema({{"datetime", DataType::Timestamp()}, {"seller", DataType::Bigint()}}), {0, 1});
  const std::string auction =
      R"({"id":1000,"itemname":"pxhuotxddvhfyf","description":"jst o g gxbmypa zunft fia",)"
      R"("initialbid":150707,"reserve":10280782,"datetime":1700000000000,)"
      R"("expires":1700000000001,"seller":1000,"category":10,"extra":")" +
      std::string(400, 'w') + R"("})";
  DecodeEach(state, decoder, std::vector<std::string>(kBatchRows, auction), auction.size());
}
BENCHMARK(BM_JsonDecodeAuctionQ8Columns);

}  // namespace
}  // namespace sluice
