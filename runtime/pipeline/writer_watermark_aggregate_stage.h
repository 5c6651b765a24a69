#pragma once
// Stage 3 of a GROUP BY over a join with 'parallelism'=N (runtime/plan/repartition_plan.h): the
// aggregate fed by the join's N stage-2 workers through the grouped repartition topic. Its
// watermark is not tracked from rows (a join's match may come out far ahead of what the join
// guarantees) but from the writers' marks: each names its stage-2 writer and carries the event
// time that writer guarantees for its later rows. Windows close at the least of the N writers'
// latest marks, and only once every writer has sent one.
//
// Rows are aggregated before the marks read with them move the watermark: every row a writer
// sent is at or after each of its marks read before it, so no row is late here.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "runtime/pipeline/checkpointed_stage.h"
#include "runtime/pipeline/stateful_stage.h"

namespace sluice {

class WriterWatermarkAggregateStage final : public CheckpointedStage {
 public:
  // REQUIRES: `aggregate` outlives this stage; `writers` > 0.
  WriterWatermarkAggregateStage(StatefulStage& aggregate, int32_t writers)
      : aggregate_(aggregate), latest_(static_cast<size_t>(writers), kNone) {}

  // Aggregates `input` into `output`, then advances to the watermark the `marks` (RecordMeta
  // with partition = writer, timestamp = its watermark; may be null) bring.
  Status Process(const RecordBatch& input, const std::vector<RecordMeta>* marks,
                 RecordBatch& output);

  Status AttachState(StateStore& store) override { return aggregate_.AttachState(store); }
  Status PrepareCheckpoint() override { return aggregate_.PrepareCheckpoint(); }
  // "writer_watermarks": each writer's latest mark, restored so a stage-3 worker restarted alone
  // (its writers kept running and send no mark again until their watermark moves) still has
  // them; "watermark": the watermark closed to.
  void SaveMetadata(std::map<std::string, std::string>& metadata) const override;
  void RestoreMetadata(const std::map<std::string, std::string>& metadata) override;

  int64_t watermark() const { return watermark_; }

 private:
  static constexpr int64_t kNone = WatermarkTracker::kNoWatermark;
  // The least of the writers' latest marks, kNone while a writer has sent none.
  int64_t WritersWatermark() const;

  StatefulStage& aggregate_;
  std::vector<int64_t> latest_;  // per writer: its latest mark (kNone: none yet)
  int64_t watermark_ = kNone;
};

}  // namespace sluice
