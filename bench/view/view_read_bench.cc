// Point-read latency of a materialized view while it is being updated: a view of --keys groups
// (`SELECT k, COUNT(*), SUM(v) ... GROUP BY k`, maintained by a real `sluice worker`), loaded
// first, then updated at --rate records/s while a session reads random keys with
// `SELECT * FROM view WHERE k = '...'` (the whole statement: parse, bind, privilege check and
// audit, plan, Get from the view store's secondary instance). Every read must return its row.
//
// Usage: view_read_bench --sluice build/sluice [--keys 1000000] [--rate 20000] [--seconds 10]
//                        [--json FILE]
// Prints p50/p99/p99.9/max of the reads in microseconds, then the same for the view store's own
// Get over the same keys (what a read costs below the statement layer: parse, bind, privilege
// check, two audit records written and group-synced, docs/security.md) and the cost of one
// catch-up with the worker (done by the reader's background refresh, off the read path).

#include <stdlib.h>
#include <time.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "bench/nexmark_runner/bench_engine.h"
#include "runtime/operator/aggregate_accumulator.h"
#include "runtime/worker/sandbox.h"
#include "storage/log/local_log_store.h"
#include "storage/view/view_store.h"

namespace sluice::bench {
namespace {

int64_t NowMicros() {
  timespec ts;
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t{ts.tv_sec} * 1'000'000 + ts.tv_nsec / 1000;
}

struct Options {
  std::string sluice;
  int64_t keys = 1'000'000;
  int64_t rate = 20'000;
  int seconds = 10;
  std::string json_path;
};

bool ParseOptions(int argc, char** argv, Options& options) {
  for (int arg = 1; arg + 1 < argc; arg += 2) {
    std::string name = argv[arg];
    std::string value = argv[arg + 1];
    if (name == "--sluice")
      options.sluice = value;
    else if (name == "--keys")
      options.keys = std::stoll(value);
    else if (name == "--rate")
      options.rate = std::stoll(value);
    else if (name == "--seconds")
      options.seconds = std::stoi(value);
    else if (name == "--json")
      options.json_path = value;
    else
      return false;
  }
  return !options.sluice.empty() && options.keys > 0 && options.seconds > 0;
}

std::string Key(int64_t index) {
  char text[32];
  std::snprintf(text, sizeof(text), "k%07lld", static_cast<long long>(index));
  return text;
}

// Counts the rows of each read; the read must find its key.
class ReadHandler final : public ResultHandler {
 public:
  void OnResultStart(const Schema&) override {}
  Status OnRows(const RecordBatch& batch) override {
    rows += static_cast<int64_t>(batch.num_rows());
    return Status::OK();
  }
  void OnResultEnd(int64_t) override {}
  void OnCommandComplete(std::string_view) override {}
  void OnNotice(std::string_view) override {}
  void OnError(const Status& status) override { error = status.ToString(); }
  int64_t rows = 0;
  std::string error;
};

Status AppendRecords(PartitionWriter& writer, int64_t first, int64_t count, int64_t key_space,
                     std::mt19937_64* random) {
  std::vector<std::string> values;
  std::vector<LogRecord> records;
  values.reserve(static_cast<size_t>(count));
  for (int64_t idx = first; idx < first + count; ++idx) {
    int64_t key = random == nullptr ? idx : static_cast<int64_t>((*random)() % key_space);
    values.push_back("{\"k\":\"" + Key(key) + "\",\"v\":" + std::to_string(idx) + "}");
  }
  for (const std::string& value : values) {
    LogRecord record;
    record.value = value;
    records.push_back(record);
  }
  return writer.Append(records).status();
}

int Main(int argc, char** argv) {
  Options options;
  if (!ParseOptions(argc, argv, options)) {
    std::cerr << "usage: view_read_bench --sluice PATH [--keys N] [--rate N] [--seconds N] "
                 "[--json FILE]\n";
    return 2;
  }
  std::string dir = (std::filesystem::temp_directory_path() / "sluice-view-XXXXXX").string();
  if (::mkdtemp(dir.data()) == nullptr) return 1;
  auto engine = BenchEngine::Open(dir + "/data", options.sluice);
  if (!engine.ok()) {
    std::cerr << engine.status().ToString() << "\n";
    return 1;
  }
  auto fail = [&](const std::string& what) {
    std::cerr << "view_read_bench: " << what << "\n";
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
    return 1;
  };
  Status setup = (*engine)->Run(
      "CREATE STREAM vr_in (k VARCHAR, v BIGINT); CREATE MATERIALIZED VIEW vr AS SELECT k, "
      "COUNT(*) AS n, SUM(v) AS total FROM vr_in GROUP BY k;");
  if (!setup.ok()) return fail(setup.ToString());
  auto store = LocalLogStore::Open((*engine)->log_dir());
  if (!store.ok()) return fail(store.status().ToString());
  auto writer = (*store)->OpenPartitionWriter("vr_in", 0);
  if (!writer.ok()) return fail(writer.status().ToString());

  // Load: one record per key, then wait until the view holds them all.
  const int64_t load_start = NowMicros();
  for (int64_t first = 0; first < options.keys; first += 10'000) {
    Status appended = AppendRecords(
        **writer, first, std::min<int64_t>(10'000, options.keys - first), options.keys, nullptr);
    if (!appended.ok()) return fail(appended.ToString());
  }
  Status flushed = (*engine)->Run("FLUSH;");
  if (!flushed.ok()) return fail(flushed.ToString());
  const double load_seconds = static_cast<double>(NowMicros() - load_start) / 1e6;

  // Updates at a fixed rate on random keys while the reads run.
  std::atomic<bool> updating{true};
  std::atomic<int64_t> updates{0};
  std::thread updater([&] {
    std::mt19937_64 random(7);
    const int64_t start = NowMicros();
    int64_t sent = 0;
    while (updating.load()) {
      const int64_t due = (NowMicros() - start) * options.rate / 1'000'000;
      if (due > sent) {
        if (!AppendRecords(**writer, options.keys + sent, due - sent, options.keys, &random).ok()) {
          return;
        }
        sent = due;
        updates.store(sent);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  });

  std::unique_ptr<Session> session = (*engine)->engine().NewSession();
  std::mt19937_64 random(11);
  std::vector<int64_t> latencies;
  int64_t missing = 0;
  const int64_t end = NowMicros() + int64_t{options.seconds} * 1'000'000;
  int64_t reads = 0;
  while (NowMicros() < end) {
    const std::string sql =
        "SELECT * FROM vr WHERE k = '" + Key(static_cast<int64_t>(random() % options.keys)) + "'";
    ReadHandler handler;
    const int64_t before = NowMicros();
    Status status = session->ExecuteScript(sql, handler);
    const int64_t took = NowMicros() - before;
    if (!status.ok()) {
      updating = false;
      updater.join();
      return fail(sql + ": " + status.ToString());
    }
    if (handler.rows != 1) ++missing;
    if (++reads > 200) latencies.push_back(took);  // the first reads open the secondary
  }
  // The floor of any statement in a session (parse, audit record synced to disk): SHOW STORES.
  std::vector<int64_t> floor_latencies;
  const int64_t floor_end = NowMicros() + int64_t{options.seconds} * 200'000;
  while (NowMicros() < floor_end) {
    ReadHandler handler;
    const int64_t before = NowMicros();
    Status status = session->ExecuteScript("SHOW STORES", handler);
    floor_latencies.push_back(NowMicros() - before);
    if (!status.ok()) return fail(status.ToString());
  }
  std::sort(floor_latencies.begin(), floor_latencies.end());

  // The store alone: the reader the statements used, the same kind of keys.
  auto reader = SharedViewStoreReader(
      ViewStoreDir(WorkerStateDir((*engine)->data_dir(), (*engine)->last_started_query())),
      (*engine)->data_dir() + "/views/bench-reader");
  if (!reader.ok()) return fail(reader.status().ToString());
  std::vector<int64_t> store_latencies;
  std::vector<int64_t> refresh_latencies;
  const int64_t store_end = NowMicros() + int64_t{options.seconds} * 500'000;
  Column key_cell(DataType::Varchar());
  std::string encoded;
  while (NowMicros() < store_end) {
    key_cell = Column(DataType::Varchar());
    key_cell.AppendString(Key(static_cast<int64_t>(random() % options.keys)));
    encoded.clear();
    EncodeCell(key_cell, 0, encoded);
    const int64_t before = NowMicros();
    auto value = (*reader)->Get(encoded);
    store_latencies.push_back(NowMicros() - before);
    if (!value.ok()) return fail(value.status().ToString());
    if (!value->has_value()) ++missing;
    if (store_latencies.size() % 50 == 0) {
      // What the reader's background refresh costs, one catch-up with the worker.
      const int64_t refresh_start = NowMicros();
      Status refreshed = (*reader)->Refresh();
      refresh_latencies.push_back(NowMicros() - refresh_start);
      if (!refreshed.ok()) return fail(refreshed.ToString());
    }
  }
  updating = false;
  updater.join();
  std::sort(latencies.begin(), latencies.end());
  std::sort(store_latencies.begin(), store_latencies.end());
  std::sort(refresh_latencies.begin(), refresh_latencies.end());
  auto percentile_of = [](const std::vector<int64_t>& sorted, double fraction) {
    if (sorted.empty()) return int64_t{0};
    return sorted[static_cast<size_t>(fraction * static_cast<double>(sorted.size() - 1))];
  };
  auto percentile = [&](double fraction) { return percentile_of(latencies, fraction); };
  std::error_code ignored;
  reader->reset();
  engine->reset();
  std::filesystem::remove_all(dir, ignored);
  if (missing > 0) {
    std::cerr << "view_read_bench: " << missing << " reads did not find their key\n";
    return 1;
  }
  char line[512];
  std::snprintf(line, sizeof(line),
                "{\"bench\":\"view_reads\",\"keys\":%lld,\"update_rate\":%lld,\"updates\":%lld,"
                "\"reads\":%zu,\"load_s\":%.1f,\"p50_us\":%lld,\"p99_us\":%lld,\"p999_us\":%lld,"
                "\"max_us\":%lld,\"store_reads\":%zu,\"store_p50_us\":%lld,"
                "\"store_p99_us\":%lld,\"refresh_p50_us\":%lld,\"statement_floor_p50_us\":%lld,"
                "\"statement_floor_p99_us\":%lld}",
                static_cast<long long>(options.keys), static_cast<long long>(options.rate),
                static_cast<long long>(updates.load()), latencies.size(), load_seconds,
                static_cast<long long>(percentile(0.50)), static_cast<long long>(percentile(0.99)),
                static_cast<long long>(percentile(0.999)),
                static_cast<long long>(latencies.empty() ? 0 : latencies.back()),
                store_latencies.size(), static_cast<long long>(percentile_of(store_latencies, 0.5)),
                static_cast<long long>(percentile_of(store_latencies, 0.99)),
                static_cast<long long>(percentile_of(refresh_latencies, 0.5)),
                static_cast<long long>(percentile_of(floor_latencies, 0.5)),
                static_cast<long long>(percentile_of(floor_latencies, 0.99)));
  std::cout << line << "\n";
  if (!options.json_path.empty()) std::ofstream(options.json_path) << line << "\n";
  return 0;
}

}  // namespace
}  // namespace sluice::bench

int main(int argc, char** argv) { return sluice::bench::Main(argc, argv); }
