#pragma once
// GROUP BY [window]: groups its input by key expressions (and by event-time window when
// windowed) and computes aggregate calls. Output columns: window_start and window_end when
// windowed, then the keys, then one column per call; HAVING is bound over these.

#include <memory>
#include <vector>

#include "planner/logical/logical_operator.h"
#include "runtime/plan/aggregate_spec.h"

namespace sluice {

class LogicalAggregate final : public LogicalOperator {
 public:
  static constexpr LogicalOperatorKind kKind = LogicalOperatorKind::kAggregate;
  explicit LogicalAggregate(Schema schema) : LogicalOperator(kKind, std::move(schema)) {}

  WindowSpec window;
  std::vector<std::unique_ptr<Expression>> keys;
  std::vector<AggregateCall> aggregates;
  std::unique_ptr<Expression> having;  // may be null
  bool emit_changes = false;
  int64_t allow_latency_ms = 0;
  int64_t idle_timeout_ms = 0;
  // Over a changelog: the input columns of its primary key and the WHERE the operator applies
  // (see PhysicalAggregate).
  std::vector<int> changelog_key;
  std::unique_ptr<Expression> changelog_filter;
};

}  // namespace sluice
