#include "cli/options/cli_options.h"

#include <gtest/gtest.h>

#include <cstdlib>

namespace sluice {
namespace {

ParsedCommandLine Parse(std::vector<const char*> args) {
  args.insert(args.begin(), "sluice");
  return ParseCommandLine(static_cast<int>(args.size()), args.data(), "test");
}

TEST(CliOptionsTest, ScriptsRunInCommandLineOrder) {
  ParsedCommandLine parsed = Parse({"-f", "a.sql", "-c", "SELECT 1;", "-f", "b.sql"});
  ASSERT_FALSE(parsed.exit_code);
  const auto& scripts = parsed.options.scripts;
  ASSERT_EQ(scripts.size(), 3u);
  EXPECT_EQ(scripts[0].kind, ScriptSource::Kind::kFile);
  EXPECT_EQ(scripts[0].text, "a.sql");
  EXPECT_EQ(scripts[1].kind, ScriptSource::Kind::kCommand);
  EXPECT_EQ(scripts[1].text, "SELECT 1;");
  EXPECT_EQ(scripts[2].text, "b.sql");
}

TEST(CliOptionsTest, DataDirComesFromFlagThenEnvironmentThenDefault) {
  unsetenv("SLUICE_DATA");
  EXPECT_EQ(Parse({}).options.data_dir, "./sluice-data");
  setenv("SLUICE_DATA", "/tmp/from-env", 1);
  EXPECT_EQ(Parse({}).options.data_dir, "/tmp/from-env");
  EXPECT_EQ(Parse({"--data-dir", "/tmp/flag"}).options.data_dir, "/tmp/flag");
  unsetenv("SLUICE_DATA");
}

TEST(CliOptionsTest, FormatAndFlags) {
  ParsedCommandLine parsed = Parse({"--format", "jsonl", "--continue-on-error"});
  ASSERT_FALSE(parsed.exit_code);
  EXPECT_EQ(parsed.options.format, OutputFormat::kJsonl);
  EXPECT_TRUE(parsed.options.continue_on_error);
  EXPECT_FALSE(Parse({}).options.continue_on_error);
}

TEST(CliOptionsTest, BadOptionsExitWithOne) {
  EXPECT_EQ(Parse({"--format", "xml"}).exit_code, 1);
  EXPECT_EQ(Parse({"--no-such-flag"}).exit_code, 1);
  EXPECT_EQ(Parse({"-c"}).exit_code, 1);
}

TEST(CliOptionsTest, HelpAndVersionExitWithZero) {
  EXPECT_EQ(Parse({"--help"}).exit_code, 0);
  EXPECT_EQ(Parse({"--version"}).exit_code, 0);
}

}  // namespace
}  // namespace sluice
