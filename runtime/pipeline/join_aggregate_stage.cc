#include "runtime/pipeline/join_aggregate_stage.h"

#include <algorithm>
#include <cstdlib>
#include <limits>

namespace sluice {

int64_t AggregateWatermarkOfJoin(const PhysicalJoin& join, int64_t join_watermark) {
  // A temporal join emits a stream row's outer row at once, with its own time; an interval join
  // emits it when the watermark passes the row's time plus its reach (see interval_join.h).
  int64_t hold_back_ms = 0;
  if (join.strategy == JoinStrategy::kInterval && join.type != JoinType::kInner) {
    hold_back_ms = std::max(join.before_ms, join.after_ms) + 1;
  }
  if (join_watermark == WatermarkTracker::kNoWatermark) return join_watermark;
  if (join_watermark == std::numeric_limits<int64_t>::max()) return join_watermark;
  if (join_watermark < std::numeric_limits<int64_t>::min() + hold_back_ms) {
    return WatermarkTracker::kNoWatermark;
  }
  return join_watermark - hold_back_ms;
}

JoinAggregateStage::JoinAggregateStage(const PhysicalJoin& join, JoinStage& join_stage,
                                       StatefulStage& aggregate)
    : join_(join), join_stage_(join_stage), aggregate_(aggregate) {}

Status JoinAggregateStage::Process(const RecordBatch& input, RecordBatch& output) {
  // The join emitted these rows at or after the watermark the aggregate holds (a match carries
  // the later of its rows' times, an outer row is held back for), so none is late here.
  const int64_t watermark = AggregateWatermarkOfJoin(join_, join_stage_.watermark());
  RETURN_NOT_OK(aggregate_.ProcessJoined(input, watermark, output));
  aggregate_watermark_ = std::max(aggregate_watermark_, watermark);
  return Status::OK();
}

Status JoinAggregateStage::AttachState(StateStore& store) {
  RETURN_NOT_OK(join_stage_.AttachState(store));
  return aggregate_.AttachState(store);
}

Status JoinAggregateStage::PrepareCheckpoint() {
  RETURN_NOT_OK(join_stage_.PrepareCheckpoint());
  return aggregate_.PrepareCheckpoint();
}

void JoinAggregateStage::SaveMetadata(std::map<std::string, std::string>& metadata) const {
  join_stage_.SaveMetadata(metadata);
  metadata["aggregate.watermark"] = std::to_string(aggregate_watermark_);
}

void JoinAggregateStage::RestoreMetadata(const std::map<std::string, std::string>& metadata) {
  join_stage_.RestoreMetadata(metadata);
  auto found = metadata.find("aggregate.watermark");
  if (found == metadata.end()) return;
  aggregate_watermark_ = std::strtoll(found->second.c_str(), nullptr, 10);
  if (aggregate_watermark_ == WatermarkTracker::kNoWatermark) return;
  // Windows closed before the checkpoint stay closed: a replayed row behind them is late, not
  // a second result. Nothing is open behind this watermark, so nothing is emitted.
  RecordBatch unused(aggregate_.output_schema());
  Status status = aggregate_.ProcessJoined(RecordBatch(), aggregate_watermark_, unused);
  (void)status;
}

}  // namespace sluice
