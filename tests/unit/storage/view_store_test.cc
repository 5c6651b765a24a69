// The view store against a real RocksDB: the worker's writer commits rows and positions in one
// batch, a secondary reader sees whole commits only, and positions survive a reopen.

#include "storage/view/view_store.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "tests/unit/storage/log_test_util.h"

namespace sluice {
namespace {

using testing::ScratchDir;

std::vector<std::pair<std::string, std::string>> ScanAll(ViewStoreReader& reader) {
  std::vector<std::pair<std::string, std::string>> rows;
  Status status = reader.Scan([&](std::string_view key, std::string_view value) {
    rows.emplace_back(key, value);
    return true;
  });
  EXPECT_TRUE(status.ok()) << status.ToString();
  return rows;
}

TEST(ViewStoreTest, ReaderSeesWholeCommitsOnly) {
  ScratchDir dir;
  auto writer = ViewStoreWriter::Open(dir.path() + "/view");
  ASSERT_TRUE(writer.ok()) << writer.status().ToString();
  (*writer)->Put("a", "1");
  (*writer)->Put("b", "2");
  ASSERT_TRUE((*writer)->Commit({{"t", {5}}}).ok());

  auto reader = ViewStoreReader::Open(dir.path() + "/view", dir.path() + "/secondary");
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  EXPECT_EQ(ScanAll(**reader),
            (std::vector<std::pair<std::string, std::string>>{{"a", "1"}, {"b", "2"}}));

  // Staged but not committed: invisible. Committed: visible at the next read, deletes included.
  (*writer)->Put("a", "10");
  (*writer)->Delete("b");
  (*writer)->Put("c", "3");
  ASSERT_TRUE((*reader)->Refresh().ok());
  auto staged = (*reader)->Get("a");
  ASSERT_TRUE(staged.ok());
  EXPECT_EQ(staged->value_or(""), "1");
  ASSERT_TRUE((*writer)->Commit({{"t", {9}}}).ok());
  // Not seen before a refresh; then seen whole.
  EXPECT_EQ(ScanAll(**reader).size(), 2u);
  ASSERT_TRUE((*reader)->Refresh().ok());
  EXPECT_EQ(ScanAll(**reader),
            (std::vector<std::pair<std::string, std::string>>{{"a", "10"}, {"c", "3"}}));
  auto missing = (*reader)->Get("b");
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());
  EXPECT_EQ((*reader)->point_reads(), 2);
  EXPECT_EQ((*reader)->scans(), 3);
}

// The view's worker opens its store at every start with the state store's start-up options: no
// LOG file until there is a warning to write, nothing preallocated beyond what the files hold.
TEST(ViewStoreTest, WriterOpensWithoutLogFileOrPreallocation) {
  ScratchDir dir;
  auto writer = ViewStoreWriter::Open(dir.path() + "/view");
  ASSERT_TRUE(writer.ok()) << writer.status().ToString();
  (*writer)->Put("a", "1");
  ASSERT_TRUE((*writer)->Commit({{"t", {1}}}).ok());
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path() + "/view")) {
    EXPECT_NE(entry.path().filename(), "LOG");
    struct stat info {};
    ASSERT_EQ(::stat(entry.path().c_str(), &info), 0) << entry.path();
    EXPECT_LE(static_cast<int64_t>(info.st_blocks) * 512, info.st_size + (64 << 10))
        << entry.path();
    ++files;
  }
  EXPECT_GT(files, 3);  // CURRENT, MANIFEST, WAL, OPTIONS at least
}

TEST(ViewStoreTest, BackgroundRefreshCatchesUp) {
  ScratchDir dir;
  auto writer = ViewStoreWriter::Open(dir.path() + "/view");
  ASSERT_TRUE(writer.ok());
  ASSERT_TRUE((*writer)->Commit({{"t", {0}}}).ok());
  auto reader = ViewStoreReader::Open(dir.path() + "/view", dir.path() + "/secondary");
  ASSERT_TRUE(reader.ok());
  (*reader)->StartRefreshing(std::chrono::milliseconds(1));
  (*writer)->Put("k", "v");
  ASSERT_TRUE((*writer)->Commit({{"t", {1}}}).ok());
  bool seen = false;
  for (int attempt = 0; attempt < 2000 && !seen; ++attempt) {
    auto value = (*reader)->Get("k");
    ASSERT_TRUE(value.ok());
    seen = value->has_value();
    if (!seen) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_TRUE(seen);
}

// Each commit rewrites every row to the same round number; readers that run while the worker
// commits and the background refresh catches up must see one round in every row of a scan.
TEST(ViewStoreTest, ConcurrentReadersNeverSeeHalfACommit) {
  ScratchDir dir;
  auto writer = ViewStoreWriter::Open(dir.path() + "/view");
  ASSERT_TRUE(writer.ok());
  constexpr int kRows = 50;
  auto key = [](int row) { return "row" + std::to_string(1000 + row); };
  for (int row = 0; row < kRows; ++row) (*writer)->Put(key(row), "0");
  ASSERT_TRUE((*writer)->Commit({{"t", {0}}}).ok());
  auto reader = ViewStoreReader::Open(dir.path() + "/view", dir.path() + "/secondary");
  ASSERT_TRUE(reader.ok());
  (*reader)->StartRefreshing(std::chrono::milliseconds(1));
  std::atomic<bool> writing{true};
  std::thread worker([&] {
    for (int round = 1; round <= 400; ++round) {
      for (int row = 0; row < kRows; ++row) (*writer)->Put(key(row), std::to_string(round));
      Status committed = (*writer)->Commit({{"t", {round}}});
      if (!committed.ok()) {
        ADD_FAILURE() << committed.ToString();
        break;
      }
    }
    writing = false;
  });
  int scans = 0;
  int last_round = 0;
  bool torn = false;
  while ((writing.load() || scans < 10) && !torn) {
    std::vector<std::pair<std::string, std::string>> rows = ScanAll(**reader);
    torn = rows.size() != static_cast<size_t>(kRows);
    for (const auto& [row_key, value] : rows) torn = torn || value != rows.front().second;
    EXPECT_FALSE(torn) << "scan " << scans << " mixes two commits";
    const int round = torn ? last_round : std::stoi(rows.front().second);
    EXPECT_GE(round, last_round);  // a later read never goes back in time
    last_round = round;
    ++scans;
  }
  worker.join();
  ASSERT_TRUE((*reader)->Refresh().ok());
  EXPECT_EQ(ScanAll(**reader).front().second, "400");
}

TEST(ViewStoreTest, PositionsSurviveReopenWithTheirRows) {
  ScratchDir dir;
  {
    auto writer = ViewStoreWriter::Open(dir.path() + "/view");
    ASSERT_TRUE(writer.ok());
    EXPECT_TRUE((*writer)->positions().empty());
    (*writer)->Put("k", "v");
    ASSERT_TRUE((*writer)->Commit({{"orders", {3, 7}}, {"users", {1}}}).ok());
    (*writer)->Put("lost", "never committed");
  }
  auto writer = ViewStoreWriter::Open(dir.path() + "/view");
  ASSERT_TRUE(writer.ok());
  EXPECT_EQ((*writer)->positions(), (ViewPositions{{"orders", {3, 7}}, {"users", {1}}}));
  auto reader = ViewStoreReader::Open(dir.path() + "/view", dir.path() + "/secondary");
  ASSERT_TRUE(reader.ok());
  EXPECT_EQ(ScanAll(**reader), (std::vector<std::pair<std::string, std::string>>{{"k", "v"}}));
}

TEST(ViewStoreTest, ReaderOfMissingStoreFails) {
  ScratchDir dir;
  auto reader = ViewStoreReader::Open(dir.path() + "/nothing", dir.path() + "/secondary");
  EXPECT_FALSE(reader.ok());
}

}  // namespace
}  // namespace sluice
