#include "runtime/operator/aggregate_change.h"

#include <string>

namespace sluice {

bool AccumulateChangesResult(const AggregateCall& call, const Column* argument, size_t row,
                             const AggregateAccumulator& acc) {
  if (acc.count == 0 || call.function == AggregateFunction::kCountStar) return true;
  // Every other function skips NULL inputs (Accumulate returns before touching anything).
  if (argument->IsNull(row)) return false;
  if (call.distinct) {
    std::string encoded;
    EncodeCell(*argument, row, encoded);
    return acc.distinct().count(encoded) == 0;
  }
  const bool min = call.function == AggregateFunction::kMin;
  switch (call.function) {
    case AggregateFunction::kMin:
    case AggregateFunction::kMax:
      // The same comparisons Accumulate makes: only a strictly better value replaces the best.
      switch (argument->type().physical()) {
        case PhysicalKind::kInt64: {
          const int64_t value = argument->GetInt64(row);
          return min ? value < acc.best_int : value > acc.best_int;
        }
        case PhysicalKind::kDouble: {
          const double value = argument->GetDouble(row);
          return min ? value < acc.best_double : value > acc.best_double;
        }
        default: {
          const std::string_view value = argument->GetString(row);
          return min ? value < acc.best_string() : value > acc.best_string();
        }
      }
    case AggregateFunction::kEarliestByOffset: return false;  // the first input stays
    default: return true;                                     // COUNT, SUM, AVG, LATEST_BY_OFFSET
  }
}

}  // namespace sluice
