#pragma once
// JOIN of two relations: children()[0] reads the left one, children()[1] the right one. Output
// columns: the left scan's columns, then the right scan's (the binder's batch layout).

#include <memory>
#include <vector>

#include "planner/logical/logical_operator.h"
#include "runtime/plan/physical_join.h"

namespace sluice {

class LogicalJoin final : public LogicalOperator {
 public:
  static constexpr LogicalOperatorKind kKind = LogicalOperatorKind::kJoin;
  explicit LogicalJoin(Schema schema) : LogicalOperator(kKind, std::move(schema)) {}

  JoinStrategy strategy = JoinStrategy::kInterval;
  JoinType type = JoinType::kInner;
  std::vector<std::unique_ptr<Expression>> left_keys;   // over the left scan's columns
  std::vector<std::unique_ptr<Expression>> right_keys;  // over the right scan's columns
  std::unique_ptr<Expression> condition;                // rest of ON, over the output; may be null
  int64_t before_ms = 0;
  int64_t after_ms = 0;
  int64_t allow_latency_ms[2] = {0, 0};
  int64_t idle_timeout_ms[2] = {0, 0};
  std::vector<int> right_key_columns;  // temporal: the changelog's primary key columns
  // Conjuncts of ON and WHERE pushed below the join, per side, over that side's scan columns;
  // may be null (see PhysicalJoin::filters).
  std::unique_ptr<Expression> filters[2];
};

}  // namespace sluice
