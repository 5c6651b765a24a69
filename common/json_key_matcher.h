#pragma once
// Matching JSON keys to column or struct field names (internal to the JSON codec).

#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace sluice {

// ASCII case-insensitive equality (SQL identifiers fold ASCII letters only).
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

// Index of the name a JSON key refers to: the exactly equal name, else a case-insensitively
// equal one, else -1. `exact` tells which rule matched. Linear; for short name lists.
int MatchName(const std::vector<std::string>& names, std::string_view key, bool& exact);

// MatchName over a fixed list, with hash lookups once the list is long enough for a linear scan
// to cost more than hashing the key. Not thread-safe (reuses a buffer for case folding).
class KeyMatcher {
 public:
  explicit KeyMatcher(std::vector<std::string> names);

  int Find(std::string_view key, bool& exact) const;

 private:
  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using Index = std::unordered_map<std::string, int, StringHash, std::equal_to<>>;

  std::vector<std::string> names_;
  bool use_index_ = false;
  Index exact_index_;
  Index folded_index_;  // lower-cased name -> first such name
  mutable std::string fold_buffer_;
};

}  // namespace sluice
