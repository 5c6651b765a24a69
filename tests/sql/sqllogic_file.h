#pragma once
// The SQL logic test file format (DuckDB/sqllogictest style), parsed into records:
//
//   # a comment                     (between records)
//   statement ok                    SQL follows, up to a blank line
//   statement error [substring]     SQL; optionally "----" and the expected message lines
//   query <T|I|R|B...> [rowsort]    SQL, "----", expected rows (tab-separated), blank line
//   query <T|I|R|B...> contains     the expected rows must each appear among the actual rows
//                                   (for outputs with varying lines, e.g. DESCRIBE QUERY's pid)
//   query <T|I|R|B...> contains eventually
//                                   retried for up to 30 s until it passes: for states that
//                                   settle after the statement before returns (STOPPED workers)
//   halt                            ignore the rest of the file
//
// NULL is written NULL, the empty string (empty). An expected error is a substring of the
// rendered error ("ERROR: BINDER: ... LINE 1: ...").

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace sluice {

struct TestRecord {
  enum class Kind { kStatementOk, kStatementError, kQuery, kHalt };
  Kind kind = Kind::kStatementOk;
  int line = 0;  // 1-based line of the record's first line, for failure messages
  std::string sql;
  std::string expected_error;              // kStatementError; empty: any error will do
  std::string column_types;                // kQuery: one letter per column
  bool rowsort = false;                    // kQuery: compare rows as sorted sets
  bool contains = false;                   // kQuery: expected rows are a subset of actual
  bool eventually = false;                 // kQuery: retried until it passes (a settling state)
  std::vector<std::string> expected_rows;  // kQuery: tab-separated lines
};

// Errors name the line: "line 12: unknown record type 'statment'".
Result<std::vector<TestRecord>> ParseTestFile(std::string_view text);

}  // namespace sluice
