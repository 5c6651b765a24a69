#pragma once
// Whether adding one input to an aggregate can change the aggregate's value. A GROUP BY without a
// window emits its group's row after each record; a record that leaves the row as it was (a bid
// below the current MAX) would only repeat it, so the operator skips that update (as Flink's
// group aggregate does). The answer errs towards "changed": false only when the value surely
// stays the same.

#include <cstddef>

#include "common/batch.h"
#include "runtime/operator/aggregate_accumulator.h"
#include "runtime/plan/aggregate_spec.h"

namespace sluice {

// True unless Accumulate(call, argument, row, ...) would leave AppendResult(call, accumulator)
// as it is. Call before Accumulate. An accumulator that has counted nothing yet always answers
// true, so a new group's first row is emitted.
bool AccumulateChangesResult(const AggregateCall& call, const Column* argument, size_t row,
                             const AggregateAccumulator& accumulator);

}  // namespace sluice
