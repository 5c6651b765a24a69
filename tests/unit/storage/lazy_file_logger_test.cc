// The state store's RocksDB info log: no file until there is a message, then the messages at or
// above its level, appended.

#include "storage/state/lazy_file_logger.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "storage/state/state_store.h"
#include "tests/unit/storage/log_test_util.h"

namespace sluice {
namespace {

using testing::ScratchDir;

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(LazyFileLoggerTest, OpeningAStoreCreatesNoLogFile) {
  ScratchDir scratch;
  const std::string dir = scratch.path() + "/state";
  {
    auto store = StateStore::Open(dir, StateStoreOptions());
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    ASSERT_TRUE((*store)->Table("t").ok());
  }
  // Reopened too: nothing worth a warning happened, so no LOG and no rotated LOG.old.
  auto again = StateStore::Open(dir, StateStoreOptions());
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    EXPECT_NE(entry.path().filename().string().rfind("LOG", 0), 0u) << entry.path();
  }
}

TEST(LazyFileLoggerTest, FirstMessageAtLevelCreatesTheFileAndLaterOnesAppend) {
  ScratchDir scratch;
  const std::string path = scratch.path() + "/LOG";
  auto logger = MakeLazyFileLogger(path, rocksdb::InfoLogLevel::WARN_LEVEL);
  rocksdb::Log(rocksdb::InfoLogLevel::INFO_LEVEL, logger, "below the level %d", 1);
  EXPECT_FALSE(std::filesystem::exists(path));
  rocksdb::Log(rocksdb::InfoLogLevel::WARN_LEVEL, logger, "disk %s", "slow");
  rocksdb::Log(rocksdb::InfoLogLevel::ERROR_LEVEL, logger, "write failed: %d", 28);
  logger.reset();
  const std::string text = ReadAll(path);
  EXPECT_NE(text.find("[WARN] disk slow\n"), std::string::npos) << text;
  EXPECT_NE(text.find("[ERROR] write failed: 28\n"), std::string::npos) << text;
  EXPECT_EQ(text.find("below the level"), std::string::npos) << text;
  // A second logger (the next worker start) appends instead of replacing.
  auto next = MakeLazyFileLogger(path, rocksdb::InfoLogLevel::WARN_LEVEL);
  rocksdb::Log(rocksdb::InfoLogLevel::WARN_LEVEL, next, "again");
  next.reset();
  const std::string appended = ReadAll(path);
  EXPECT_NE(appended.find("disk slow"), std::string::npos);
  EXPECT_NE(appended.find("[WARN] again\n"), std::string::npos) << appended;
}

TEST(LazyFileLoggerTest, AnUnwritablePathDropsMessages) {
  ScratchDir scratch;
  const std::string path = scratch.path() + "/missing-dir/LOG";
  auto logger = MakeLazyFileLogger(path, rocksdb::InfoLogLevel::WARN_LEVEL);
  rocksdb::Log(rocksdb::InfoLogLevel::WARN_LEVEL, logger, "lost");
  rocksdb::Log(rocksdb::InfoLogLevel::ERROR_LEVEL, logger, "lost too");
  logger->Flush();
  EXPECT_FALSE(std::filesystem::exists(path));
}

}  // namespace
}  // namespace sluice
