#pragma once
// "Did you mean" support: picks the known name closest to a misspelled one. The binder uses it to
// turn `relation "pageview" does not exist` into `... (did you mean "pageviews"?)`.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sluice {

// Optimal-string-alignment distance (Levenshtein plus swaps of adjacent characters, so "pgaeviews"
// is one edit from "pageviews"). Compares bytes; names are already case-folded by the parser.
size_t EditDistance(std::string_view a, std::string_view b);

// The candidate nearest to `wanted`, if it is close enough to be a plausible typo: at most
// max(1, wanted.size() / 3) edits. Ties go to the earliest candidate; an exact match is returned
// as is. Returns nullopt when nothing is close.
std::optional<std::string> ClosestName(std::string_view wanted,
                                       const std::vector<std::string>& candidates);

}  // namespace sluice
