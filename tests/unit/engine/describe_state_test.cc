// DESCRIBE QUERY's state rows: only the non-zero counters, in a fixed order, so a query without
// a cache budget, TTL or spill shows none of them.

#include "engine/execute/describe_state.h"

#include <gtest/gtest.h>

namespace sluice {
namespace {

using Rows = std::vector<std::pair<std::string, std::string>>;

TEST(DescribeStateTest, NothingForAQueryThatNeverEvictedExpiredOrSpilled) {
  EXPECT_TRUE(DescribeStateCounters(StateCounters{}).empty());
}

TEST(DescribeStateTest, OnlyTheNonZeroCountersInOrder) {
  StateCounters counters;
  counters.groups_evicted = 8;
  counters.groups_expired = 1;
  counters.spill_chunks_read = 3;
  EXPECT_EQ(
      DescribeStateCounters(counters),
      (Rows{{"groups evicted", "8"}, {"groups expired", "1"}, {"join chunks read back", "3"}}));
  counters = {1, 2, 3, 4, 5, 6, 7, 8, 9};
  EXPECT_EQ(DescribeStateCounters(counters).size(), 9u);
  // A GROUP BY over a changelog: its previous rows' evictions, between the group rows.
  counters = StateCounters{};
  counters.cache_bytes_now = 64;
  counters.rows_evicted = 40;
  counters.rows_read_back = 2;
  EXPECT_EQ(DescribeStateCounters(counters), (Rows{{"group cache bytes", "64"},
                                                   {"previous rows evicted", "40"},
                                                   {"previous rows read back", "2"}}));
}

TEST(DescribeStateTest, WorkersAddUp) {
  StateCounters total{1, 0, 0, 100, 0, 0, 0};
  total.Add(StateCounters{2, 1, 0, 50, 10, 4096, 1});
  EXPECT_EQ(DescribeStateCounters(total), (Rows{{"groups evicted", "3"},
                                                {"groups read back", "1"},
                                                {"group cache bytes", "150"},
                                                {"join rows spilled", "10"},
                                                {"join bytes spilled", "4096"},
                                                {"join chunks read back", "1"}}));
}

}  // namespace
}  // namespace sluice
