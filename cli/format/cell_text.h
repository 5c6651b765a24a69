#pragma once
// Text of one result cell as the shell shows it (table and CSV output, and the SQL logic test
// runner, so what a test expects is what a user sees). NULL is left to the caller: each format
// spells it differently.

#include <cstddef>
#include <string>
#include <string_view>

#include "common/batch.h"
#include "common/types.h"

namespace sluice {

// Appends the display text of `column[row]`. DOUBLE keeps a fractional part ("3.0", not "3") so
// a DOUBLE result is told apart from an integer one; other types print as Value::ToString does.
// REQUIRES: !column.IsNull(row).
void AppendCellText(const Column& column, size_t row, std::string& out);

// Numbers are right-aligned in the table format, everything else left-aligned (as psql does).
bool IsRightAligned(const DataType& type);

// Width of `text` on a terminal, counting UTF-8 code points (not bytes) so accented names align.
size_t DisplayWidth(std::string_view text);

}  // namespace sluice
