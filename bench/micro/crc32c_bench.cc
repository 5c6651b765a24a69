// CRC32C of local-log frames: a batch of 64 frames of one size laid out back to back, each
// checksummed on its own as SealFrame and DecodeFrame do. Reports ns per call and, where the CPU
// has a time-stamp counter, TSC cycles per call and bytes per TSC cycle.
// Run: micro_bench --benchmark_filter=Crc32c

#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>

#include "storage/log/crc32c.h"

#if defined(__x86_64__)
#include <x86intrin.h>
#endif

namespace sluice {
namespace {

constexpr size_t kFramesPerBatch = 64;

uint64_t TimeStampCounter() {
#if defined(__x86_64__)
  return __rdtsc();
#else
  return 0;
#endif
}

template <uint32_t (*Extend)(uint32_t, const void*, size_t)>
void BM_Crc32cFrames(benchmark::State& state) {
  const size_t frame_bytes = static_cast<size_t>(state.range(0));
  std::string batch(frame_bytes * kFramesPerBatch, '\0');
  for (size_t byte_idx = 0; byte_idx < batch.size(); ++byte_idx) {
    batch[byte_idx] = static_cast<char>((byte_idx * 131 + 17) ^ (byte_idx >> 7));
  }
  uint32_t sum = 0;
  const uint64_t start = TimeStampCounter();
  for (auto _ : state) {
    for (size_t frame_idx = 0; frame_idx < kFramesPerBatch; ++frame_idx) {
      sum += Extend(0, batch.data() + frame_idx * frame_bytes, frame_bytes);
    }
    benchmark::DoNotOptimize(sum);
  }
  const double calls = static_cast<double>(state.iterations()) * kFramesPerBatch;
  const double cycles = static_cast<double>(TimeStampCounter() - start) / calls;
  state.counters["ns_per_call"] =
      benchmark::Counter(calls, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  if (cycles > 0) {
    state.counters["tsc_cycles"] = cycles;
    state.counters["bytes_per_cycle"] = static_cast<double>(frame_bytes) / cycles;
  }
  state.SetBytesProcessed(static_cast<int64_t>(calls * static_cast<double>(frame_bytes)));
}

BENCHMARK(BM_Crc32cFrames<Crc32cExtend>)
    ->Name("BM_Crc32c")
    ->ArgName("bytes")
    ->Arg(64)
    ->Arg(256)
    ->Arg(300)
    ->Arg(650)
    ->Arg(4096);
BENCHMARK(BM_Crc32cFrames<Crc32cExtendPortable>)
    ->Name("BM_Crc32cPortable")
    ->ArgName("bytes")
    ->Arg(300)
    ->Arg(4096);

}  // namespace
}  // namespace sluice
