#include "common/status.h"

#include <gtest/gtest.h>

namespace sluice {
namespace {

TEST(StatusTest, OkHasNoCategoryOrMessage) {
  Status status;
  EXPECT_TRUE(status.ok());
  EXPECT_EQ(status.category(), ErrorCategory::kOk);
  EXPECT_EQ(status.message(), "");
  EXPECT_EQ(status.ToString(), "OK");
  EXPECT_FALSE(status.has_position());
}

TEST(StatusTest, ErrorCarriesCategoryMessageAndPosition) {
  Status status = Status::Binder("column \"x\" does not exist", 7);
  EXPECT_FALSE(status.ok());
  EXPECT_EQ(status.category(), ErrorCategory::kBinder);
  EXPECT_EQ(status.position(), 7);
  EXPECT_EQ(status.ToString(), "BINDER: column \"x\" does not exist");
}

TEST(StatusTest, WithPositionKeepsAnExistingPosition) {
  EXPECT_EQ(Status::Parser("bad").WithPosition(3).position(), 3);
  EXPECT_EQ(Status::Parser("bad", 1).WithPosition(3).position(), 1);
  EXPECT_TRUE(Status::OK().WithPosition(3).ok());
}

TEST(StatusTest, WithContextPrefixesTheMessage) {
  Status status = Status::Storage("disk full").WithContext("writing segment");
  EXPECT_EQ(status.message(), "writing segment: disk full");
  EXPECT_EQ(status.category(), ErrorCategory::kStorage);
}

TEST(StatusTest, FromErrnoUsesStrerror) {
  Status status = Status::FromErrno("open /x", ENOENT);
  EXPECT_EQ(status.category(), ErrorCategory::kStorage);
  EXPECT_EQ(status.message(), "open /x: No such file or directory");
}

Result<int> Half(int v) {
  if (v % 2 != 0) return Status::Execution("odd");
  return v / 2;
}

Result<int> Quarter(int v) {
  ASSIGN_OR_RETURN(int half, Half(v));
  ASSIGN_OR_RETURN(half, Half(half));
  return half;
}

Status CheckEven(int v) {
  RETURN_NOT_OK(Half(v).status());
  return Status::OK();
}

TEST(StatusTest, MacrosPropagateErrors) {
  EXPECT_EQ(*Quarter(8), 2);
  EXPECT_EQ(Quarter(6).status().message(), "odd");
  EXPECT_TRUE(CheckEven(2).ok());
  EXPECT_EQ(CheckEven(3).category(), ErrorCategory::kExecution);
  EXPECT_EQ(Quarter(5).ValueOr(-1), -1);
}

TEST(RenderErrorTest, WithoutPositionOnlyTheFirstLine) {
  EXPECT_EQ(RenderError(Status::Catalog("exists"), "CREATE STREAM s"), "ERROR: CATALOG: exists");
}

TEST(RenderErrorTest, CaretUnderThePositionOnASingleLine) {
  std::string_view sql = "SELECT x FROM t";
  EXPECT_EQ(RenderError(Status::Binder("column \"x\" does not exist", 7), sql),
            "ERROR: BINDER: column \"x\" does not exist\n"
            "LINE 1: SELECT x FROM t\n"
            "               ^");
}

TEST(RenderErrorTest, SecondLineOfMultiLineText) {
  std::string_view sql = "SELECT a,\n  x\nFROM t";
  // 'x' is at offset 12 (line 2, column 3).
  EXPECT_EQ(RenderError(Status::Binder("bad", 12), sql),
            "ERROR: BINDER: bad\n"
            "LINE 2:   x\n"
            "          ^");
}

TEST(RenderErrorTest, PositionAtTheStartOfALine) {
  std::string_view sql = "SELECT a\nFROM t\nWHERE";
  EXPECT_EQ(RenderError(Status::Parser("unexpected FROM", 9), sql),
            "ERROR: PARSER: unexpected FROM\n"
            "LINE 2: FROM t\n"
            "        ^");
  EXPECT_EQ(RenderError(Status::Parser("unexpected WHERE", 16), sql),
            "ERROR: PARSER: unexpected WHERE\n"
            "LINE 3: WHERE\n"
            "        ^");
  EXPECT_EQ(RenderError(Status::Parser("at start", 0), sql),
            "ERROR: PARSER: at start\n"
            "LINE 1: SELECT a\n"
            "        ^");
}

TEST(RenderErrorTest, PositionAtEndOfText) {
  std::string_view sql = "SELECT";
  EXPECT_EQ(RenderError(Status::Parser("unexpected end of input", 6), sql),
            "ERROR: PARSER: unexpected end of input\n"
            "LINE 1: SELECT\n"
            "              ^");
}

TEST(RenderErrorTest, TabsKeepTheirWidth) {
  std::string_view sql = "\tSELECT y";
  EXPECT_EQ(RenderError(Status::Binder("bad", 8), sql),
            "ERROR: BINDER: bad\n"
            "LINE 1: \tSELECT y\n"
            "        \t       ^");
}

TEST(RenderErrorTest, PositionBeyondTextIsNotRendered) {
  EXPECT_EQ(RenderError(Status::Parser("bad", 50), "SELECT"), "ERROR: PARSER: bad");
}

}  // namespace
}  // namespace sluice
