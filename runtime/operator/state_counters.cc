// See state_counters.h.

#include "runtime/operator/state_counters.h"

#include <charconv>
#include <utility>

namespace sluice {
namespace {

// The counters that keep counting across restarts, by their manifest names.
constexpr std::pair<std::string_view, int64_t StateCounters::*> kCumulativeFields[] = {
    {"groups_evicted", &StateCounters::groups_evicted},
    {"groups_read_back", &StateCounters::groups_read_back},
    {"groups_expired", &StateCounters::groups_expired},
    {"spill_chunks_read", &StateCounters::spill_chunks_read},
    {"rows_evicted", &StateCounters::rows_evicted},
    {"rows_read_back", &StateCounters::rows_read_back},
};
constexpr std::string_view kLateRecords = "late_records";

}  // namespace

std::string SaveCumulativeCounters(const StateCounters& counters, int64_t late_records) {
  std::string text;
  auto add = [&](std::string_view name, int64_t value) {
    if (value == 0) return;
    if (!text.empty()) text += ',';
    text += name;
    text += '=';
    text += std::to_string(value);
  };
  for (const auto& [name, field] : kCumulativeFields) add(name, counters.*field);
  add(kLateRecords, late_records);
  return text;
}

void RestoreCumulativeCounters(std::string_view text, StateCounters* counters,
                               int64_t* late_records) {
  while (!text.empty()) {
    const size_t comma = text.find(',');
    const std::string_view entry = text.substr(0, comma);
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
    const size_t equals = entry.find('=');
    if (equals == std::string_view::npos) continue;
    const std::string_view name = entry.substr(0, equals);
    const std::string_view digits = entry.substr(equals + 1);
    int64_t value = 0;
    auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (error != std::errc() || end != digits.data() + digits.size()) continue;
    if (name == kLateRecords) *late_records = value;
    for (const auto& [field_name, field] : kCumulativeFields) {
      if (name == field_name) counters->*field = value;
    }
  }
}

}  // namespace sluice
