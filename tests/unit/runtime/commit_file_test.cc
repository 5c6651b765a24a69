// CommitFile: the stateless commit record, two checksummed slots written in turn.

#include "runtime/pipeline/commit_file.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

namespace sluice {
namespace {

class CommitFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "/commit_file_" + std::to_string(::getpid());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  SourcePositions Commit(int64_t position) {
    return SourcePositions{"in", {position, position + 1}, {{"out", {position * 2}}}};
  }
  std::string dir_;
};

TEST_F(CommitFileTest, LoadsTheNewestCommit) {
  auto file = CommitFile::Open(dir_);
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  auto empty = file->Load();
  ASSERT_TRUE(empty.ok());
  EXPECT_FALSE(empty->has_value());
  for (int64_t position = 1; position <= 3; ++position) {
    ASSERT_TRUE(file->Save(Commit(position)).ok());
  }
  auto reopened = CommitFile::Open(dir_);
  ASSERT_TRUE(reopened.ok());
  auto loaded = reopened->Load();
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  ASSERT_TRUE(loaded->has_value());
  EXPECT_EQ((*loaded)->positions, (std::vector<int64_t>{3, 4}));
  EXPECT_EQ((*loaded)->sinks.at("out"), (std::vector<int64_t>{6}));
  // Saving after a load continues the sequence, overwriting the older slot.
  ASSERT_TRUE(reopened->Save(Commit(4)).ok());
  auto again = CommitFile::Open(dir_);
  EXPECT_EQ((*again->Load())->positions, (std::vector<int64_t>{4, 5}));
}

TEST_F(CommitFileTest, ATornWriteFallsBackToThePreviousCommit) {
  auto file = CommitFile::Open(dir_);
  ASSERT_TRUE(file.ok());
  ASSERT_TRUE(file->Save(Commit(1)).ok());  // slot 1
  ASSERT_TRUE(file->Save(Commit(2)).ok());  // slot 0
  // A killed writer left slot 0 half written: its checksum no longer matches.
  int fd = ::open((dir_ + "/commit").c_str(), O_WRONLY);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::pwrite(fd, "XXXX", 4, 24), 4);
  ::close(fd);
  auto loaded = CommitFile::Open(dir_)->Load();
  ASSERT_TRUE(loaded.ok());
  ASSERT_TRUE(loaded->has_value());
  EXPECT_EQ((*loaded)->positions, (std::vector<int64_t>{1, 2}));
}

TEST_F(CommitFileTest, ARecordLargerThanASlotIsAnError) {
  auto file = CommitFile::Open(dir_);
  ASSERT_TRUE(file.ok());
  SourcePositions huge{"in", std::vector<int64_t>(200000, 123456789), {}};
  Status saved = file->Save(huge);
  EXPECT_EQ(saved.category(), ErrorCategory::kStorage);
  EXPECT_NE(saved.message().find("does not fit"), std::string::npos) << saved.message();
}

}  // namespace
}  // namespace sluice
