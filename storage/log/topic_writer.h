#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "common/status.h"
#include "storage/log/log_options.h"
#include "storage/log/log_record.h"
#include "storage/log/partition_writer.h"

namespace sluice {

// <topic_dir>/<partition>: where a partition of a topic lives.
std::string PartitionDir(const std::string& topic_dir, int32_t partition);

// Appends to any partition of one local-log topic, opening each partition's writer on first use
// (the `Append(partition, records)` face of the log for sinks and INSERT). Not thread-safe: one
// per producing thread; several TopicWriters, in any processes, may share a topic.
class TopicWriter {
 public:
  TopicWriter(std::string topic_dir, int32_t partitions, LogOptions options);

  // REQUIRES: 0 <= partition < partitions(). Returns the offset of the first record.
  Result<int64_t> Append(int32_t partition, std::span<const LogRecord> records);
  // Syncs every partition appended to since the last Sync (see PartitionWriter for the policy).
  Status Sync();

  int32_t partitions() const { return static_cast<int32_t>(writers_.size()); }

 private:
  std::string topic_dir_;
  LogOptions options_;
  std::vector<std::unique_ptr<PartitionWriter>> writers_;  // by partition; null until used
};

}  // namespace sluice
