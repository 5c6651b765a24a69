#pragma once
// Upper/lower/title-casing of UTF-8 text. Covers ASCII, Latin-1, Latin Extended-A, Greek and
// Cyrillic by simple one-to-one mappings; other characters (and one-to-many mappings such as
// German sharp s to "SS") pass through unchanged.

#include <string>
#include <string_view>

namespace sluice {

enum class CaseMapping : uint8_t {
  kUpper,
  kLower,
  kTitle,  // upper-case the first letter of each alphanumeric word, lower-case the rest
};

void AppendCaseMapped(std::string_view text, CaseMapping mapping, std::string& out);

}  // namespace sluice
