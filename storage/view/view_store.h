#pragma once
// The store of a materialized view: a RocksDB database of its own in the maintaining query's
// state dir, one entry per view row (key: the view's key bytes; value: the row as JSON), plus the
// source positions the rows reflect. The worker owns the primary (ViewStoreWriter) and writes each
// pipeline flush as one atomic write batch with its positions, so a reader never sees half an
// update and a restarted worker knows exactly which input it has already applied. The engine
// reads through a secondary instance (ViewStoreReader), which never blocks the writer.
//
// RocksDB headers stay in view_store.cc (pimpl).

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "common/status.h"

namespace sluice {

// Source topic -> next offset to read per partition.
using ViewPositions = std::map<std::string, std::vector<int64_t>>;

// The primary: written by the view's worker only.
// REQUIRES: used from one thread.
class ViewStoreWriter {
 public:
  [[nodiscard]] static Result<std::unique_ptr<ViewStoreWriter>> Open(const std::string& dir);
  ~ViewStoreWriter();
  ViewStoreWriter(const ViewStoreWriter&) = delete;
  ViewStoreWriter& operator=(const ViewStoreWriter&) = delete;

  // The positions of the last commit (empty for a new view).
  const ViewPositions& positions() const { return positions_; }
  // Stage an upsert or a delete of one row; visible to readers at the next Commit.
  void Put(std::string_view key, std::string_view value);
  void Delete(std::string_view key);
  size_t staged_updates() const { return staged_; }
  // Writes the staged updates and `positions` in one atomic write batch.
  [[nodiscard]] Status Commit(const ViewPositions& positions);

 private:
  struct Impl;
  explicit ViewStoreWriter(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
  ViewPositions positions_;
  size_t staged_ = 0;
};

// A read-only view of the store as of its last catch-up with the primary (Refresh, or every
// `interval` in a background thread after StartRefreshing). A read comes from one RocksDB
// sequence number (an iterator pins it), so it sees either all or none of every committed write
// batch; catching up off the read path keeps point reads at a memtable or block-cache lookup.
// Thread-safe.
class ViewStoreReader {
 public:
  // `dir` is the primary's directory; `secondary_dir` holds the secondary's own files.
  [[nodiscard]] static Result<std::unique_ptr<ViewStoreReader>> Open(
      const std::string& dir, const std::string& secondary_dir);
  ~ViewStoreReader();
  ViewStoreReader(const ViewStoreReader&) = delete;
  ViewStoreReader& operator=(const ViewStoreReader&) = delete;

  // Catches up with every write batch the worker has committed so far.
  [[nodiscard]] Status Refresh();
  // Refreshes every `interval` in a background thread until the reader is destroyed.
  void StartRefreshing(std::chrono::milliseconds interval);
  // Looks up one row by key; nullopt when absent. Counts a point read.
  [[nodiscard]] Result<std::optional<std::string>> Get(std::string_view key);
  // Visits every row in key order from one consistent snapshot; stops when `visit` returns
  // false. Counts a scan.
  [[nodiscard]] Status Scan(
      const std::function<bool(std::string_view key, std::string_view value)>& visit);
  // RocksDB's estimate of the number of rows.
  Result<int64_t> ApproximateRows();
  int64_t point_reads() const { return point_reads_.load(); }
  int64_t scans() const { return scans_.load(); }

 private:
  struct Impl;
  explicit ViewStoreReader(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
  std::mutex catch_up_mutex_;  // TryCatchUpWithPrimary runs one at a time
  std::mutex refresher_mutex_;
  std::condition_variable refresher_wake_;
  bool stopping_ = false;  // guarded by refresher_mutex_
  std::thread refresher_;
  std::atomic<int64_t> point_reads_{0};
  std::atomic<int64_t> scans_{0};
};

// The directory of a view's store inside its query's state dir.
std::string ViewStoreDir(const std::string& query_state_dir);

// Readers are kept open per store directory for the life of the process (opening a secondary
// costs far more than a point read), refreshing every kViewRefreshInterval: a read sees the view
// as of at most that long ago. `secondary_dir` is used when the reader is first opened.
inline constexpr std::chrono::milliseconds kViewRefreshInterval{10};
[[nodiscard]] Result<std::shared_ptr<ViewStoreReader>> SharedViewStoreReader(
    const std::string& dir, const std::string& secondary_dir);
// Closes the shared reader of `dir` (before the store is deleted); readers in use stay valid.
void ForgetViewStoreReader(const std::string& dir);
// Refreshes every shared reader now (FLUSH: reads after it see what the queries have written).
[[nodiscard]] Status RefreshViewStoreReaders();

}  // namespace sluice
