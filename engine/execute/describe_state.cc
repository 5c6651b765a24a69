// See describe_state.h.

#include "engine/execute/describe_state.h"

namespace sluice {

std::vector<std::pair<std::string, std::string>> DescribeStateCounters(
    const StateCounters& counters) {
  std::vector<std::pair<std::string, std::string>> rows;
  auto add = [&](const char* name, int64_t value) {
    if (value != 0) rows.emplace_back(name, std::to_string(value));
  };
  add("groups evicted", counters.groups_evicted);
  add("groups read back", counters.groups_read_back);
  add("group cache bytes", counters.cache_bytes_now);
  add("previous rows evicted", counters.rows_evicted);
  add("previous rows read back", counters.rows_read_back);
  add("groups expired", counters.groups_expired);
  add("join rows spilled", counters.spilled_rows_now);
  add("join bytes spilled", counters.spilled_bytes_now);
  add("join chunks read back", counters.spill_chunks_read);
  return rows;
}

}  // namespace sluice
