#include "catalog/name_suggestion.h"

#include <algorithm>

namespace sluice {

size_t EditDistance(std::string_view a, std::string_view b) {
  // Three rolling rows: the swap rule looks two rows back.
  std::vector<size_t> before_previous(b.size() + 1);
  std::vector<size_t> previous(b.size() + 1);
  std::vector<size_t> current(b.size() + 1);
  for (size_t b_idx = 0; b_idx <= b.size(); ++b_idx) previous[b_idx] = b_idx;
  for (size_t a_idx = 1; a_idx <= a.size(); ++a_idx) {
    current[0] = a_idx;
    for (size_t b_idx = 1; b_idx <= b.size(); ++b_idx) {
      const size_t substitution = a[a_idx - 1] == b[b_idx - 1] ? 0 : 1;
      size_t best = std::min(
          {previous[b_idx] + 1, current[b_idx - 1] + 1, previous[b_idx - 1] + substitution});
      if (a_idx > 1 && b_idx > 1 && a[a_idx - 1] == b[b_idx - 2] && a[a_idx - 2] == b[b_idx - 1]) {
        best = std::min(best, before_previous[b_idx - 2] + 1);
      }
      current[b_idx] = best;
    }
    std::swap(before_previous, previous);
    std::swap(previous, current);
  }
  return previous[b.size()];
}

std::optional<std::string> ClosestName(std::string_view wanted,
                                       const std::vector<std::string>& candidates) {
  const size_t allowed = std::max<size_t>(1, wanted.size() / 3);
  std::optional<std::string> best;
  size_t best_distance = allowed + 1;
  for (const std::string& candidate : candidates) {
    // Lengths differing by more than the allowance cannot be within it.
    const size_t length_gap = candidate.size() > wanted.size() ? candidate.size() - wanted.size()
                                                               : wanted.size() - candidate.size();
    if (length_gap > allowed) continue;
    const size_t distance = EditDistance(wanted, candidate);
    if (distance < best_distance) {
      best_distance = distance;
      best = candidate;
    }
  }
  return best;
}

}  // namespace sluice
