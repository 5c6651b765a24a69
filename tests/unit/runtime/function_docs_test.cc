// docs/sql.md is the users' function reference: every built-in function must appear there.

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "runtime/function/function_registry.h"

namespace sluice {
namespace {

TEST(FunctionDocs, EveryFunctionIsDocumented) {
  const char* source_dir = std::getenv("SLUICE_SOURCE_DIR");
  ASSERT_NE(source_dir, nullptr) << "ctest sets SLUICE_SOURCE_DIR";
  std::ifstream file(std::string(source_dir) + "/docs/sql.md");
  ASSERT_TRUE(file.good()) << "docs/sql.md is missing";
  std::stringstream text;
  text << file.rdbuf();
  const std::string docs = text.str();
  const auto listed = ListFunctions();
  ASSERT_FALSE(listed.empty());
  for (const std::string& line : listed) {
    // "name(ARGS) -> TYPE: description": the signature up to the colon is what the docs show.
    std::string signature = line.substr(0, line.find(": "));
    EXPECT_NE(docs.find("`" + signature + "`"), std::string::npos)
        << "docs/sql.md does not list " << signature;
  }
}

}  // namespace
}  // namespace sluice
