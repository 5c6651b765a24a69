#pragma once
// A compiled SQL LIKE pattern: '%' matches any run of characters, '_' exactly one UTF-8
// character, and the escape character (backslash by default, as in PostgreSQL) makes the next
// character literal. Common shapes ('abc', 'abc%', '%abc', '%abc%') match with one comparison or
// one substring search instead of the general backtracking matcher.

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace sluice {

class LikeMatcher {
 public:
  // EXECUTION error when the pattern ends with the escape character.
  static Result<LikeMatcher> Compile(std::string_view pattern, char escape = '\\');

  bool Matches(std::string_view text) const;
  const std::string& pattern() const { return pattern_; }

 private:
  enum class Shape : uint8_t { kExact, kPrefix, kSuffix, kContains, kGeneral };
  // One run between '%'s: literal bytes and single-character wildcards.
  struct Segment {
    std::string bytes;           // literal bytes; a wildcard position holds '\0'
    std::vector<bool> wildcard;  // per byte of `bytes`: true where '_' stands
    bool has_wildcard = false;
  };

  // Length in bytes of the match of `segment` at text[pos], or -1.
  static int64_t MatchSegmentAt(const Segment& segment, std::string_view text, size_t pos);

  std::string pattern_;
  Shape shape_ = Shape::kGeneral;
  std::string literal_;  // for the fast shapes
  std::vector<Segment> segments_;
  bool leading_percent_ = false;
  bool trailing_percent_ = false;
};

}  // namespace sluice
