// End-to-end latency of a persistent query: records appended to a local topic at a fixed rate,
// a real `sluice worker` running `CREATE STREAM lat_out AS SELECT ... FROM lat_in`, and a reader
// of lat_out measuring, per record, the time from its append to its visibility in the output.
//
// Usage: latency_bench --sluice build/sluice [--rate 50000] [--seconds 10] [--partitions 1]
//                      [--warmup 1] [--json FILE]
// Prints p50/p99/p99.9/max in microseconds; the first --warmup seconds are not counted.

#include <stdlib.h>
#include <time.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "bench/nexmark_runner/bench_engine.h"
#include "storage/log/local_log_store.h"

namespace sluice::bench {
namespace {

int64_t NowMicros() {
  timespec ts;
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t{ts.tv_sec} * 1'000'000 + ts.tv_nsec / 1000;
}

struct Options {
  std::string sluice;
  int64_t rate = 50'000;
  int seconds = 10;
  int partitions = 1;
  int warmup = 1;
  std::string json_path;
};

bool ParseOptions(int argc, char** argv, Options& options) {
  for (int arg = 1; arg + 1 < argc; arg += 2) {
    std::string name = argv[arg];
    std::string value = argv[arg + 1];
    if (name == "--sluice") options.sluice = value;
    else if (name == "--rate") options.rate = std::stoll(value);
    else if (name == "--seconds") options.seconds = std::stoi(value);
    else if (name == "--partitions") options.partitions = std::stoi(value);
    else if (name == "--warmup") options.warmup = std::stoi(value);
    else if (name == "--json") options.json_path = value;
    else return false;
  }
  return !options.sluice.empty() && options.rate > 0 && options.seconds > options.warmup;
}

// The "sent_us" field of an output record, written by the producer as the last field.
int64_t SentMicros(std::string_view value) {
  size_t at = value.find("\"sent_us\":");
  if (at == std::string_view::npos) return -1;
  const char* begin = value.data() + at + 10;
  int64_t sent = -1;
  std::from_chars(begin, value.data() + value.size(), sent);
  return sent;
}

int64_t Percentile(const std::vector<int64_t>& sorted, double fraction) {
  if (sorted.empty()) return 0;
  size_t index = static_cast<size_t>(fraction * static_cast<double>(sorted.size() - 1));
  return sorted[index];
}

int Main(int argc, char** argv) {
  Options options;
  if (!ParseOptions(argc, argv, options)) {
    std::cerr << "usage: latency_bench --sluice PATH [--rate N] [--seconds N] [--partitions N] "
                 "[--warmup N] [--json FILE]\n";
    return 2;
  }
  std::string dir = (std::filesystem::temp_directory_path() / "sluice-latency-XXXXXX").string();
  if (::mkdtemp(dir.data()) == nullptr) return 1;
  auto engine = BenchEngine::Open(dir + "/data", options.sluice);
  if (!engine.ok()) {
    std::cerr << engine.status().ToString() << "\n";
    return 1;
  }
  Status setup = (*engine)->Run(
      "CREATE STREAM lat_in (seq BIGINT, payload VARCHAR, sent_us BIGINT) WITH ('partitions'=" +
      std::to_string(options.partitions) +
      "); CREATE STREAM lat_out AS SELECT seq, UPPER(payload) AS payload, sent_us FROM lat_in "
      "WHERE seq >= 0;");
  if (!setup.ok()) {
    std::cerr << setup.ToString() << "\n";
    return 1;
  }
  auto store = LocalLogStore::Open((*engine)->log_dir());
  if (!store.ok()) return 1;
  std::vector<std::unique_ptr<PartitionWriter>> writers;
  std::vector<std::unique_ptr<PartitionReader>> readers;
  for (int partition = 0; partition < options.partitions; ++partition) {
    auto writer = (*store)->OpenPartitionWriter("lat_in", partition);
    auto reader = (*store)->OpenReader("lat_out", partition, 0);
    if (!writer.ok() || !reader.ok()) {
      std::cerr << "cannot open the topics\n";
      return 1;
    }
    writers.push_back(std::move(writer).value());
    readers.push_back(std::move(reader).value());
  }

  const int64_t total = options.rate * options.seconds;
  const int64_t warmup_records = options.rate * options.warmup;
  std::atomic<bool> producing{true};
  // Producer: every millisecond, the records due by then, spread over the partitions.
  std::thread producer([&] {
    const int64_t start = NowMicros();
    int64_t sent = 0;
    std::vector<std::string> values;
    std::vector<LogRecord> records;
    while (sent < total) {
      const int64_t due = std::min(total, (NowMicros() - start) * options.rate / 1'000'000);
      for (int partition = 0; partition < options.partitions && sent < due; ++partition) {
        values.clear();
        records.clear();
        const int64_t now = NowMicros();
        for (int64_t seq = sent + partition; seq < due; seq += options.partitions) {
          values.push_back("{\"seq\":" + std::to_string(seq) +
                           ",\"payload\":\"latency probe\",\"sent_us\":" + std::to_string(now) +
                           "}");
        }
        for (const std::string& value : values) {
          LogRecord record;
          record.value = value;
          record.timestamp = now / 1000;
          records.push_back(record);
        }
        if (!records.empty()) (void)writers[static_cast<size_t>(partition)]->Append(records);
      }
      sent = due;
      std::this_thread::sleep_for(std::chrono::microseconds(500));
    }
    producing = false;
  });

  // Consumer: polls the output in a tight loop so its own delay stays far below what it measures.
  std::vector<int64_t> latencies;
  latencies.reserve(static_cast<size_t>(total));
  int64_t received = 0;
  std::vector<LogRecordView> views;
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(options.seconds + 30);
  while (received < total && std::chrono::steady_clock::now() < give_up) {
    bool any = false;
    for (auto& reader : readers) {
      if (!reader->Poll(4096, views).ok()) return 1;
      const int64_t now = NowMicros();
      for (const LogRecordView& view : views) {
        if (!view.value) continue;
        int64_t sent = SentMicros(*view.value);
        if (received++ >= warmup_records && sent > 0) latencies.push_back(now - sent);
      }
      any |= !views.empty();
    }
    if (!any) std::this_thread::sleep_for(std::chrono::microseconds(50));
  }
  producer.join();
  std::sort(latencies.begin(), latencies.end());
  std::error_code ignored;
  std::filesystem::remove_all(dir, ignored);
  if (received < total) {
    std::cerr << "latency: only " << received << " of " << total << " records arrived\n";
    return 1;
  }
  char line[512];
  std::snprintf(line, sizeof(line),
                "{\"bench\":\"latency\",\"rate\":%lld,\"records\":%zu,\"partitions\":%d,"
                "\"p50_us\":%lld,\"p99_us\":%lld,\"p999_us\":%lld,\"max_us\":%lld}",
                static_cast<long long>(options.rate), latencies.size(), options.partitions,
                static_cast<long long>(Percentile(latencies, 0.50)),
                static_cast<long long>(Percentile(latencies, 0.99)),
                static_cast<long long>(Percentile(latencies, 0.999)),
                static_cast<long long>(latencies.empty() ? 0 : latencies.back()));
  std::cout << line << "\n";
  if (!options.json_path.empty()) std::ofstream(options.json_path) << line << "\n";
  return 0;
}

}  // namespace
}  // namespace sluice::bench

int main(int argc, char** argv) { return sluice::bench::Main(argc, argv); }
