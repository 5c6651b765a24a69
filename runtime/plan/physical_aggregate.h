#pragma once
// The physical GROUP BY: windowed (TUMBLE, HOP, SESSION) or not. Unlike filter and project it is
// stateful; the pipeline runs it through a WindowAggregateOperator (runtime/operator) that holds
// the groups. Output: [window_start, window_end] when windowed, the group keys, one column per
// aggregate call.

#include <memory>
#include <string>
#include <vector>

#include "common/json_writer.h"
#include "runtime/plan/aggregate_spec.h"
#include "runtime/plan/physical_plan.h"

namespace simdjson::dom {
class element;
}

namespace sluice {

class PhysicalAggregate final : public PhysicalOperator {
 public:
  PhysicalAggregate() : PhysicalOperator(PhysicalOperatorKind::kAggregate) {}
  const Schema& output_schema() const override { return schema; }

  WindowSpec window;
  std::vector<std::unique_ptr<Expression>> keys;  // over the input batch
  std::vector<AggregateCall> aggregates;
  // HAVING over the output columns; null when none. Non-windowed, a group that stops passing it
  // is retracted with a tombstone.
  std::unique_ptr<Expression> having;
  // EMIT CHANGES: a row per update. Always true for a non-windowed GROUP BY (a changelog).
  bool emit_changes = false;
  // Watermark = max event time per partition - allow_latency_ms; a partition silent for
  // idle_timeout_ms (0 = never idle) stops holding the watermark back.
  int64_t allow_latency_ms = 0;
  int64_t idle_timeout_ms = 0;
  Schema schema;
  // Non-empty when the input is a changelog (upserts and tombstones by primary key): the input
  // batch columns of that key. The operator then retracts a key's previous row before adding its
  // new one (ChangelogAggregateOperator).
  std::vector<int> changelog_key;
  // The query's WHERE over a changelog input, applied by the operator rather than before it: a
  // row that stops matching must still retract the key's previous row. May be null.
  std::unique_ptr<Expression> changelog_filter;

  size_t num_window_columns() const { return window.type == WindowType::kNone ? 0 : 2; }
};

void WriteAggregateJson(JsonWriter& writer, const PhysicalAggregate& aggregate);
Result<std::unique_ptr<PhysicalAggregate>> ReadAggregateJson(simdjson::dom::element op,
                                                             Schema schema);

}  // namespace sluice
