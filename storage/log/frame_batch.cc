#include "storage/log/frame_batch.h"

#include <string>

#include "storage/log/record_format.h"

namespace sluice {

void FrameBatch::Clear() {
  bytes_.Clear();
  starts_.resize(1);
}

Status FrameBatch::TooLarge() const {
  return Status::Storage(
      "record " + std::to_string(size()) + " of the batch is too large for the local log (limit " +
      std::to_string(kMaxFrameBodyBytes >> 20) + " MiB of key, value and headers, 65535 headers)");
}

Status FrameBatch::Add(const LogRecord& record) {
  const size_t frame_bytes = EncodedFrameSize(record);
  if (frame_bytes == 0) return TooLarge();
  EncodeFrame(record, bytes_.Reserve(frame_bytes));
  bytes_.Commit(bytes_.data() + bytes_.size() + frame_bytes);
  starts_.push_back(bytes_.size());
  return Status::OK();
}

EncodeBuffer& FrameBatch::BeginFrame(int64_t timestamp, std::string_view key, bool has_key) {
  LogRecord record;
  if (has_key) record.key = key;
  record.value = std::string_view();
  record.timestamp = timestamp;
  const size_t head_bytes = FrameValueAt(record);
  char* frame = bytes_.Reserve(head_bytes);
  EncodeFrameHead(record, frame);
  bytes_.Commit(frame + head_bytes);
  value_at_ = bytes_.size();
  return bytes_;
}

Status FrameBatch::FinishValue() {
  const size_t frame_start = starts_.back();
  const size_t body_bytes = bytes_.size() - frame_start - kFramePrefixBytes;
  if (body_bytes > kMaxFrameBodyBytes) {
    bytes_.Truncate(frame_start);
    return TooLarge();
  }
  SetFrameValueSize(bytes_.data() + frame_start, bytes_.size() - value_at_);
  starts_.push_back(bytes_.size());
  return Status::OK();
}

}  // namespace sluice
