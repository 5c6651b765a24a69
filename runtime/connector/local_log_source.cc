#include "runtime/connector/local_log_source.h"

#include <algorithm>
#include <chrono>
#include <thread>

#include "runtime/connector/fixed_ends.h"
#include "runtime/connector/repartition_end.h"
#include "runtime/connector/repartition_sink.h"
#include "runtime/pipeline/watermark_tracker.h"

namespace sluice {

LocalLogSource::LocalLogSource(SourceSpec spec, std::unique_ptr<LocalLogStore> store)
    : spec_(std::move(spec)),
      store_(std::move(store)),
      decoder_(spec_.relation_schema, spec_.columns),
      metadata_(spec_) {
  for (size_t column_idx = 0; column_idx < spec_.columns.size(); ++column_idx) {
    if (spec_.columns[column_idx] == spec_.timestamp_column) {
      timestamp_batch_column_ = static_cast<int>(column_idx);
    }
  }
  if (spec_.emit_deletes) tombstones_ = std::make_unique<TombstoneDecoder>(spec_);
}

namespace {

// Positions `reader` at its partition's first record stamped at or after `timestamp_ms` (the
// partition's end when there is none), as Kafka's offsets-for-times does. The local log has no
// time index, so this reads the partition once from the start.
Status SeekToTime(PartitionReader& reader, int64_t timestamp_ms, int64_t end_offset) {
  RETURN_NOT_OK(reader.Seek(0));
  std::vector<LogRecordView> records;
  while (reader.position() < end_offset) {
    records.clear();
    RETURN_NOT_OK(reader.Poll(4096, records));
    if (records.empty()) break;
    for (const LogRecordView& record : records) {
      if (record.timestamp >= timestamp_ms) return reader.Seek(record.offset);
    }
  }
  return reader.Seek(end_offset);
}

}  // namespace

Result<std::unique_ptr<LocalLogSource>> LocalLogSource::Open(const SourceSpec& spec,
                                                             const std::string& log_dir) {
  ASSIGN_OR_RETURN(std::unique_ptr<LocalLogStore> store, LocalLogStore::Open(log_dir));
  Result<TopicInfo> info = store->GetTopicInfo(spec.topic);
  if (!info.ok()) {
    return Status::Connector("topic '" + spec.topic + "' of " + spec.relation +
                             " does not exist in the local store");
  }
  std::unique_ptr<LocalLogSource> source(new LocalLogSource(spec, std::move(store)));
  ASSIGN_OR_RETURN(source->end_offsets_, source->store_->EndOffsets(spec.topic));
  if (spec.end_at_latest && spec.repartitioned) {
    // Stage 2 of a bounded query with parallelism: its end is its writers' end marks.
    source->ended_.assign(static_cast<size_t>(info->partitions), 0);
  } else if (spec.end_at_latest) {
    ASSIGN_OR_RETURN(source->stop_offsets_, FixedEnds(spec, source->end_offsets_));
  }
  for (int32_t partition = 0; partition < info->partitions; ++partition) {
    if (!spec.OwnsPartition(partition)) {
      source->end_offsets_[static_cast<size_t>(partition)] = -1;
      source->readers_.push_back(nullptr);
      continue;
    }
    int64_t start =
        spec.start_at_earliest ? 0 : source->end_offsets_[static_cast<size_t>(partition)];
    ASSIGN_OR_RETURN(auto reader, source->store_->OpenReader(spec.topic, partition, start));
    if (spec.start_timestamp_ms >= 0) {
      RETURN_NOT_OK(SeekToTime(*reader, spec.start_timestamp_ms,
                               source->end_offsets_[static_cast<size_t>(partition)]));
    }
    source->readers_.push_back(std::move(reader));
  }
  source->start_ends_ = source->end_offsets_;
  for (size_t partition = 0; partition < source->stop_offsets_.size(); ++partition) {
    source->start_ends_[partition] =
        std::min(source->start_ends_[partition], source->stop_offsets_[partition]);
  }
  source->FindUnread();
  if (spec.error_handling == ErrorHandling::kIgnoreAndLog) {
    RETURN_NOT_OK(source->store_->CreateTopic(spec.error_topic, 1)
                      .WithContext("error topic '" + spec.error_topic + "'"));
    source->error_writers_ = std::make_unique<LocalLogWriterCache>(*source->store_);
  }
  return source;
}

void LocalLogSource::FindUnread() {
  unread_.assign(readers_.size(), 0);
  unread_count_ = 0;
  for (size_t partition = 0; partition < readers_.size(); ++partition) {
    if (readers_[partition] == nullptr ||
        readers_[partition]->position() >= start_ends_[partition]) {
      continue;
    }
    unread_[partition] = 1;
    ++unread_count_;
  }
}

Status LocalLogSource::HandleBadRecord(int32_t partition, const LogRecordView& record,
                                       const Status& error) {
  std::string where = "topic " + spec_.topic + " partition " + std::to_string(partition) +
                      " offset " + std::to_string(record.offset);
  if (spec_.error_handling == ErrorHandling::kTerminate) {
    return Status(error.category(), "bad record at " + where + ": " + error.message() +
                                        " ('source.deserialization.error.handling' is TERMINATE)");
  }
  ++stats_.records_failed;
  stats_.last_error = "record at " + where + ": " + error.message();
  if (spec_.error_handling == ErrorHandling::kIgnoreAndLog) {
    // The raw bytes go to the error topic as they were, with the reason and origin as headers.
    std::string offset_text = std::to_string(record.offset);
    std::string partition_text = std::to_string(partition);
    LogHeader headers[] = {{"sluice.error", error.message()},
                           {"sluice.source.topic", spec_.topic},
                           {"sluice.source.partition", partition_text},
                           {"sluice.source.offset", offset_text}};
    LogRecord copy;
    copy.key = record.key;
    copy.value = record.value;
    copy.timestamp = record.timestamp;
    copy.headers = headers;
    ASSIGN_OR_RETURN(PartitionWriter * writer, error_writers_->Get(spec_.error_topic, 0));
    RETURN_NOT_OK(writer->Append(std::span<const LogRecord>(&copy, 1)).status());
  }
  return Status::OK();
}

namespace {

// The number (a partition, a writer, a flag) a repartition record's header `name` holds, or -1
// without one.
int32_t HeaderPartition(const LogRecordView& record, std::string_view name) {
  for (LogHeader header : record.headers) {
    if (header.name != name) continue;
    int32_t partition = 0;
    for (char digit : header.value) partition = partition * 10 + (digit - '0');
    return partition;
  }
  return -1;
}

}  // namespace

Status LocalLogSource::Poll(size_t max_rows, RecordBatch& batch) {
  const size_t partitions = readers_.size();
  read_meta_.clear();
  caught_up_writers_.swap(ended_writers_found_);
  ended_writers_found_.clear();
  restarted_writers_.clear();
  for (size_t step = 0; step < partitions && batch.num_rows() < max_rows; ++step) {
    const size_t partition = (next_partition_ + step) % partitions;
    if (readers_[partition] == nullptr || (!ended_.empty() && ended_[partition] != 0)) continue;
    records_.clear();
    size_t room = max_rows - batch.num_rows();
    if (!stop_offsets_.empty()) {
      // A bounded read never returns a record at or past the partition's fixed end.
      const int64_t left = stop_offsets_[partition] - readers_[partition]->position();
      if (left <= 0) continue;
      room = std::min(room, static_cast<size_t>(left));
    }
    // In chunks small enough to stay in the L1 cache between the reader's checksum pass over
    // their frames and the decoder's pass over the same bytes.
    constexpr size_t kChunkRecords = 64;
    for (size_t chunk_room = std::min(room, kChunkRecords); room > 0;
         chunk_room = std::min(room, kChunkRecords)) {
      RETURN_NOT_OK(readers_[partition]->Poll(chunk_room, records_));
      if (!stop_offsets_.empty()) {
        while (!records_.empty() && records_.back().offset >= stop_offsets_[partition]) {
          records_.pop_back();
        }
      }
      RETURN_NOT_OK(ReadRecords(partition, batch));
      // A short chunk: the reader has nothing more now (or hit a segment boundary; the next
      // Poll goes on from there).
      if (records_.size() < chunk_room) break;
      room -= chunk_room;
      // A full chunk: more are likely to follow, so the batch's vectors grow once to the room
      // left instead of doubling their way there, copying, row by row.
      if (room > 0) ReserveRows(batch, batch.num_rows() + room);
    }
    int64_t position = readers_[partition]->position();
    end_offsets_[partition] = std::max(end_offsets_[partition], position);
    if (unread_count_ > 0 && unread_[partition] != 0 && position >= start_ends_[partition]) {
      unread_[partition] = 0;
      --unread_count_;
    }
  }
  next_partition_ = (next_partition_ + 1) % std::max<size_t>(partitions, 1);
  return Status::OK();
}

void LocalLogSource::ReserveRows(RecordBatch& batch, size_t rows) {
  if (batch.meta().capacity() >= rows) return;
  batch.meta().reserve(rows);
  batch.keys().reserve(rows);
  for (Column& column : batch.columns()) column.Reserve(rows);
}

Status LocalLogSource::ReadRecords(size_t partition, RecordBatch& batch) {
  for (const LogRecordView& record : records_) {
    if (!ended_.empty() && ended_[partition] != 0) break;  // nothing follows an end mark
    ++stats_.records_in;
    if (spec_.repartitioned && !record.value.has_value()) {
      const int32_t ended = HeaderPartition(record, kRepartitionEndHeader);
      if (ended >= 0 && !ended_.empty()) {
        // The writer read its share to the end, having read everything it ever will: it is
        // caught up too (a temporal join's changelog writer restarted after its end says
        // nothing more).
        ended_[partition] = 1;
        NoteWriterMark(ended, /*caught_up=*/true);
        continue;
      }
      const int32_t writer = HeaderPartition(record, kRepartitionCaughtUpHeader);
      if (writer >= 0) {
        NoteWriterMark(writer, /*caught_up=*/true);
        continue;
      }
      const int32_t started = HeaderPartition(record, kRepartitionStartHeader);
      if (started >= 0) {
        if (!spec_.marks_by_writer) ReadStartMark(record, started);
        NoteWriterMark(started, /*caught_up=*/false);
        continue;
      }
      // A watermark mark: event time of a source partition, no row.
      RecordMeta mark;
      mark.partition = HeaderPartition(record, kRepartitionMarkHeader);
      mark.offset = record.offset;
      mark.timestamp = record.timestamp;
      if (mark.partition >= 0) read_meta_.push_back(mark);
      continue;
    }
    if (!record.value.has_value()) {
      // A tombstone carries no row for a stream; a temporal join's changelog side sees a delete.
      if (tombstones_ != nullptr && record.key.has_value()) {
        RecordMeta meta;
        meta.partition = static_cast<int32_t>(partition);
        meta.offset = record.offset;
        meta.timestamp = record.timestamp;
        Status decoded = tombstones_->AppendDelete(*record.key, meta, batch);
        if (!decoded.ok()) {
          RETURN_NOT_OK(HandleBadRecord(static_cast<int32_t>(partition), record, decoded));
        }
      }
      continue;
    }
    Status decoded = decoder_.DecodeRow(*record.value, batch);
    if (!decoded.ok()) {
      RETURN_NOT_OK(HandleBadRecord(static_cast<int32_t>(partition), record, decoded));
      continue;
    }
    if (!metadata_.empty()) {
      RecordOrigin origin;
      origin.timestamp = record.timestamp;
      origin.key = record.key;
      origin.partition = static_cast<int32_t>(partition);
      origin.offset = record.offset;
      if (metadata_.needs_headers()) {
        headers_.assign(record.headers.begin(), record.headers.end());
        origin.headers = headers_;
      }
      metadata_.Append(origin, batch);
    }
    // Made in place: the batch is reserved (ReserveRows), and push_back would be a call per row.
    RecordMeta& meta = batch.meta().emplace_back();
    meta.partition = static_cast<int32_t>(partition);
    // A repartitioned row keeps the source partition it came from: event time is tracked
    // per source partition (the offset stays this topic's, unique per origin here).
    if (spec_.repartitioned) {
      const int32_t origin = HeaderPartition(record, kRepartitionOriginHeader);
      if (origin >= 0) meta.partition = origin;
      if (HeaderPartition(record, kRepartitionDeleteHeader) >= 0) meta.kind = RowKind::kDelete;
    }
    meta.offset = record.offset;
    meta.timestamp = record.timestamp;
    if (timestamp_batch_column_ >= 0) {
      const Column& column = batch.column(static_cast<size_t>(timestamp_batch_column_));
      const size_t row = column.size() - 1;  // the row just decoded
      if (!column.IsNull(row)) meta.timestamp = column.GetInt64(row);
    }
    batch.keys().emplace_back();
    // A writer's marks alone carry its event time (SourceSpec::marks_by_writer).
    if (spec_.repartitioned && !spec_.marks_by_writer) read_meta_.push_back(meta);
  }
  return Status::OK();
}

void LocalLogSource::NoteWriterMark(int32_t writer, bool caught_up) {
  // A writer's last mark of the poll decides: a start mark after a caught-up mark (a new life of
  // the writer) undoes it, a caught-up mark after a start mark ends that life's catching up.
  std::vector<int32_t>& add = caught_up ? caught_up_writers_ : restarted_writers_;
  std::vector<int32_t>& drop = caught_up ? restarted_writers_ : caught_up_writers_;
  drop.erase(std::remove(drop.begin(), drop.end(), writer), drop.end());
  add.push_back(writer);
}

void LocalLogSource::ReadStartMark(const LogRecordView& record, int32_t writer) {
  RecordMeta mark;
  mark.offset = record.offset;
  mark.timestamp = WatermarkTracker::kHeldTime;
  for (LogHeader header : record.headers) {
    if (header.name != kRepartitionHeldHeader) continue;
    // "p,q,...": the source partitions the writer had records of still to read.
    std::string_view held = header.value;
    while (!held.empty()) {
      const size_t comma = std::min(held.find(','), held.size());
      mark.partition = 0;
      for (char digit : held.substr(0, comma)) mark.partition = mark.partition * 10 + (digit - '0');
      read_meta_.push_back(mark);
      held.remove_prefix(std::min(comma + 1, held.size()));
    }
  }
  mark.partition = writer;
  mark.timestamp = WatermarkTracker::kWriterStartTime;
  read_meta_.push_back(mark);
}

bool LocalLogSource::exhausted() const {
  if (!ended_.empty()) {
    for (size_t partition = 0; partition < readers_.size(); ++partition) {
      if (readers_[partition] != nullptr && ended_[partition] == 0) return false;
    }
    return true;
  }
  if (stop_offsets_.empty()) return false;
  for (size_t partition = 0; partition < readers_.size(); ++partition) {
    if (readers_[partition] != nullptr &&
        readers_[partition]->position() < stop_offsets_[partition]) {
      return false;
    }
  }
  return true;
}

void LocalLogSource::WaitForData(int timeout_ms) {
  if (readers_.empty()) return;
  if (exhausted()) {
    // Nothing more will be read: records appended past the fixed end must not wake the query.
    std::this_thread::sleep_for(std::chrono::milliseconds(std::max(timeout_ms, 0)));
    return;
  }
  // Watch every partition (data may arrive in any), checking each without blocking and backing
  // off from 50 us to 1 ms: an idle query costs little, a record waits at most ~1 ms.
  using Clock = std::chrono::steady_clock;
  const Clock::time_point deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  std::chrono::microseconds backoff(50);
  constexpr std::chrono::microseconds kMaxBackoff(1000);
  for (;;) {
    for (auto& reader : readers_) {
      if (reader == nullptr) continue;
      Result<bool> ready = reader->WaitForData(std::chrono::milliseconds(0));
      if (!ready.ok() || *ready) return;  // an error shows at the next Poll
    }
    const Clock::time_point now = Clock::now();
    if (now >= deadline) return;
    std::this_thread::sleep_for(std::min<Clock::duration>(backoff, deadline - now));
    backoff = std::min(backoff * 2, kMaxBackoff);
  }
}

Status LocalLogSource::Seek(const std::vector<int64_t>& positions) {
  if (positions.size() != readers_.size()) {
    return Status::Connector("cannot resume " + spec_.relation + ": saved positions cover " +
                             std::to_string(positions.size()) + " partitions of topic '" +
                             spec_.topic + "', which has " + std::to_string(readers_.size()));
  }
  for (size_t partition = 0; partition < readers_.size(); ++partition) {
    if (readers_[partition] == nullptr) continue;
    RETURN_NOT_OK(readers_[partition]->Seek(positions[partition]));
    unread_[partition] = readers_[partition]->position() < start_ends_[partition] ? 1 : 0;
    if (ended_.empty()) continue;
    // Resumed past its writer's end mark (a checkpoint after it): the partition has ended.
    ASSIGN_OR_RETURN(
        int32_t writer,
        EndMarkAt(*store_, spec_.topic, static_cast<int32_t>(partition), positions[partition] - 1));
    ended_[partition] = writer >= 0 ? 1 : 0;
    if (writer >= 0) ended_writers_found_.push_back(writer);
  }
  unread_count_ = static_cast<size_t>(std::count(unread_.begin(), unread_.end(), 1));
  return Status::OK();
}

std::vector<int64_t> LocalLogSource::positions() const {
  std::vector<int64_t> result;
  for (const auto& reader : readers_) result.push_back(reader ? reader->position() : -1);
  return result;
}

}  // namespace sluice
