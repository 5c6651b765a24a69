#pragma once
// Reads a relation's Kafka topic: the query assigns itself every partition (no group
// rebalancing), or with 'parallelism' N its worker's share of them (SourceSpec::OwnsPartition),
// starts at the earliest or latest offset, and tracks its own position per partition, so
// checkpoints and FLUSH work as on the local log. JSON values decode into the query's columns; bad
// records follow 'source.deserialization.error.handling'.
//
// Fault policy: librdkafka reconnects with back-off on its own; when no broker has answered for
// the store's 'unavailable.timeout.ms' (default 30 s), or authentication fails, Poll returns a
// CONNECTOR error and the query is marked FAILED with that reason (RESTART QUERY resumes it from
// its saved positions).

#include <memory>
#include <string>
#include <vector>

#include "common/json_codec.h"
#include "runtime/connector/kafka/kafka_client.h"
#include "runtime/connector/local_log_sink.h"
#include "runtime/connector/row_metadata_writer.h"
#include "runtime/connector/source.h"
#include "runtime/connector/tombstone_decoder.h"
#include "runtime/plan/physical_plan.h"

namespace sluice {

// The position (and end offset) a worker reports for a partition another worker reads: below
// every real offset, so the engine's merge of the workers' positions (the maximum) ignores it.
inline constexpr int64_t kForeignPartition = -1;

class KafkaSource final : public Source {
 public:
  // `data_dir` holds the local log, where IGNORE_AND_LOG copies bad records.
  static Result<std::unique_ptr<KafkaSource>> Open(const SourceSpec& spec,
                                                   const std::string& data_dir);
  ~KafkaSource() override;

  Status Poll(size_t max_rows, RecordBatch& batch) override;
  void WaitForData(int timeout_ms) override;
  std::vector<int64_t> positions() const override { return positions_; }
  std::vector<int64_t> end_offsets() const override { return end_offsets_; }
  Status Seek(const std::vector<int64_t>& positions) override;
  // 'ending.position'='latest': every partition this worker reads is read to its fixed end.
  bool exhausted() const override;
  const std::string& topic() const override { return spec_.topic; }
  const SourceStats& stats() const override { return stats_; }
  // Every partition it owns reached its end (librdkafka's partition EOF) at least once.
  bool caught_up() const override { return partitions_at_end_ == owned_partitions_; }
  // Below the high watermarks as of Open (Seek: as of the worker's start, resuming); a
  // partition's end event clears it too (control records may end the partition).
  const std::vector<uint8_t>* unread_at_start() const override { return &unread_; }

 private:
  explicit KafkaSource(SourceSpec spec);
  // Assigns every partition this worker owns at positions_; sets assigned_.
  Status Assign();
  // Sets unread_ from positions_ and start_ends_; UpdateUnread clears what was read since.
  void FindUnread();
  void UpdateUnread();
  // Sets the position and end of the partitions other workers own to kForeignPartition: they
  // are never assigned, saved, nor committed by this worker.
  void MaskForeignPartitions();
  // 'ending.position'='latest': true when `message` lies at or past its partition's fixed end
  // (a record, or the end-of-partition event); the partition is then read to the end (records
  // before it are all consumed, control records included) and paused.
  bool AtFixedEnd(const rd_kafka_message_t& message);
  // Decodes one message into `batch` (or applies the bad record policy).
  Status Consume(const rd_kafka_message_t& message, RecordBatch& batch);
  // Sets every partition's position to its first record stamped at or after `timestamp_ms`.
  Status SeekToTime(int64_t timestamp_ms);
  Status HandleBadRecord(const rd_kafka_message_t& message, const Status& error);
  // Fills the row functions' hidden columns for the row just decoded from `message`.
  void AppendMetadata(const rd_kafka_message_t& message, RecordBatch& batch);
  // Refreshes end_offsets_ (from librdkafka's cache) at most every few hundred ms, and probes
  // the brokers once a second.
  void RefreshEndOffsets();
  // The error that ends the query when the brokers stay away or reject us, else OK.
  Status CheckHealth();

  SourceSpec spec_;
  KafkaErrorState errors_;  // before consumer_: librdkafka writes into it until destroyed
  KafkaHandle consumer_;
  JsonRecordDecoder decoder_;
  RowMetadataWriter metadata_;
  std::vector<LogHeader> headers_;  // scratch for ROWMETA()
  int timestamp_batch_column_ = -1;
  std::unique_ptr<TombstoneDecoder> tombstones_;  // spec_.emit_deletes only
  int unavailable_timeout_ms_ = kDefaultUnavailableTimeoutMs;
  std::vector<int64_t> positions_;    // next offset per partition (kForeignPartition: not ours)
  std::vector<int64_t> end_offsets_;  // high watermark per partition, as of the last refresh
  // 'ending.position'='latest': where each partition's read stops (the spec's pinned ends, or
  // the ends when the source opened: high watermarks, last stable offsets under read_committed).
  std::vector<int64_t> stop_offsets_;
  // The high watermarks when the source opened (capped by stop_offsets_), and per partition
  // whether records below them are still unread (unread_at_start), with their count.
  std::vector<int64_t> start_ends_;
  std::vector<uint8_t> unread_;
  size_t unread_count_ = 0;
  // Exactly-once queries: the offsets the last committed transaction recorded (-1: none), which
  // win over positions saved apart from the transaction.
  std::vector<int64_t> committed_;
  int64_t last_refresh_ms_ = 0;
  int64_t last_probe_ms_ = 0;
  int64_t last_contact_ms_ = 0;  // steady ms of the last answer from a broker
  int missing_probes_ = 0;       // consecutive probes whose metadata lacked the topic
  bool assigned_ = false;        // partitions assigned at positions_ (at the first Poll)
  // caught_up(): per partition, whether it reached its end since Open; how many did, of ours.
  std::vector<uint8_t> at_end_;
  size_t partitions_at_end_ = 0;
  size_t owned_partitions_ = 0;
  // A message WaitForData received; Poll hands it out first.
  rd_kafka_message_t* pending_ = nullptr;
  SourceStats stats_;
  std::unique_ptr<LocalLogStore> error_store_;          // IGNORE_AND_LOG only
  std::unique_ptr<LocalLogWriterCache> error_writers_;  // IGNORE_AND_LOG only
};

}  // namespace sluice
