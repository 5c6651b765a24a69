// See writer_watermark_aggregate_stage.h.

#include "runtime/pipeline/writer_watermark_aggregate_stage.h"

#include <algorithm>
#include <cstdlib>
#include <limits>

namespace sluice {

int64_t WriterWatermarkAggregateStage::WritersWatermark() const {
  int64_t least = std::numeric_limits<int64_t>::max();
  for (int64_t mark : latest_) {
    if (mark == kNone) return kNone;
    least = std::min(least, mark);
  }
  return least;
}

Status WriterWatermarkAggregateStage::Process(const RecordBatch& input,
                                              const std::vector<RecordMeta>* marks,
                                              RecordBatch& output) {
  if (marks != nullptr) {
    for (const RecordMeta& mark : *marks) {
      const auto writer = static_cast<size_t>(mark.partition);
      if (writer < latest_.size()) latest_[writer] = std::max(latest_[writer], mark.timestamp);
    }
  }
  const int64_t watermark = std::max(watermark_, WritersWatermark());
  RETURN_NOT_OK(aggregate_.ProcessJoined(input, watermark, output));
  watermark_ = watermark;
  return Status::OK();
}

void WriterWatermarkAggregateStage::SaveMetadata(
    std::map<std::string, std::string>& metadata) const {
  metadata["watermark"] = std::to_string(watermark_);
  std::string writers;
  for (size_t writer = 0; writer < latest_.size(); ++writer) {
    if (latest_[writer] == kNone) continue;
    if (!writers.empty()) writers += ',';
    writers += std::to_string(writer) + ":" + std::to_string(latest_[writer]);
  }
  metadata["writer_watermarks"] = writers;
}

void WriterWatermarkAggregateStage::RestoreMetadata(
    const std::map<std::string, std::string>& metadata) {
  auto writers = metadata.find("writer_watermarks");
  if (writers != metadata.end()) {
    const char* text = writers->second.c_str();
    while (*text != '\0') {
      char* end = nullptr;
      const long writer = std::strtol(text, &end, 10);
      if (end == text || *end != ':') break;  // not written by SaveMetadata
      text = end + 1;
      const long long mark = std::strtoll(text, &end, 10);
      if (writer >= 0 && static_cast<size_t>(writer) < latest_.size()) {
        latest_[static_cast<size_t>(writer)] = mark;
      }
      text = *end == ',' ? end + 1 : end;
    }
  }
  auto watermark = metadata.find("watermark");
  if (watermark != metadata.end()) {
    watermark_ = std::strtoll(watermark->second.c_str(), nullptr, 10);
  }
  if (watermark_ == kNone) return;
  // Windows closed before the checkpoint stay closed: nothing is open behind this watermark, so
  // nothing is emitted.
  RecordBatch unused(aggregate_.output_schema());
  Status status = aggregate_.ProcessJoined(RecordBatch(), watermark_, unused);
  (void)status;
}

}  // namespace sluice
