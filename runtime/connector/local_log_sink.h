#pragma once
// Writing rows to a topic of the local log as JSON records: used by persistent queries' sinks and
// by INSERT INTO ... VALUES, so both partition and encode alike. A record's key is its key
// columns (one column: its text, like Kafka's primitive keys; several: a JSON object); keyed
// records go to the key's partition, keyless ones stay in the partition given in their meta.

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/batch.h"
#include "common/json_codec.h"
#include "runtime/connector/source.h"
#include "runtime/plan/physical_plan.h"
#include "storage/log/frame_batch.h"
#include "storage/log/local_log_store.h"

namespace sluice {

// The open writers of one topic, by partition.
class LocalLogWriterCache {
 public:
  explicit LocalLogWriterCache(LocalLogStore& store) : store_(store) {}
  Result<PartitionWriter*> Get(const std::string& topic, int32_t partition);
  // Opens every partition of `topic` as a staged writer, recovered to `committed_ends` (end
  // offset per partition; missing entries: no commit yet).
  Status OpenStaged(const std::string& topic, int32_t partitions,
                    const std::vector<int64_t>& committed_ends) {
    return OpenStagedRange(topic, 0, partitions, committed_ends);
  }
  // The same for partitions [begin, end) only (a writer that owns part of a topic).
  Status OpenStagedRange(const std::string& topic, int32_t begin, int32_t end,
                         const std::vector<int64_t>& committed_ends);
  // fsyncs every writer opened so far.
  Status SyncAll();
  // Publishes every writer's staged appends.
  Status PublishAll();
  // End offset per partition of `topic` as its open writers know it (-1: not open).
  std::vector<int64_t> EndOffsets(const std::string& topic, int32_t partitions) const;

 private:
  LocalLogStore& store_;
  std::map<std::pair<std::string, int32_t>, std::unique_ptr<PartitionWriter>> writers_;
};

// Appends the record key of `row` to `out`: one key column as its text (Kafka's primitive keys),
// several as a JSON object; nothing for a NULL single key. Shared with the Kafka sink.
void EncodeRecordKey(const RecordBatch& batch, size_t row, const std::vector<int>& key_columns,
                     std::string& out);

// Buffers AppendRowsToTopic reuses from batch to batch: a sink appends every batch through the
// same one, so encoding does not reallocate (and fault in fresh pages) per batch.
struct TopicAppendScratch {
  std::string key;                       // the current row's record key
  std::vector<FrameBatch> by_partition;  // the batch's frames, values encoded in place
};

// Encodes and appends every row of `batch` (whose columns are the topic's relation columns);
// the record timestamp is the row's meta timestamp. Returns the number of records appended.
Result<int64_t> AppendRowsToTopic(LocalLogWriterCache& writers, const std::string& topic,
                                  int32_t partitions, const JsonRecordEncoder& encoder,
                                  const RecordBatch& batch, const std::vector<int>& key_columns,
                                  TopicAppendScratch& scratch);

// Set (to "true") in a SinkSpec's properties by a worker of a query with 'parallelism' > 1: its
// siblings append to the same partitions. Such a sink does not stage: a writer's recovery cuts
// every unpublished frame past the head, a sibling's included, so staging would lose a
// sibling's output (docs/checkpoints.md, several writers). Its output is at-least-once.
inline constexpr const char* kSharedLocalSinkProperty = "local.shared_by_workers";

// The sink of a persistent query writing to a local topic.
class LocalLogSink final : public Sink {
 public:
  static Result<std::unique_ptr<LocalLogSink>> Open(const SinkSpec& spec,
                                                    const std::string& log_dir);
  Status Write(const RecordBatch& batch) override;
  Status Flush() override;
  int64_t records_out() const override { return records_out_; }
  Result<bool> BeginStaging(const SinkPositions& committed) override;
  SinkPositions staged_positions() const override;
  Status Publish() override { return writers_.PublishAll(); }
  Status Sync() override { return writers_.SyncAll(); }

 private:
  LocalLogSink(SinkSpec spec, std::unique_ptr<LocalLogStore> store);

  SinkSpec spec_;
  std::unique_ptr<LocalLogStore> store_;
  JsonRecordEncoder encoder_;
  LocalLogWriterCache writers_;
  TopicAppendScratch scratch_;
  int64_t records_out_ = 0;
};

// Counts and drops rows (benchmarks measure the query, not the sink).
class DiscardSink final : public Sink {
 public:
  Status Write(const RecordBatch& batch) override {
    records_out_ += static_cast<int64_t>(batch.num_rows());
    return Status::OK();
  }
  Status Flush() override { return Status::OK(); }
  int64_t records_out() const override { return records_out_; }

 private:
  int64_t records_out_ = 0;
};

}  // namespace sluice
