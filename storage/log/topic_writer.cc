#include "storage/log/topic_writer.h"

namespace sluice {

std::string PartitionDir(const std::string& topic_dir, int32_t partition) {
  return topic_dir + "/" + std::to_string(partition);
}

TopicWriter::TopicWriter(std::string topic_dir, int32_t partitions, LogOptions options)
    : topic_dir_(std::move(topic_dir)), options_(options) {
  writers_.resize(static_cast<size_t>(partitions));
}

Result<int64_t> TopicWriter::Append(int32_t partition, std::span<const LogRecord> records) {
  if (partition < 0 || partition >= partitions()) {
    return Status::Storage("partition " + std::to_string(partition) + " does not exist in " +
                           topic_dir_ + " (it has " + std::to_string(partitions()) +
                           " partitions)");
  }
  std::unique_ptr<PartitionWriter>& writer = writers_[static_cast<size_t>(partition)];
  if (!writer) {
    ASSIGN_OR_RETURN(writer, PartitionWriter::Open(PartitionDir(topic_dir_, partition), options_));
  }
  return writer->Append(records);
}

Status TopicWriter::Sync() {
  for (std::unique_ptr<PartitionWriter>& writer : writers_) {
    if (writer) RETURN_NOT_OK(writer->Sync());
  }
  return Status::OK();
}

}  // namespace sluice
