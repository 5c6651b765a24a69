// The cumulative state counters as the checkpoint manifest keeps them: they round-trip, the
// *_now counters are left out, and unknown or malformed entries are skipped.

#include "runtime/operator/state_counters.h"

#include <gtest/gtest.h>

namespace sluice {
namespace {

TEST(StateCountersTest, CumulativeCountersRoundTrip) {
  const StateCounters counters{1, 2, 3, 400, 5, 600, 7, 8, 9};
  const std::string text = SaveCumulativeCounters(counters, 10);
  EXPECT_EQ(text,
            "groups_evicted=1,groups_read_back=2,groups_expired=3,spill_chunks_read=7,"
            "rows_evicted=8,rows_read_back=9,late_records=10");
  StateCounters restored;
  int64_t late = 0;
  RestoreCumulativeCounters(text, &restored, &late);
  EXPECT_EQ(SaveCumulativeCounters(restored, late), text);
  EXPECT_EQ(restored.cache_bytes_now, 0);
  EXPECT_EQ(restored.spilled_rows_now, 0);
  EXPECT_EQ(restored.spilled_bytes_now, 0);
  EXPECT_EQ(SaveCumulativeCounters(StateCounters{}, 0), "");
}

TEST(StateCountersTest, UnknownAndMalformedEntriesAreSkipped) {
  StateCounters restored;
  int64_t late = 0;
  RestoreCumulativeCounters("future_counter=5,groups_evicted=x,=3,rows_evicted,late_records=4",
                            &restored, &late);
  EXPECT_EQ(restored.groups_evicted, 0);
  EXPECT_EQ(restored.rows_evicted, 0);
  EXPECT_EQ(late, 4);
}

}  // namespace
}  // namespace sluice
