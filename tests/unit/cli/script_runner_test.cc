#include "cli/script/script_runner.h"

#include <gtest/gtest.h>

namespace sluice {
namespace {

TEST(CompleteStatementsEndTest, RunsFinishedStatementsAndKeepsTheRest) {
  std::string_view buffer = "SELECT 1; SELECT 2;\n";
  EXPECT_EQ(CompleteStatementsEnd(buffer), buffer.size());

  std::string_view partial = "SELECT 1; SELECT";
  EXPECT_EQ(partial.substr(CompleteStatementsEnd(partial)), "SELECT");
}

TEST(CompleteStatementsEndTest, SemicolonsInQuotesAndCommentsDoNotEndAStatement) {
  EXPECT_EQ(CompleteStatementsEnd("SELECT 'a;b'"), 0u);
  std::string_view commented = "SELECT 1 -- not yet;\n";
  EXPECT_EQ(CompleteStatementsEnd(commented), 0u);
  std::string_view multi_line = "CREATE STREAM s (a BIGINT)\n  WITH ('topic'='s');\n";
  EXPECT_EQ(CompleteStatementsEnd(multi_line), multi_line.size());
}

TEST(CompleteStatementsEndTest, ABareSemicolonIsComplete) {
  EXPECT_EQ(CompleteStatementsEnd(";\n"), 2u);
}

}  // namespace
}  // namespace sluice
