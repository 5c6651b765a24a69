// LazyThreadsEnv: the background threads a RocksDB open asks for start with the first job of
// their priority, not before, and the job then runs on them.

#include "storage/state/lazy_threads_env.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <thread>
#include <vector>

namespace sluice {
namespace {

// Records the thread requests that reach the wrapped Env (the default one, which runs the jobs).
class RecordingEnv final : public rocksdb::EnvWrapper {
 public:
  RecordingEnv() : rocksdb::EnvWrapper(rocksdb::Env::Default()) {}
  const char* Name() const override { return "RecordingEnv"; }
  void IncBackgroundThreadsIfNeeded(int number, Priority pri) override {
    requests->push_back({number, pri});
    target()->IncBackgroundThreadsIfNeeded(number, pri);
  }
  std::shared_ptr<std::vector<std::pair<int, Priority>>> requests =
      std::make_shared<std::vector<std::pair<int, Priority>>>();
};

TEST(LazyThreadsEnvTest, ThreadsStartWithTheFirstJobOfTheirPriority) {
  auto recording = std::make_unique<RecordingEnv>();
  auto requests = recording->requests;
  LazyThreadsEnv env(std::move(recording));
  env.IncBackgroundThreadsIfNeeded(1, rocksdb::Env::LOW);
  env.IncBackgroundThreadsIfNeeded(1, rocksdb::Env::HIGH);
  EXPECT_TRUE(requests->empty());
  // RocksDB chooses a flush's pool by its thread count: the asked-for count shows before start.
  EXPECT_GE(env.GetBackgroundThreads(rocksdb::Env::HIGH), 1);

  // Static: a job that outlived a failed wait must not touch a dead stack frame.
  static std::atomic<int> ran{0};
  auto job = [](void*) { ran.fetch_add(1); };
  auto wait_for = [](int count) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (ran.load() < count && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return ran.load();
  };
  env.Schedule(job, nullptr, rocksdb::Env::HIGH);
  ASSERT_EQ(requests->size(), 1u);
  EXPECT_EQ((*requests)[0], std::make_pair(1, rocksdb::Env::HIGH));
  EXPECT_EQ(wait_for(1), 1);
  // Started once: a second job of the same priority asks for nothing more.
  env.Schedule(job, nullptr, rocksdb::Env::HIGH);
  EXPECT_EQ(requests->size(), 1u);
  EXPECT_EQ(wait_for(2), 2);
}

}  // namespace
}  // namespace sluice
