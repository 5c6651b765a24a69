#include "bench/nexmark_runner/json_limit.h"

#include <simdjson.h>
#include <sys/resource.h>

#include <chrono>
#include <cstring>
#include <vector>

#include "storage/log/local_log_store.h"

namespace sluice::bench {
namespace {

namespace od = simdjson::ondemand;

double CpuSeconds() {
  struct rusage usage;
  ::getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

}  // namespace

Result<JsonLimitResult> MeasureJsonReadParse(const std::string& log_dir, const std::string& topic,
                                             const std::string& first, const std::string& second) {
  ASSIGN_OR_RETURN(std::unique_ptr<LocalLogStore> store, LocalLogStore::Open(log_dir));
  ASSIGN_OR_RETURN(std::vector<int64_t> ends, store->EndOffsets(topic));
  JsonLimitResult result;
  const double cpu_start = CpuSeconds();
  const auto wall_start = std::chrono::steady_clock::now();

  od::parser parser;
  // Records are copied into one reused buffer with simdjson's padding, as a JSON source must do
  // with bytes it does not own.
  std::vector<char> padded;
  std::vector<LogRecordView> records;
  for (int32_t partition = 0; partition < static_cast<int32_t>(ends.size()); ++partition) {
    ASSIGN_OR_RETURN(std::unique_ptr<PartitionReader> reader,
                     store->OpenReader(topic, partition, kLogEarliest));
    while (reader->position() < ends[static_cast<size_t>(partition)]) {
      RETURN_NOT_OK(reader->Poll(1024, records));
      if (records.empty()) return Status::Storage("topic " + topic + " ended early");
      for (const LogRecordView& record : records) {
        if (!record.value) continue;
        const std::string_view value = *record.value;
        if (padded.size() < value.size() + simdjson::SIMDJSON_PADDING) {
          padded.resize(2 * value.size() + simdjson::SIMDJSON_PADDING);
        }
        std::memcpy(padded.data(), value.data(), value.size());
        od::document doc;
        int64_t a = 0;
        int64_t b = 0;
        if (parser.iterate(padded.data(), value.size(), padded.size()).get(doc) !=
                simdjson::SUCCESS ||
            doc.find_field(first).get_int64().get(a) != simdjson::SUCCESS ||
            doc.find_field(second).get_int64().get(b) != simdjson::SUCCESS) {
          return Status::Execution("record at offset " + std::to_string(record.offset) + " of " +
                                   topic + " lacks integer fields \"" + first + "\", \"" + second +
                                   "\"");
        }
        result.checksum += static_cast<uint64_t>(a) * 31 + static_cast<uint64_t>(b);
        ++result.records;
      }
    }
  }
  result.cpu_seconds = CpuSeconds() - cpu_start;
  result.wall_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  return result;
}

}  // namespace sluice::bench
