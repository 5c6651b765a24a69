#include "common/json_key_matcher.h"

namespace sluice {

namespace {

// Below this many names a linear scan (length check first) beats hashing the key.
constexpr size_t kIndexThreshold = 16;

char FoldAscii(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

}  // namespace

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t char_idx = 0; char_idx < a.size(); ++char_idx) {
    if (FoldAscii(a[char_idx]) != FoldAscii(b[char_idx])) return false;
  }
  return true;
}

int MatchName(const std::vector<std::string>& names, std::string_view key, bool& exact) {
  for (size_t name_idx = 0; name_idx < names.size(); ++name_idx) {
    if (names[name_idx] == key) {
      exact = true;
      return static_cast<int>(name_idx);
    }
  }
  for (size_t name_idx = 0; name_idx < names.size(); ++name_idx) {
    if (EqualsIgnoreCase(names[name_idx], key)) {
      exact = false;
      return static_cast<int>(name_idx);
    }
  }
  return -1;
}

KeyMatcher::KeyMatcher(std::vector<std::string> names) : names_(std::move(names)) {
  use_index_ = names_.size() > kIndexThreshold;
  if (!use_index_) return;
  for (size_t name_idx = 0; name_idx < names_.size(); ++name_idx) {
    exact_index_.emplace(names_[name_idx], static_cast<int>(name_idx));
    std::string folded = names_[name_idx];
    for (char& c : folded) c = FoldAscii(c);
    folded_index_.emplace(std::move(folded), static_cast<int>(name_idx));
  }
}

int KeyMatcher::Find(std::string_view key, bool& exact) const {
  if (!use_index_) return MatchName(names_, key, exact);
  if (auto it = exact_index_.find(key); it != exact_index_.end()) {
    exact = true;
    return it->second;
  }
  fold_buffer_.assign(key);
  for (char& c : fold_buffer_) c = FoldAscii(c);
  if (auto it = folded_index_.find(std::string_view(fold_buffer_)); it != folded_index_.end()) {
    exact = false;
    return it->second;
  }
  return -1;
}

}  // namespace sluice
