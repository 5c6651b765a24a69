#pragma once
// Compiled RE2 patterns for regex functions whose pattern arrives as data (a column, not a
// literal). One cache lives in each EvalContext, so it is used by a single thread and needs no
// lock; it is bounded because a pattern column can hold a different value on every row.

#include <cstddef>
#include <list>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/status.h"

namespace re2 {
class RE2;
}

namespace sluice {

// Compiles `pattern` with Sluice's regex options (UTF-8, no logging to stderr). The error is an
// EXECUTION error such as `invalid regular expression '(a': missing ): (a`; callers turn it into
// a BINDER error for literal patterns.
Result<std::shared_ptr<const re2::RE2>> CompileRegex(std::string_view pattern);

class RegexCache {
 public:
  static constexpr size_t kDefaultCapacity = 64;

  // A capacity below 1 is raised to 1: the pattern just returned must stay alive.
  explicit RegexCache(size_t capacity = kDefaultCapacity)
      : capacity_(capacity == 0 ? 1 : capacity) {}
  RegexCache(const RegexCache&) = delete;
  RegexCache& operator=(const RegexCache&) = delete;

  // The compiled pattern, compiling it on a miss and evicting the least recently used entry
  // when full. The pointer stays valid until the next Get (which may evict it).
  // Invalid patterns are not cached: the error aborts the batch anyway.
  Result<const re2::RE2*> Get(std::string_view pattern);

  size_t size() const { return entries_.size(); }
  size_t capacity() const { return capacity_; }

 private:
  struct Entry {
    std::string pattern;
    std::shared_ptr<const re2::RE2> regex;
  };

  size_t capacity_;
  // Most recently used first; the map points into it so a hit moves an entry in O(1).
  std::list<Entry> entries_;
  std::unordered_map<std::string_view, std::list<Entry>::iterator> by_pattern_;
};

}  // namespace sluice
