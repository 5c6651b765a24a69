#pragma once
// RocksDB's info log for a state store, created only when there is something to say. RocksDB's
// own logger creates and rotates a LOG file at every open; a worker opens its store once per
// start, and with warnings-only logging that file almost always stays empty, while creating it
// is one of the larger fixed costs of a short query's worker. This one appends to the file on
// the first message instead.

#include <rocksdb/env.h>

#include <cstdio>
#include <memory>
#include <mutex>
#include <string>

namespace sluice {

class LazyFileLogger final : public rocksdb::Logger {
 public:
  LazyFileLogger(std::string path, rocksdb::InfoLogLevel level);
  ~LazyFileLogger() override;

  using rocksdb::Logger::Logv;
  void Logv(const char* format, va_list ap) override;
  void Flush() override;

 private:
  const std::string path_;
  std::mutex mutex_;
  std::FILE* file_ = nullptr;  // opened by the first message
  bool open_failed_ = false;   // logging is best effort: a failed open is not retried
};

std::shared_ptr<rocksdb::Logger> MakeLazyFileLogger(const std::string& path,
                                                    rocksdb::InfoLogLevel level);

}  // namespace sluice
