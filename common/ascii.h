#pragma once
// ASCII case folding for keywords and property values ('EXACTLY_ONCE', 'Earliest'): SQL folds
// only ASCII letters, so the C locale's tolower on each byte is the rule, and multi-byte UTF-8
// sequences pass through unchanged.

#include <cctype>
#include <string>
#include <string_view>

namespace sluice {

inline std::string AsciiLower(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower;
}

}  // namespace sluice
