#pragma once
// Reads a relation's topic from the local log: every partition, from the earliest or the latest
// offset, decoding only the columns the query needs. Bad records follow the source's error
// handling: fail naming topic/partition/offset, skip and count, or skip, count and copy the raw
// record to the error topic.

#include <memory>
#include <string>
#include <vector>

#include "common/json_codec.h"
#include "runtime/connector/local_log_sink.h"
#include "runtime/connector/row_metadata_writer.h"
#include "runtime/connector/source.h"
#include "runtime/connector/tombstone_decoder.h"
#include "runtime/plan/physical_plan.h"
#include "storage/log/local_log_store.h"

namespace sluice {

class LocalLogSource final : public Source {
 public:
  static Result<std::unique_ptr<LocalLogSource>> Open(const SourceSpec& spec,
                                                      const std::string& log_dir);

  Status Poll(size_t max_rows, RecordBatch& batch) override;
  void WaitForData(int timeout_ms) override;
  std::vector<int64_t> positions() const override;
  Status Seek(const std::vector<int64_t>& positions) override;
  std::vector<int64_t> end_offsets() const override { return end_offsets_; }
  // 'ending.position'='latest': true once every partition it reads is read to its fixed end (a
  // repartition topic: to its writer's end mark).
  bool exhausted() const override;
  const std::string& topic() const override { return spec_.topic; }
  const SourceStats& stats() const override { return stats_; }
  const std::vector<RecordMeta>* read_meta() const override {
    return spec_.repartitioned ? &read_meta_ : nullptr;
  }
  const std::vector<uint8_t>* unread_at_start() const override {
    return spec_.repartitioned ? nullptr : &unread_;
  }
  const std::vector<int32_t>* caught_up_writers() const override {
    return spec_.repartitioned ? &caught_up_writers_ : nullptr;
  }
  const std::vector<int32_t>* restarted_writers() const override {
    return spec_.repartitioned ? &restarted_writers_ : nullptr;
  }

 private:
  LocalLogSource(SourceSpec spec, std::unique_ptr<LocalLogStore> store);
  // Decodes records_ (read from `partition`) into `batch`.
  Status ReadRecords(size_t partition, RecordBatch& batch);
  // Gives the batch's meta, keys and columns room for `rows` rows (once per poll that reads many).
  static void ReserveRows(RecordBatch& batch, size_t rows);
  // Sets unread_ from the readers' positions and start_ends_.
  void FindUnread();
  // Appends to read_meta_ what a stage-1 writer's start mark says (repartition_sink.h): its
  // held source partitions, then that it started.
  void ReadStartMark(const LogRecordView& record, int32_t writer);
  // Notes a writer's caught-up (or end) mark, or with !caught_up its start mark, in
  // caught_up_writers_ / restarted_writers_.
  void NoteWriterMark(int32_t writer, bool caught_up);
  // Applies the error policy to a record that failed to decode.
  Status HandleBadRecord(int32_t partition, const LogRecordView& record, const Status& error);

  SourceSpec spec_;
  std::unique_ptr<LocalLogStore> store_;
  // By partition; null for a partition another worker of the query reads (its position and end
  // are then -1, as KafkaSource's kForeignPartition).
  std::vector<std::unique_ptr<PartitionReader>> readers_;
  std::vector<int64_t> end_offsets_;
  // Where each partition ended when the source opened (capped by stop_offsets_), and per
  // partition whether records below it are still unread (unread_at_start), with their count.
  std::vector<int64_t> start_ends_;
  std::vector<uint8_t> unread_;
  size_t unread_count_ = 0;
  // 'ending.position'='latest': where each partition's read stops (the spec's pinned ends, or the
  // log's ends when the source opened); empty for an unbounded read.
  std::vector<int64_t> stop_offsets_;
  JsonRecordDecoder decoder_;
  RowMetadataWriter metadata_;
  std::vector<LogHeader> headers_;   // scratch for ROWMETA()
  int timestamp_batch_column_ = -1;  // where the event-time column sits in decoded batches
  size_t next_partition_ = 0;        // round-robin start, so no partition starves
  std::vector<LogRecordView> records_;
  SourceStats stats_;
  std::unique_ptr<LocalLogWriterCache> error_writers_;  // IGNORE_AND_LOG only
  std::unique_ptr<TombstoneDecoder> tombstones_;        // spec_.emit_deletes only
  // spec_.repartitioned: the last Poll's rows and watermark marks in the order read (read_meta).
  std::vector<RecordMeta> read_meta_;
  std::vector<int32_t> caught_up_writers_;  // spec_.repartitioned: caught-up marks of the last Poll
  std::vector<int32_t> restarted_writers_;  // writers whose last mark of the last Poll was a start
  // A bounded repartition topic (stage 2 of 'ending.position'='latest' with parallelism): by
  // partition, whether its writer's end mark was read (repartition_end.h); empty otherwise.
  std::vector<uint8_t> ended_;
  // Writers whose end mark Seek found just before the resumed position: the next Poll reports
  // them as caught up.
  std::vector<int32_t> ended_writers_found_;
};

}  // namespace sluice
