#pragma once
// An Env that starts the background threads a RocksDB open asks for (a flush and a compaction
// thread in the process-wide pools) only when the first background job is scheduled. A worker
// whose state never fills a memtable never runs one, and creating both threads at every store
// open, then ending them at exit, was a fixed cost of every stateful worker's start. Everything
// else goes to the wrapped Env.

#include <rocksdb/env.h>

#include <array>
#include <memory>
#include <mutex>

namespace sluice {

class LazyThreadsEnv final : public rocksdb::EnvWrapper {
 public:
  explicit LazyThreadsEnv(std::unique_ptr<rocksdb::Env> target);
  const char* Name() const override { return "SluiceLazyThreadsEnv"; }

  // Notes the count; the threads start with the first job of that priority.
  void IncBackgroundThreadsIfNeeded(int number, Priority pri) override;
  // The pool's threads, or the count asked for if more: RocksDB picks a job's pool by it.
  int GetBackgroundThreads(Priority pri) override;
  void Schedule(void (*function)(void* arg), void* arg, Priority pri, void* tag = nullptr,
                void (*unschedule)(void* arg) = nullptr) override;

 private:
  std::mutex mutex_;
  std::array<int, Priority::TOTAL> wanted_{};  // threads asked for and not started yet
};

}  // namespace sluice
