// Local log throughput: batched appends of 1000 records of 150 bytes, and reading them back.
// Run: micro_bench --benchmark_filter=LocalLog

#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "bench/micro/bench_dir.h"
#include "storage/log/local_log_store.h"

namespace sluice {
namespace {

constexpr int kBatchRecords = 1000;
constexpr size_t kValueBytes = 150;

// Keys and values live here; the LogRecords borrow them, as a sink's encoder output would be.
struct Batch {
  Batch() {
    for (int record_idx = 0; record_idx < kBatchRecords; ++record_idx) {
      keys.push_back("user-" + std::to_string(record_idx));
      values.push_back(std::string(kValueBytes, static_cast<char>('a' + record_idx % 26)));
    }
    for (int record_idx = 0; record_idx < kBatchRecords; ++record_idx) {
      LogRecord record;
      record.key = keys[record_idx];
      record.value = values[record_idx];
      record.timestamp = 1700000000000 + record_idx;
      records.push_back(record);
    }
  }
  std::vector<std::string> keys;
  std::vector<std::string> values;
  std::vector<LogRecord> records;
};

std::unique_ptr<LocalLogStore> MakeStore(const BenchDir& dir, benchmark::State& state) {
  auto store = LocalLogStore::Open(dir.path() + "/log");
  if (!store.ok() || !(*store)->CreateTopic("bench", 1).ok()) {
    state.SkipWithError("cannot create the log");
    return nullptr;
  }
  return std::move(store).value();
}

void BM_LocalLogAppend(benchmark::State& state) {
  BenchDir dir;
  auto store = MakeStore(dir, state);
  if (!store) return;
  auto writer = store->OpenPartitionWriter("bench", 0);
  Batch batch;
  const bool sync_each = state.range(0) != 0;
  for (auto _ : state) {
    Result<int64_t> offset = (*writer)->Append(batch.records);
    if (!offset.ok() || (sync_each && !(*writer)->Sync().ok())) {
      state.SkipWithError("append failed");
      break;
    }
  }
  state.SetItemsProcessed(state.iterations() * kBatchRecords);
}
BENCHMARK(BM_LocalLogAppend)->Arg(0)->ArgName("sync_each_batch")->UseRealTime();
BENCHMARK(BM_LocalLogAppend)->Arg(1)->ArgName("sync_each_batch")->UseRealTime();

void BM_LocalLogRead(benchmark::State& state) {
  BenchDir dir;
  auto store = MakeStore(dir, state);
  if (!store) return;
  constexpr int kBatches = 2000;  // 2M records, ~390 MB: several 64 MiB segments
  {
    auto writer = store->OpenPartitionWriter("bench", 0);
    Batch batch;
    for (int batch_idx = 0; batch_idx < kBatches; ++batch_idx) {
      if (!(*writer)->Append(batch.records).ok()) {
        state.SkipWithError("prefill failed");
        return;
      }
    }
  }
  auto reader = store->OpenReader("bench", 0, kLogEarliest);
  std::vector<LogRecordView> views;
  int64_t records = 0;
  int64_t bytes = 0;
  for (auto _ : state) {
    if (!(*reader)->Poll(static_cast<size_t>(state.range(0)), views).ok()) {
      state.SkipWithError("poll failed");
      break;
    }
    if (views.empty()) {  // wrapped around: start over (outside the measured work)
      state.PauseTiming();
      if (!(*reader)->Seek(kLogEarliest).ok()) state.SkipWithError("seek failed");
      state.ResumeTiming();
      continue;
    }
    for (const LogRecordView& view : views) bytes += static_cast<int64_t>(view.value->size());
    records += static_cast<int64_t>(views.size());
  }
  state.SetItemsProcessed(records);
  state.SetBytesProcessed(bytes);
}
BENCHMARK(BM_LocalLogRead)->Arg(1000)->ArgName("max_records")->UseRealTime();

}  // namespace
}  // namespace sluice
