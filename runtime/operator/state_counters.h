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

  void Add(const StateCounters& other) {
    groups_evicted += other.groups_evicted;
    groups_read_back += other.groups_read_back;
    groups_expired += other.groups_expired;
    cache_bytes_now += other.cache_bytes_now;
    rows_evicted += other.rows_evicted;
    rows_read_back += other.rows_read_back;
    spilled_rows_now += other.spilled_rows_now;
    spilled_bytes_now += other.spilled_bytes_now;
    spill_chunks_read += other.spill_chunks_read;
  }
};

// The cumulative counters of `counters` (not the *_now ones) and `late_records` as text for the
// checkpoint manifest ("groups_evicted=3,late_records=1,..."; zeros left out).
std::string SaveCumulativeCounters(const StateCounters& counters, int64_t late_records);
// Reads what SaveCumulativeCounters wrote; names it does not know (a later version's) and
// malformed entries are skipped: the counters are for display only.
void RestoreCumulativeCounters(std::string_view text, StateCounters* counters,
                               int64_t* late_records);

}  // namespace sluice
