#include "storage/state/lazy_threads_env.h"

#include <algorithm>

namespace sluice {

LazyThreadsEnv::LazyThreadsEnv(std::unique_ptr<rocksdb::Env> target)
    : rocksdb::EnvWrapper(std::move(target)) {}

void LazyThreadsEnv::IncBackgroundThreadsIfNeeded(int number, Priority pri) {
  std::lock_guard<std::mutex> lock(mutex_);
  wanted_[pri] = std::max(wanted_[pri], number);
}

int LazyThreadsEnv::GetBackgroundThreads(Priority pri) {
  std::lock_guard<std::mutex> lock(mutex_);
  return std::max(target()->GetBackgroundThreads(pri), wanted_[pri]);
}

void LazyThreadsEnv::Schedule(void (*function)(void* arg), void* arg, Priority pri, void* tag,
                              void (*unschedule)(void* arg)) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (wanted_[pri] > 0) {
      target()->IncBackgroundThreadsIfNeeded(wanted_[pri], pri);
      wanted_[pri] = 0;
    }
  }
  target()->Schedule(function, arg, pri, tag, unschedule);
}

}  // namespace sluice
