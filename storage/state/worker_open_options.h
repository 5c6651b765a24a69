#pragma once
// The RocksDB options that keep a worker's own store (its state store, a view's store) cheap to
// open. A store is opened at every worker start (a query, each parallel worker, each restart),
// so what RocksDB does at open by default is a fixed cost that short queries feel.

#include <rocksdb/options.h>

#include <string>

namespace sluice {

// Sets the start-up options on `options` for a store in `dir` (its info log is `dir`/LOG).
void ApplyWorkerOpenOptions(const std::string& dir, rocksdb::DBOptions& options);

}  // namespace sluice
