#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "storage/log/log_options.h"
#include "storage/log/log_record.h"
#include "storage/log/partition_reader.h"
#include "storage/log/partition_writer.h"
#include "storage/log/topic_writer.h"

namespace sluice {

struct TopicInfo {
  std::string name;
  int32_t partitions = 0;
};

// The built-in `local` store: a partitioned, append-only log under one directory (the engine
// passes <data_dir>/log), a small single-node Kafka. Every process (engine, query workers)
// opens its own LocalLogStore on the same directory; coordination happens through the files
// (per-partition flock for writers, atomic renames for topic creation and deletion), so the
// object itself holds no state beyond its root and options.
//
// Layout (details in docs/local-log.md):
//   <root>/topics/<topic>/topic.meta          partition count
//   <root>/topics/<topic>/<partition>/...     segments, indexes, append.lock
//   <root>/staging/                           topics being created or deleted
class LocalLogStore {
 public:
  // Creates `root` and its subdirectories if missing.
  static Result<std::unique_ptr<LocalLogStore>> Open(std::string root, LogOptions options = {});

  // Idempotent when the topic exists with the same partition count; an error otherwise.
  // Safe against concurrent creation of the same topic by other processes.
  Status CreateTopic(std::string_view topic, int32_t partitions);
  Result<bool> TopicExists(std::string_view topic) const;
  Result<TopicInfo> GetTopicInfo(std::string_view topic) const;
  // Sorted by name.
  Result<std::vector<std::string>> ListTopics() const;
  // Open readers and writers keep working on the unlinked files until they close.
  Status DeleteTopic(std::string_view topic);

  // Per partition, the offset the next record will get (the high watermark).
  Result<std::vector<int64_t>> EndOffsets(std::string_view topic) const;

  Result<std::unique_ptr<PartitionWriter>> OpenPartitionWriter(std::string_view topic,
                                                               int32_t partition) const;
  // A writer whose appends stay unpublished until its Publish(), after bringing the partition
  // to `committed_end` (PartitionWriter::OpenStaged).
  Result<std::unique_ptr<PartitionWriter>> OpenStagedPartitionWriter(std::string_view topic,
                                                                     int32_t partition,
                                                                     int64_t committed_end) const;
  Result<std::unique_ptr<TopicWriter>> OpenTopicWriter(std::string_view topic) const;
  // `offset`: kLogEarliest, kLogLatest or an offset up to the partition's end.
  Result<std::unique_ptr<PartitionReader>> OpenReader(std::string_view topic, int32_t partition,
                                                      int64_t offset) const;

  // Copies up to `max_records` records of one partition from `offset` on, stopping at the end
  // the log has now (PRINT TOPIC).
  Result<std::vector<OwnedLogRecord>> ReadRecords(std::string_view topic, int32_t partition,
                                                  int64_t offset, size_t max_records) const;

  // Removes leftovers of topic creations and deletions whose process died half-way (directories
  // under staging/ named after a process that no longer exists). The engine calls it at start.
  Status RemoveAbandonedStaging();

  const std::string& root() const { return root_; }
  const LogOptions& options() const { return options_; }
  std::string TopicDir(std::string_view topic) const;

 private:
  LocalLogStore(std::string root, LogOptions options) : root_(std::move(root)), options_(options) {}

  // Validates the name and the partition number against the topic's metadata.
  Status CheckPartition(std::string_view topic, int32_t partition) const;

  std::string root_;
  LogOptions options_;
};

}  // namespace sluice
