#pragma once
// Shared helpers for the local-log tests: a scratch directory and record builders.

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <string>
#include <vector>

#include "storage/log/local_log_store.h"

namespace sluice::testing {

// A fresh directory under $TMPDIR, removed with everything in it when the test ends.
class ScratchDir {
 public:
  ScratchDir() {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern = std::string(tmp ? tmp : "/tmp") + "/sluice-log-test-XXXXXX";
    path_ = ::mkdtemp(pattern.data()) ? pattern : "";
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Owns the bytes a LogRecord borrows.
struct RecordData {
  std::optional<std::string> key;
  std::optional<std::string> value;
  int64_t timestamp = 0;
  std::vector<std::pair<std::string, std::string>> headers;
};

// Builds LogRecords that borrow from `data` (which must outlive them).
class RecordBatch {
 public:
  explicit RecordBatch(std::vector<RecordData>&&) = delete;  // would dangle
  explicit RecordBatch(const std::vector<RecordData>& data) {
    headers_.resize(data.size());
    for (size_t record_idx = 0; record_idx < data.size(); ++record_idx) {
      const RecordData& d = data[record_idx];
      for (const auto& [name, value] : d.headers) headers_[record_idx].push_back({name, value});
      LogRecord record;
      if (d.key) record.key = *d.key;
      if (d.value) record.value = *d.value;
      record.timestamp = d.timestamp;
      record.headers = headers_[record_idx];
      records_.push_back(record);
    }
  }
  std::span<const LogRecord> records() const { return records_; }

 private:
  std::vector<std::vector<LogHeader>> headers_;
  std::vector<LogRecord> records_;
};

// `count` keyed records "k<i>" -> "value-<i>" padded to `value_bytes`, timestamps 1000 + i.
inline std::vector<RecordData> NumberedRecords(int64_t first, int64_t count,
                                               size_t value_bytes = 16) {
  std::vector<RecordData> data;
  for (int64_t i = first; i < first + count; ++i) {
    std::string value = "value-" + std::to_string(i);
    if (value.size() < value_bytes) value.resize(value_bytes, '.');
    data.push_back({"k" + std::to_string(i), value, 1000 + i, {}});
  }
  return data;
}

// A store in `dir`/log with 4 KiB segments and a 256-byte index interval (rolls and index
// entries with little data) holding topic "t" of one partition.
inline std::unique_ptr<LocalLogStore> OpenSmallTestStore(const std::string& dir) {
  LogOptions options;
  options.segment_bytes = 4096;
  options.index_interval_bytes = 256;
  auto store = LocalLogStore::Open(dir + "/log", options);
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  if (!store.ok()) return nullptr;
  EXPECT_TRUE((*store)->CreateTopic("t", 1).ok());
  return std::move(store).value();
}

inline Status AppendAll(PartitionWriter& writer, const std::vector<RecordData>& data,
                        int64_t* first_offset = nullptr) {
  RecordBatch batch(data);
  Result<int64_t> first = writer.Append(batch.records());
  if (!first.ok()) return first.status();
  if (first_offset) *first_offset = *first;
  return Status::OK();
}

// Polls until `count` records arrived or a poll finds nothing, copying them out.
inline Result<std::vector<OwnedLogRecord>> ReadUpTo(PartitionReader& reader, size_t count,
                                                    size_t per_poll = 1000) {
  std::vector<OwnedLogRecord> records;
  std::vector<LogRecordView> views;
  while (records.size() < count) {
    Status polled = reader.Poll(std::min(per_poll, count - records.size()), views);
    if (!polled.ok()) return polled;
    if (views.empty()) break;
    for (const LogRecordView& view : views) records.push_back(OwnedLogRecord::CopyOf(view));
  }
  return records;
}

}  // namespace sluice::testing
