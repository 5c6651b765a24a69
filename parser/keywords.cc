#include <algorithm>
#include <array>
#include <string_view>

#include "parser/token.h"

namespace sluice {
namespace {

// Sorted. Words that end a clause or start an expression construct; everything else (including
// type names, TIMESTAMP, SIZE, ADVANCE, units) stays usable as a column or relation name.
constexpr std::array<std::string_view, 41> kReserved = {
    "all",   "and",  "as",     "between", "by",    "case",   "cast",  "distinct", "else",
    "emit",  "end",  "except", "false",   "from",  "full",   "group", "having",   "in",
    "inner", "into", "is",     "join",    "left",  "like",   "limit", "not",      "null",
    "on",    "or",   "order",  "outer",   "right", "select", "then",  "true",     "union",
    "using", "when", "where",  "with",    "within"};

}  // namespace

bool IsReservedKeyword(std::string_view word) {
  return std::binary_search(kReserved.begin(), kReserved.end(), word);
}

}  // namespace sluice
