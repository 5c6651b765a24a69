#include "runtime/expression/like_matcher.h"

namespace sluice {

namespace {

// Byte length of the UTF-8 character starting with `lead` (1 for stray continuation bytes, so
// that invalid text still advances).
size_t Utf8Length(unsigned char lead) {
  if (lead < 0x80) return 1;
  if ((lead >> 5) == 0x6) return 2;
  if ((lead >> 4) == 0xE) return 3;
  if ((lead >> 3) == 0x1E) return 4;
  return 1;
}

}  // namespace

Result<LikeMatcher> LikeMatcher::Compile(std::string_view pattern, char escape) {
  LikeMatcher matcher;
  matcher.pattern_ = std::string(pattern);
  std::vector<Segment> segments(1);
  bool any_wildcard = false;
  size_t percent_count = 0;
  for (size_t pos = 0; pos < pattern.size(); ++pos) {
    char c = pattern[pos];
    if (c == escape) {
      if (pos + 1 == pattern.size()) {
        return Status::Execution("LIKE pattern '" + std::string(pattern) +
                                 "' must not end with the escape character");
      }
      c = pattern[++pos];
      segments.back().bytes.push_back(c);
      segments.back().wildcard.push_back(false);
      continue;
    }
    if (c == '%') {
      ++percent_count;
      if (pos == 0) matcher.leading_percent_ = true;
      if (pos + 1 == pattern.size()) matcher.trailing_percent_ = true;
      if (!segments.back().bytes.empty()) segments.emplace_back();
      continue;
    }
    bool is_wildcard = c == '_';
    any_wildcard |= is_wildcard;
    segments.back().bytes.push_back(is_wildcard ? '\0' : c);
    segments.back().wildcard.push_back(is_wildcard);
    segments.back().has_wildcard |= is_wildcard;
  }
  if (segments.back().bytes.empty()) segments.pop_back();
  matcher.segments_ = std::move(segments);
  if (!any_wildcard && matcher.segments_.size() <= 1) {
    matcher.literal_ = matcher.segments_.empty() ? "" : matcher.segments_[0].bytes;
    bool lead = matcher.leading_percent_;
    bool trail = matcher.trailing_percent_;
    if (percent_count == 0) {
      matcher.shape_ = Shape::kExact;
    } else if (lead && trail) {
      matcher.shape_ = Shape::kContains;
    } else if (trail) {
      matcher.shape_ = Shape::kPrefix;
    } else if (lead) {
      matcher.shape_ = Shape::kSuffix;
    }
  }
  return matcher;
}

int64_t LikeMatcher::MatchSegmentAt(const Segment& segment, std::string_view text, size_t pos) {
  size_t start = pos;
  for (size_t byte_idx = 0; byte_idx < segment.bytes.size(); ++byte_idx) {
    if (pos >= text.size()) return -1;
    if (segment.wildcard[byte_idx]) {
      pos += Utf8Length(static_cast<unsigned char>(text[pos]));
      if (pos > text.size()) return -1;
      continue;
    }
    if (text[pos] != segment.bytes[byte_idx]) return -1;
    ++pos;
  }
  return static_cast<int64_t>(pos - start);
}

bool LikeMatcher::Matches(std::string_view text) const {
  switch (shape_) {
    case Shape::kExact: return text == literal_;
    case Shape::kPrefix: return text.starts_with(literal_);
    case Shape::kSuffix: return text.ends_with(literal_);
    case Shape::kContains: return text.find(literal_) != std::string_view::npos;
    case Shape::kGeneral: break;
  }
  // Segments are separated by '%', so matching each at its leftmost possible position never
  // loses a match; only the last, when anchored at the end, must be tried at every position.
  size_t pos = 0;
  for (size_t segment_idx = 0; segment_idx < segments_.size(); ++segment_idx) {
    const Segment& segment = segments_[segment_idx];
    bool anchored_start = segment_idx == 0 && !leading_percent_;
    bool anchored_end = segment_idx + 1 == segments_.size() && !trailing_percent_;
    if (anchored_start) {
      int64_t length = MatchSegmentAt(segment, text, pos);
      if (length < 0) return false;
      pos += static_cast<size_t>(length);
      if (anchored_end) return pos == text.size();
      continue;
    }
    bool found = false;
    for (size_t start = pos; start < text.size();
         start += Utf8Length(static_cast<unsigned char>(text[start]))) {
      int64_t length = MatchSegmentAt(segment, text, start);
      if (length < 0) continue;
      if (anchored_end && start + static_cast<size_t>(length) != text.size()) continue;
      pos = start + static_cast<size_t>(length);
      found = true;
      break;
    }
    if (!found) return false;
  }
  // Every segment matched; an unanchored end lets the trailing '%' absorb the rest.
  return true;
}

}  // namespace sluice
