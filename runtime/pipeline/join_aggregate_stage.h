#pragma once
// The stateful part of a pipeline that aggregates a join's output (GROUP BY over a JOIN): the
// JoinStage feeding a StatefulStage, checkpointed as one stage. Both keep their tables in the
// query's one StateStore ("join" and "aggregate"), so a checkpoint captures both at the same
// point of the input, with both sources' positions.
//
// The aggregate's watermark is the join's, held back for an outer interval join by its widest
// bound: an unmatched row comes out with its own (older) time once the join's watermark has
// passed its interval, and must still find its window open.

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "runtime/pipeline/checkpointed_stage.h"
#include "runtime/pipeline/join_stage.h"
#include "runtime/pipeline/stateful_stage.h"

namespace sluice {

// The event time an aggregate of `join`'s output may close windows at, given the join's
// watermark: held back by an outer interval join's widest bound (kNoWatermark: none yet).
int64_t AggregateWatermarkOfJoin(const PhysicalJoin& join, int64_t join_watermark);

class JoinAggregateStage final : public CheckpointedStage {
 public:
  // REQUIRES: both stages outlive this one; `join` is the plan's operators[0].
  JoinAggregateStage(const PhysicalJoin& join, JoinStage& join_stage, StatefulStage& aggregate);

  // Aggregates `input` (rows of the join's output, after the operators between the two stages)
  // into `output`, then advances the aggregate to the join's watermark.
  Status Process(const RecordBatch& input, RecordBatch& output);
  // Both inputs ended: every window closes.
  Status Finish(RecordBatch& output) { return aggregate_.Finish(output); }

  Status AttachState(StateStore& store) override;
  Status PrepareCheckpoint() override;
  // The join's watermarks, and the aggregate's as "aggregate.watermark".
  void SaveMetadata(std::map<std::string, std::string>& metadata) const override;
  void RestoreMetadata(const std::map<std::string, std::string>& metadata) override;
  std::vector<std::pair<std::string, Source*>> extra_sources() override {
    return join_stage_.extra_sources();
  }
  size_t unsaved_bytes() const override { return join_stage_.unsaved_bytes(); }
  int64_t late_records() const override {
    return join_stage_.late_records() + aggregate_.late_records();
  }
  void AddStateCounters(StateCounters& counters) const override {
    join_stage_.AddStateCounters(counters);
    aggregate_.AddStateCounters(counters);
  }

 private:
  const PhysicalJoin& join_;
  JoinStage& join_stage_;
  StatefulStage& aggregate_;
  int64_t aggregate_watermark_ = WatermarkTracker::kNoWatermark;
};

}  // namespace sluice
