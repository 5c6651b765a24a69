#pragma once
// The running value of one aggregate call for one group whose input rows can also be taken back
// (a GROUP BY over a changelog: an update retracts the key's previous row). Inputs arrive as
// encoded cells (EncodeCell), the form in which the previous row of a key is kept. COUNT, SUM and
// AVG retract arithmetically; MIN, MAX and COUNT(DISTINCT) keep a multiset of the values (count
// per value, ordered as the values are, since the encoding preserves order), so retracting the
// maximum falls back to the next one. LATEST/EARLIEST_BY_OFFSET cannot retract (the binder
// refuses them over a changelog).

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "common/batch.h"
#include "runtime/plan/aggregate_spec.h"

namespace sluice {

struct RetractableAccumulator {
  int64_t count = 0;  // rows (COUNT(*)) or non-NULL inputs (others) currently in the group
  int64_t int_sum = 0;
  double double_sum = 0;
  // MIN, MAX, COUNT(DISTINCT): encoded value -> how many of the group's rows hold it.
  // Transparent comparison: a value is looked up by its cell without copying it.
  std::map<std::string, int64_t, std::less<>> values;
};

// Adds (`sign` = +1) or retracts (`sign` = -1) one input: `cell` is the argument's encoded cell
// (ignored for COUNT(*)); `kind` is the argument's physical kind.
void ApplyCell(const AggregateCall& call, PhysicalKind kind, std::string_view cell, int sign,
               RetractableAccumulator& accumulator);
// The aggregate's current value, appended to `out` (a column of call.type).
void AppendRetractableResult(const AggregateCall& call, const RetractableAccumulator& accumulator,
                             Column& out);
// Appends the cell EncodeCell wrote for a value of physical kind `kind` (INT64, DOUBLE or
// STRING) to `out`, a column of that kind.
void AppendDecodedCell(std::string_view cell, Column& out);

}  // namespace sluice
