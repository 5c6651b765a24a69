#pragma once
// What a query's bounded-memory state did, for DESCRIBE QUERY: the GROUP BY group cache
// ('state.cache.max.bytes'; over a changelog, its previous rows too), its TTL ('state.ttl.millis')
// and the interval join's spill files. Counts are cumulative: an operator's start at zero when
// its worker starts, and the checkpoint manifest carries the totals across restarts
// (SaveCumulativeCounters). The *_now fields are what is held at the moment of the report. A
// query's workers' counters are summed.

#include <cstdint>
#include <string>
#include <string_view>

namespace sluice {

struct StateCounters {
  int64_t groups_evicted = 0;     // group cache: groups moved out of memory to the state store
  int64_t groups_read_back = 0;   // group cache: evicted groups read back by a later record
  int64_t groups_expired = 0;     // groups dropped by 'state.ttl.millis'
  int64_t cache_bytes_now = 0;    // group cache: estimated bytes of the groups in memory
  int64_t spilled_rows_now = 0;   // interval join: live rows in spill files (both sides)
  int64_t spilled_bytes_now = 0;  // interval join: bytes of the spilled chunks' images
  int64_t spill_chunks_read = 0;  // interval join: spilled chunks read back from disk
  int64_t rows_evicted = 0;       // changelog GROUP BY: previous rows moved to the state store
  int64_t rows_read_back = 0;     // changelog GROUP BY: evicted previous rows read back

  void Add(const StateCounters& other);
};

// Every counter by the name it has in worker progress reports and, if `cumulative` (not a *_now
// one), in the checkpoint manifest: the one list that serialises and sums them.
struct StateCounterField {
  std::string_view name;
  int64_t StateCounters::*member;
  bool cumulative;
};
inline constexpr StateCounterField kStateCounterFields[] = {
    {"groups_evicted", &StateCounters::groups_evicted, true},
    {"groups_read_back", &StateCounters::groups_read_back, true},
    {"groups_expired", &StateCounters::groups_expired, true},
    {"cache_bytes_now", &StateCounters::cache_bytes_now, false},
    {"spilled_rows_now", &StateCounters::spilled_rows_now, false},
    {"spilled_bytes_now", &StateCounters::spilled_bytes_now, false},
    {"spill_chunks_read", &StateCounters::spill_chunks_read, true},
    {"rows_evicted", &StateCounters::rows_evicted, true},
    {"rows_read_back", &StateCounters::rows_read_back, true},
};

inline void StateCounters::Add(const StateCounters& other) {
  for (const StateCounterField& field : kStateCounterFields) {
    this->*field.member += other.*field.member;
  }
}

// The cumulative counters of `counters` (not the *_now ones) and `late_records` as text for the
// checkpoint manifest ("groups_evicted=3,late_records=1,..."; zeros left out).
std::string SaveCumulativeCounters(const StateCounters& counters, int64_t late_records);
// Reads what SaveCumulativeCounters wrote; names it does not know (a later version's) and
// malformed entries are skipped: the counters are for display only.
void RestoreCumulativeCounters(std::string_view text, StateCounters* counters,
                               int64_t* late_records);

}  // namespace sluice
