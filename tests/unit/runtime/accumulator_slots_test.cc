// AccumulatorSlots: a window group's accumulators inline (one or two calls) or on the heap (more),
// with copies deep and moves leaving the source empty either way.

#include "runtime/operator/accumulator_slots.h"

#include <gtest/gtest.h>

#include <utility>

namespace sluice {
namespace {

void Fill(AccumulatorSlots& slots) {
  for (size_t idx = 0; idx < slots.size(); ++idx) {
    slots[idx].count = static_cast<int64_t>(idx) + 1;
    slots[idx].best_int = -static_cast<int64_t>(idx);
    slots[idx].mutable_extra().best_string = "s" + std::to_string(idx);
  }
}

void ExpectFilled(const AccumulatorSlots& slots, size_t size) {
  ASSERT_EQ(slots.size(), size);
  size_t idx = 0;
  for (const AggregateAccumulator& acc : slots) {
    EXPECT_EQ(acc.count, static_cast<int64_t>(idx) + 1);
    EXPECT_EQ(acc.best_int, -static_cast<int64_t>(idx));
    EXPECT_EQ(acc.best_string(), "s" + std::to_string(idx));
    ++idx;
  }
}

TEST(AccumulatorSlotsTest, HoldsOneOrTwoCallsInline) {
  // The point: a two-call group needs no allocation and no vector header.
  EXPECT_LE(sizeof(AccumulatorSlots), AccumulatorSlots::kInline * sizeof(AggregateAccumulator) + 8);
  // A sum and a best share their bytes: count, two of them and the Extra pointer.
  EXPECT_EQ(sizeof(AggregateAccumulator), 32u);
  for (size_t size : {0, 1, 2}) {
    AccumulatorSlots slots(size);
    EXPECT_TRUE(slots.is_inline());
    // Inline, right after the size: a window group's first cache line holds both.
    EXPECT_EQ(reinterpret_cast<const char*>(slots.data()),
              reinterpret_cast<const char*>(&slots) + 8);
    for (const AggregateAccumulator& acc : slots) EXPECT_EQ(acc.count, 0);
  }
  AccumulatorSlots three(3);
  EXPECT_FALSE(three.is_inline());
}

TEST(AccumulatorSlotsTest, CopiesDeeplyAndMovesOutInlineOrHeap) {
  for (size_t size : {1, 2, 3, 5}) {
    AccumulatorSlots slots(size);
    Fill(slots);
    AccumulatorSlots copy(slots);
    ExpectFilled(copy, size);
    copy[0].mutable_extra().best_string = "changed";
    EXPECT_EQ(slots[0].best_string(), "s0");  // the Extra was copied, not shared

    AccumulatorSlots moved(std::move(slots));
    ExpectFilled(moved, size);
    EXPECT_TRUE(slots.empty());  // NOLINT(bugprone-use-after-move): moved-from is empty

    AccumulatorSlots assigned(4);
    assigned = std::move(moved);
    ExpectFilled(assigned, size);
    AccumulatorSlots copied(1);
    copied = assigned;
    ExpectFilled(copied, size);

    // assign() starts over with fresh accumulators, switching storage as needed.
    copied.assign(size == 1 ? 4 : 1);
    for (const AggregateAccumulator& acc : copied) EXPECT_EQ(acc.count, 0);
    for (const AggregateAccumulator& acc : copied) EXPECT_EQ(acc.extra, nullptr);
  }
}

TEST(AccumulatorSlotsTest, LatestKeepsItsSequenceInTheExtra) {
  // best_sequence lives with best_value (only LATEST/EARLIEST use either), so merging still picks
  // by arrival order.
  AggregateCall latest;
  latest.function = AggregateFunction::kLatestByOffset;
  latest.type = DataType::Bigint();
  AggregateCall earliest;
  earliest.type = DataType::Bigint();
  earliest.function = AggregateFunction::kEarliestByOffset;
  Column values(DataType::Bigint());
  values.AppendInt64(10);
  values.AppendInt64(20);
  AggregateAccumulator first_latest;
  AggregateAccumulator second_latest;
  Accumulate(latest, &values, 0, 1, first_latest);
  Accumulate(latest, &values, 1, 2, second_latest);
  EXPECT_EQ(second_latest.best_sequence(), 2);
  MergeAccumulator(latest, second_latest, first_latest);
  EXPECT_EQ(first_latest.best_value(), Value::Bigint(20));
  EXPECT_EQ(first_latest.best_sequence(), 2);

  AggregateAccumulator first_earliest;
  AggregateAccumulator second_earliest;
  Accumulate(earliest, &values, 0, 1, first_earliest);
  Accumulate(earliest, &values, 1, 2, first_earliest);  // ignored: not the first
  Accumulate(earliest, &values, 1, 2, second_earliest);
  MergeAccumulator(earliest, first_earliest, second_earliest);
  EXPECT_EQ(second_earliest.best_value(), Value::Bigint(10));
  EXPECT_EQ(second_earliest.best_sequence(), 1);
  EXPECT_EQ(AggregateAccumulator().best_sequence(), 0);
}

}  // namespace
}  // namespace sluice
