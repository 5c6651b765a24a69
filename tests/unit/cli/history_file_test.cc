#include "cli/shell/history_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iterator>

namespace sluice {
namespace {

TEST(HistoryFileTest, SingleLineEntriesArePlainText) {
  EXPECT_EQ(HistoryFile::Encode("INSERT INTO clicks VALUES (1, 'a');"),
            "INSERT INTO clicks VALUES (1, 'a');\n");
}

TEST(HistoryFileTest, MultiLineEntriesRoundTrip) {
  std::vector<std::string> entries = {"CREATE STREAM s (a BIGINT)\n  WITH ('topic'='s');",
                                      "\\format csv", "SELECT '\\' AS backslash;",
                                      "SELECT 1 -- ends in \\\n;"};
  std::string text;
  for (const std::string& entry : entries) text += HistoryFile::Encode(entry);
  std::vector<std::string> decoded = HistoryFile::Decode(text);
  // The '\' ending a line gains a blank so it is not read as a continuation.
  entries[3] = "SELECT 1 -- ends in \\ \n;";
  EXPECT_EQ(decoded, entries);
}

class HistoryFileOnDiskTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/sluice-history-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
    path_ = dir_ + "/.sluice_history";
  }
  void TearDown() override {
    std::string command = "rm -rf '" + dir_ + "'";
    [[maybe_unused]] int ignored = std::system(command.c_str());
  }
  std::string dir_;
  std::string path_;
};

TEST_F(HistoryFileOnDiskTest, AppendThenLoadKeepsTheNewestAndIsPrivate) {
  HistoryFile history(path_, /*max_entries=*/3);
  EXPECT_TRUE(history.Load().empty());
  for (int i = 0; i < 7; ++i) history.Append("SELECT " + std::to_string(i) + ";");
  struct stat info;
  ASSERT_EQ(stat(path_.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  EXPECT_EQ(history.Load(), (std::vector<std::string>{"SELECT 4;", "SELECT 5;", "SELECT 6;"}));
  // Loading 7 >= 2 * 3 entries cut the file back to the 3 kept.
  std::ifstream in(path_);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text, "SELECT 4;\nSELECT 5;\nSELECT 6;\n");
}

TEST_F(HistoryFileOnDiskTest, NoPathMeansNoHistory) {
  HistoryFile history("");
  history.Append("SELECT 1;");
  EXPECT_TRUE(history.Load().empty());
}

TEST_F(HistoryFileOnDiskTest, SecretsAreRedactedOnDisk) {
  HistoryFile history(path_, /*max_entries=*/10);
  history.Append("CREATE USER bob WITH PASSWORD 'hunter2';");
  history.Append("CREATE STORE k WITH ('type'='kafka', 'kafka.sasl.password'='s3cret');");
  std::ifstream in(path_);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text.find("hunter2"), std::string::npos) << text;
  EXPECT_EQ(text.find("s3cret"), std::string::npos) << text;
  EXPECT_NE(text.find("CREATE USER bob"), std::string::npos) << text;
}

}  // namespace
}  // namespace sluice
