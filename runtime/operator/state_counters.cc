// See state_counters.h.

#include "runtime/operator/state_counters.h"

#include <charconv>

namespace sluice {
namespace {

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
  for (const StateCounterField& field : kStateCounterFields) {
    if (field.cumulative) add(field.name, counters.*field.member);
  }
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
    for (const StateCounterField& field : kStateCounterFields) {
      if (field.cumulative && name == field.name) counters->*field.member = value;
    }
  }
}

}  // namespace sluice
