#include "runtime/function/regex_cache.h"

#include <re2/re2.h>

namespace sluice {

Result<std::shared_ptr<const re2::RE2>> CompileRegex(std::string_view pattern) {
  RE2::Options options;
  options.set_log_errors(false);  // errors become Status values, not stderr noise
  options.set_encoding(RE2::Options::EncodingUTF8);
  auto regex =
      std::make_shared<const RE2>(re2::StringPiece(pattern.data(), pattern.size()), options);
  if (!regex->ok()) {
    return Status::Execution("invalid regular expression '" + std::string(pattern) +
                             "': " + regex->error());
  }
  return std::shared_ptr<const re2::RE2>(std::move(regex));
}

Result<const re2::RE2*> RegexCache::Get(std::string_view pattern) {
  auto found = by_pattern_.find(pattern);
  if (found != by_pattern_.end()) {
    entries_.splice(entries_.begin(), entries_, found->second);
    return found->second->regex.get();
  }
  ASSIGN_OR_RETURN(std::shared_ptr<const re2::RE2> regex, CompileRegex(pattern));
  if (entries_.size() >= capacity_) {
    by_pattern_.erase(entries_.back().pattern);
    entries_.pop_back();
  }
  entries_.push_front(Entry{std::string(pattern), std::move(regex)});
  // The key views the entry's own string, which list nodes never move.
  by_pattern_.emplace(entries_.front().pattern, entries_.begin());
  return entries_.front().regex.get();
}

}  // namespace sluice
