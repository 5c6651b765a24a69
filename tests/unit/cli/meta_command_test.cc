#include "cli/shell/meta_command.h"

#include <gtest/gtest.h>

namespace sluice {
namespace {

TEST(MetaCommandTest, RecognisesBackslashLinesOnly) {
  EXPECT_TRUE(IsMetaCommand("\\q"));
  EXPECT_TRUE(IsMetaCommand("   \\format csv"));
  EXPECT_FALSE(IsMetaCommand("SELECT '\\q';"));
  EXPECT_FALSE(IsMetaCommand(""));
}

TEST(MetaCommandTest, ParsesEachCommand) {
  EXPECT_EQ(ParseMetaCommand("\\q")->kind, MetaCommand::Kind::kQuit);
  EXPECT_EQ(ParseMetaCommand("\\?")->kind, MetaCommand::Kind::kHelp);

  Result<MetaCommand> format = ParseMetaCommand("\\format json");
  ASSERT_TRUE(format.ok());
  EXPECT_EQ(format->kind, MetaCommand::Kind::kFormat);
  EXPECT_EQ(format->format, OutputFormat::kJson);

  Result<MetaCommand> include = ParseMetaCommand("\\i  my dir/setup.sql  ");
  ASSERT_TRUE(include.ok());
  EXPECT_EQ(include->kind, MetaCommand::Kind::kInclude);
  EXPECT_EQ(include->path, "my dir/setup.sql");
}

TEST(MetaCommandTest, TimingTogglesOrTakesOnOff) {
  EXPECT_EQ(ParseMetaCommand("\\timing")->timing, MetaCommand::Toggle::kToggle);
  EXPECT_EQ(ParseMetaCommand("\\timing on")->timing, MetaCommand::Toggle::kOn);
  EXPECT_EQ(ParseMetaCommand("\\timing off")->timing, MetaCommand::Toggle::kOff);
  EXPECT_FALSE(ParseMetaCommand("\\timing maybe").ok());
}

TEST(MetaCommandTest, ErrorsTellWhatToType) {
  Result<MetaCommand> unknown = ParseMetaCommand("\\x");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("\\?"), std::string::npos);

  Result<MetaCommand> no_format = ParseMetaCommand("\\format");
  ASSERT_FALSE(no_format.ok());
  EXPECT_NE(no_format.status().message().find("table|csv|json|jsonl"), std::string::npos);

  Result<MetaCommand> bad_format = ParseMetaCommand("\\format xml");
  ASSERT_FALSE(bad_format.ok());
  EXPECT_NE(bad_format.status().message().find("xml"), std::string::npos);

  EXPECT_FALSE(ParseMetaCommand("\\i").ok());
}

}  // namespace
}  // namespace sluice
