#pragma once
// The physical JOIN of two sources: an interval join of two streams (rows whose keys are equal and
// whose event times lie within a bound of each other) or a temporal join of a stream with a
// changelog (each stream row meets the changelog's row for its key as of the row's event time).
// It is stateful; the pipeline runs it through a JoinStage (runtime/pipeline) that feeds it the
// batches of both sources. Output: the left source's batch columns, then the right's.

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "common/json_writer.h"
#include "runtime/plan/physical_plan.h"

namespace simdjson::dom {
class element;
}

namespace sluice {

enum class JoinStrategy : uint8_t { kInterval, kTemporal };
// Which unmatched rows an outer join keeps (with NULLs for the other side).
enum class JoinType : uint8_t { kInner, kLeft, kRight, kFull };

enum class JoinSide : uint8_t { kLeft = 0, kRight = 1 };

class PhysicalJoin final : public PhysicalOperator {
 public:
  PhysicalJoin() : PhysicalOperator(PhysicalOperatorKind::kJoin) {}
  const Schema& output_schema() const override { return schema; }

  bool keeps_unmatched(JoinSide side) const {
    if (side == JoinSide::kLeft) return type == JoinType::kLeft || type == JoinType::kFull;
    return type == JoinType::kRight || type == JoinType::kFull;
  }

  JoinStrategy strategy = JoinStrategy::kInterval;
  JoinType type = JoinType::kInner;
  // Equi-join keys, pairwise of the same type: left_keys over the left source's batch,
  // right_keys over the right source's batch.
  std::vector<std::unique_ptr<Expression>> left_keys;
  std::vector<std::unique_ptr<Expression>> right_keys;
  // The rest of ON, over the output columns; null when ON is only key equalities. Evaluated
  // inside the join so that an outer row means "no partner passed all of ON".
  std::unique_ptr<Expression> condition;
  // Conjuncts of ON and WHERE pushed below the join, per side (filters[0] left, filters[1]
  // right), over that side's source batch; null when none. The JoinStage applies them to each
  // batch after the side's watermark has seen every row: a stream row that fails is dropped
  // (never buffered or probed); a changelog row that fails becomes a delete of its key, so an
  // older version that passes cannot stand in for it.
  std::unique_ptr<Expression> filters[2];
  // Interval join: a left row at time t matches right rows with time in
  // [t - before_ms, t + after_ms].
  int64_t before_ms = 0;
  int64_t after_ms = 0;
  size_t left_width = 0;  // output columns that come from the left source
  // Per side ('source.allow.latency.millis', 'source.idle.timeout.millis' of each relation).
  int64_t allow_latency_ms[2] = {0, 0};
  int64_t idle_timeout_ms[2] = {0, 0};
  Schema schema;
};

std::string_view JoinTypeName(JoinType type);

void WriteJoinJson(JsonWriter& writer, const PhysicalJoin& join);
Result<std::unique_ptr<PhysicalJoin>> ReadJoinJson(simdjson::dom::element op, Schema schema);

}  // namespace sluice
