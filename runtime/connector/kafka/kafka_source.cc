// See kafka_source.h.

#include "runtime/connector/kafka/kafka_source.h"

#include <algorithm>
#include <chrono>
#include <thread>

#include "runtime/connector/fixed_ends.h"
#include "runtime/connector/kafka/kafka_transaction.h"

namespace sluice {

namespace {

constexpr int kRefreshIntervalMs = 200;
constexpr int kProbeIntervalMs = 1000;
constexpr int kProbeTimeoutMs = 500;
// Consecutive probes that must miss the topic before the query fails: metadata can lag briefly
// behind a topic's creation or a broker's restart.
constexpr int kMissingProbesToFail = 3;

int64_t SteadyMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

KafkaSource::KafkaSource(SourceSpec spec)
    : spec_(std::move(spec)), decoder_(spec_.relation_schema, spec_.columns), metadata_(spec_) {
  for (size_t column_idx = 0; column_idx < spec_.columns.size(); ++column_idx) {
    if (spec_.columns[column_idx] == spec_.timestamp_column) {
      timestamp_batch_column_ = static_cast<int>(column_idx);
    }
  }
  if (spec_.emit_deletes) tombstones_ = std::make_unique<TombstoneDecoder>(spec_);
}

KafkaSource::~KafkaSource() {
  if (pending_ != nullptr) rd_kafka_message_destroy(pending_);
  if (!consumer_) return;
  if (missing_probes_ >= kMissingProbesToFail) {
    // librdkafka 2.0 never returns from rd_kafka_destroy once an assigned topic has vanished
    // from the cluster's metadata (its main thread waits for the topic's partitions). The
    // handle is left to the process's exit instead: a worker exits right after its query fails,
    // and no callback runs without a poll.
    (void)consumer_.release();
    return;
  }
  rd_kafka_consumer_close(consumer_.get());
}

Result<std::unique_ptr<KafkaSource>> KafkaSource::Open(const SourceSpec& spec,
                                                       const std::string& data_dir) {
  std::unique_ptr<KafkaSource> source(new KafkaSource(spec));
  auto timeout = spec.properties.find("unavailable.timeout.ms");
  if (timeout != spec.properties.end())
    source->unavailable_timeout_ms_ = std::stoi(timeout->second);
  // Offsets live in the query's checkpoints, not in the group: nothing is committed
  // automatically, and the group only names the client for monitoring.
  auto offsets_group = spec.properties.find(kOffsetsGroupProperty);
  const std::string group =
      offsets_group != spec.properties.end() ? offsets_group->second : "sluice-" + spec.relation;
  ASSIGN_OR_RETURN(source->consumer_,
                   CreateKafkaHandle(RD_KAFKA_CONSUMER, spec.properties,
                                     {{"group.id", group},
                                      {"enable.auto.commit", "false"},
                                      {"enable.auto.offset.store", "false"},
                                      // Each partition's end tells when the source caught up (a
                                      // temporal join's changelog) and when a bounded read is done,
                                      // also at an end that only control records precede.
                                      {"enable.partition.eof", "true"},
                                      {"allow.auto.create.topics", "false"}},
                                     &source->errors_));
  rd_kafka_t* consumer = source->consumer_.get();
  // A broker that stays away this long is unreachable, at the start as later on.
  const int metadata_timeout_ms = std::min(kMetadataTimeoutMs, source->unavailable_timeout_ms_);
  ASSIGN_OR_RETURN(int32_t partitions, KafkaTopicPartitions(consumer, spec.properties, spec.topic,
                                                            metadata_timeout_ms, &source->errors_));
  source->spec_.partitions = partitions;
  ASSIGN_OR_RETURN(auto watermarks,
                   KafkaWatermarks(consumer, spec.topic, partitions, metadata_timeout_ms));
  for (const auto& [low, high] : watermarks) {
    source->positions_.push_back(spec.start_at_earliest ? low : high);
    source->end_offsets_.push_back(high);
  }
  if (spec.end_at_latest) {
    ASSIGN_OR_RETURN(source->stop_offsets_, FixedEnds(spec, source->end_offsets_));
  }
  if (spec.start_timestamp_ms >= 0) RETURN_NOT_OK(source->SeekToTime(spec.start_timestamp_ms));
  if (offsets_group != spec.properties.end()) {
    ASSIGN_OR_RETURN(source->committed_,
                     KafkaCommittedOffsets(consumer, spec.topic, partitions, kMetadataTimeoutMs,
                                           spec.properties));
    for (size_t partition = 0; partition < source->committed_.size(); ++partition) {
      if (source->committed_[partition] >= 0) {
        source->positions_[partition] = source->committed_[partition];
      }
    }
  }
  source->MaskForeignPartitions();
  source->start_ends_ = source->end_offsets_;
  for (size_t partition = 0; partition < source->stop_offsets_.size(); ++partition) {
    source->start_ends_[partition] =
        std::min(source->start_ends_[partition], source->stop_offsets_[partition]);
  }
  source->FindUnread();
  source->at_end_.assign(source->positions_.size(), 0);
  for (size_t partition = 0; partition < source->positions_.size(); ++partition) {
    if (source->spec_.OwnsPartition(static_cast<int32_t>(partition))) ++source->owned_partitions_;
  }
  source->last_refresh_ms_ = source->last_probe_ms_ = source->last_contact_ms_ = SteadyMillis();
  // Assigned at the first Poll: a Seek right after Open (resuming) then costs no second
  // assignment, whose quick succession trips an assertion inside librdkafka 2.0.
  if (spec.error_handling == ErrorHandling::kIgnoreAndLog) {
    ASSIGN_OR_RETURN(source->error_store_, LocalLogStore::Open(data_dir + "/log"));
    RETURN_NOT_OK(source->error_store_->CreateTopic(spec.error_topic, 1)
                      .WithContext("error topic '" + spec.error_topic + "'"));
    source->error_writers_ = std::make_unique<LocalLogWriterCache>(*source->error_store_);
  }
  return source;
}

Status KafkaSource::Assign() {
  rd_kafka_topic_partition_list_t* list =
      rd_kafka_topic_partition_list_new(static_cast<int>(positions_.size()));
  for (size_t partition = 0; partition < positions_.size(); ++partition) {
    if (!spec_.OwnsPartition(static_cast<int32_t>(partition))) continue;
    rd_kafka_topic_partition_list_add(list, spec_.topic.c_str(), static_cast<int32_t>(partition))
        ->offset = positions_[partition];
  }
  rd_kafka_resp_err_t err = rd_kafka_assign(consumer_.get(), list);
  rd_kafka_topic_partition_list_destroy(list);
  assigned_ = err == RD_KAFKA_RESP_ERR_NO_ERROR;
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return Status::Connector("cannot assign the partitions of topic '" + spec_.topic +
                             "': " + rd_kafka_err2str(err));
  }
  return Status::OK();
}

Status KafkaSource::Seek(const std::vector<int64_t>& positions) {
  if (positions.size() != positions_.size()) {
    return Status::Connector("cannot resume " + spec_.relation + ": saved positions cover " +
                             std::to_string(positions.size()) + " partitions of topic '" +
                             spec_.topic + "', which has " + std::to_string(positions_.size()));
  }
  if (pending_ != nullptr) {
    rd_kafka_message_destroy(pending_);
    pending_ = nullptr;
  }
  positions_ = positions;
  for (size_t partition = 0; partition < committed_.size(); ++partition) {
    if (committed_[partition] >= 0) positions_[partition] = committed_[partition];
  }
  MaskForeignPartitions();
  FindUnread();
  return assigned_ ? Assign() : Status::OK();
}

Status KafkaSource::SeekToTime(int64_t timestamp_ms) {
  rd_kafka_topic_partition_list_t* list =
      rd_kafka_topic_partition_list_new(static_cast<int>(positions_.size()));
  for (size_t partition = 0; partition < positions_.size(); ++partition) {
    rd_kafka_topic_partition_list_add(list, spec_.topic.c_str(), static_cast<int32_t>(partition))
        ->offset = timestamp_ms;  // offsets_for_times reads the time from the offset field
  }
  rd_kafka_resp_err_t err = rd_kafka_offsets_for_times(consumer_.get(), list, kMetadataTimeoutMs);
  Status status = Status::OK();
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    status = Status::Connector("cannot find the offsets of topic '" + spec_.topic + "' at time " +
                               std::to_string(timestamp_ms) + " in Kafka " +
                               KafkaStoreLabel(spec_.properties) + ": " + rd_kafka_err2str(err));
  } else {
    for (int element_idx = 0; element_idx < list->cnt; ++element_idx) {
      const rd_kafka_topic_partition_t& element = list->elems[element_idx];
      const auto partition = static_cast<size_t>(element.partition);
      // -1: no record at or after that time; start at the end.
      positions_[partition] = element.offset >= 0 ? element.offset : end_offsets_[partition];
    }
  }
  rd_kafka_topic_partition_list_destroy(list);
  return status;
}

Status KafkaSource::HandleBadRecord(const rd_kafka_message_t& message, const Status& error) {
  std::string where = "topic " + spec_.topic + " partition " + std::to_string(message.partition) +
                      " offset " + std::to_string(message.offset);
  if (spec_.error_handling == ErrorHandling::kTerminate) {
    return Status(error.category(), "bad record at " + where + ": " + error.message() +
                                        " ('source.deserialization.error.handling' is TERMINATE)");
  }
  ++stats_.records_failed;
  stats_.last_error = "record at " + where + ": " + error.message();
  if (spec_.error_handling == ErrorHandling::kIgnoreAndLog) {
    std::string offset_text = std::to_string(message.offset);
    std::string partition_text = std::to_string(message.partition);
    LogHeader headers[] = {{"sluice.error", error.message()},
                           {"sluice.source.topic", spec_.topic},
                           {"sluice.source.partition", partition_text},
                           {"sluice.source.offset", offset_text}};
    LogRecord copy;
    if (message.key != nullptr) {
      copy.key = std::string_view(static_cast<const char*>(message.key), message.key_len);
    }
    copy.value = std::string_view(static_cast<const char*>(message.payload), message.len);
    copy.timestamp = rd_kafka_message_timestamp(&message, nullptr);
    copy.headers = headers;
    ASSIGN_OR_RETURN(PartitionWriter * writer, error_writers_->Get(spec_.error_topic, 0));
    RETURN_NOT_OK(writer->Append(std::span<const LogRecord>(&copy, 1)).status());
  }
  return Status::OK();
}

Status KafkaSource::Consume(const rd_kafka_message_t& message, RecordBatch& batch) {
  if (message.err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    if (message.err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      const auto partition = static_cast<size_t>(message.partition);
      if (partition < at_end_.size() && at_end_[partition] == 0 &&
          spec_.OwnsPartition(message.partition)) {
        at_end_[partition] = 1;
        ++partitions_at_end_;
      }
      return Status::OK();
    }
    if (message.err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART ||
        message.err == RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC ||
        message.err == RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED) {
      return Status::Connector("cannot read topic '" + spec_.topic + "' of " + spec_.relation +
                               " from Kafka " + KafkaStoreLabel(spec_.properties) + ": " +
                               rd_kafka_message_errstr(&message));
    }
    // Transient (a broker restarting): librdkafka retries; CheckHealth decides when to give up.
    errors_.last_error = rd_kafka_message_errstr(&message);
    return Status::OK();
  }
  const auto partition = static_cast<size_t>(message.partition);
  if (partition >= positions_.size() || !spec_.OwnsPartition(message.partition)) {
    return Status::OK();
  }
  positions_[partition] = message.offset + 1;
  end_offsets_[partition] = std::max(end_offsets_[partition], positions_[partition]);
  last_contact_ms_ = SteadyMillis();  // a message proves a broker reachable
  ++stats_.records_in;
  if (message.payload == nullptr) {
    // A tombstone carries no row for a stream; a temporal join's changelog side sees a delete.
    if (tombstones_ == nullptr || message.key == nullptr) return Status::OK();
    RecordMeta meta;
    meta.partition = message.partition;
    meta.offset = message.offset;
    meta.timestamp = rd_kafka_message_timestamp(&message, nullptr);
    Status decoded = tombstones_->AppendDelete(
        std::string_view(static_cast<const char*>(message.key), message.key_len), meta, batch);
    return decoded.ok() ? decoded : HandleBadRecord(message, decoded);
  }
  Status decoded = decoder_.DecodeRow(
      std::string_view(static_cast<const char*>(message.payload), message.len), batch);
  if (!decoded.ok()) return HandleBadRecord(message, decoded);
  if (!metadata_.empty()) AppendMetadata(message, batch);
  RecordMeta meta;
  meta.partition = message.partition;
  meta.offset = message.offset;
  meta.timestamp = rd_kafka_message_timestamp(&message, nullptr);
  if (timestamp_batch_column_ >= 0) {
    const Column& column = batch.column(static_cast<size_t>(timestamp_batch_column_));
    size_t row = column.size() - 1;
    if (!column.IsNull(row)) meta.timestamp = column.GetInt64(row);
  }
  batch.meta().push_back(meta);
  batch.keys().emplace_back();
  return Status::OK();
}

void KafkaSource::AppendMetadata(const rd_kafka_message_t& message, RecordBatch& batch) {
  RecordOrigin origin;
  rd_kafka_timestamp_type_t timestamp_type = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE;
  origin.timestamp = rd_kafka_message_timestamp(&message, &timestamp_type);
  origin.timestamp_type = timestamp_type == RD_KAFKA_TIMESTAMP_CREATE_TIME ? "CreateTime"
                          : timestamp_type == RD_KAFKA_TIMESTAMP_LOG_APPEND_TIME
                              ? "LogAppendTime"
                              : "NoTimestampType";
  if (message.key != nullptr) {
    origin.key = std::string_view(static_cast<const char*>(message.key), message.key_len);
  }
  origin.partition = message.partition;
  origin.offset = message.offset;
  headers_.clear();
  rd_kafka_headers_t* headers = nullptr;
  if (metadata_.needs_headers() &&
      rd_kafka_message_headers(&message, &headers) == RD_KAFKA_RESP_ERR_NO_ERROR) {
    const char* name = nullptr;
    const void* value = nullptr;
    size_t size = 0;
    for (size_t header_idx = 0; rd_kafka_header_get_all(headers, header_idx, &name, &value,
                                                        &size) == RD_KAFKA_RESP_ERR_NO_ERROR;
         ++header_idx) {
      std::string_view text = value == nullptr
                                  ? std::string_view()
                                  : std::string_view(static_cast<const char*>(value), size);
      headers_.push_back(LogHeader{name, text});
    }
  }
  origin.headers = headers_;
  metadata_.Append(origin, batch);
}

Status KafkaSource::Poll(size_t max_rows, RecordBatch& batch) {
  if (!assigned_) RETURN_NOT_OK(Assign());
  while (batch.num_rows() < max_rows && !exhausted()) {
    rd_kafka_message_t* message = pending_;
    pending_ = nullptr;
    if (message == nullptr) message = rd_kafka_consumer_poll(consumer_.get(), 0);
    if (message == nullptr) break;
    if (AtFixedEnd(*message)) {
      rd_kafka_message_destroy(message);
      continue;
    }
    Status status = Consume(*message, batch);
    rd_kafka_message_destroy(message);
    RETURN_NOT_OK(status);
  }
  UpdateUnread();
  RefreshEndOffsets();
  return CheckHealth();
}

void KafkaSource::WaitForData(int timeout_ms) {
  if (!assigned_ && !Assign().ok()) return;  // Poll reports the error
  if (exhausted()) {
    // Nothing more will be read: records appended past the fixed end must not wake the query.
    std::this_thread::sleep_for(std::chrono::milliseconds(std::max(timeout_ms, 0)));
    return;
  }
  if (pending_ == nullptr) pending_ = rd_kafka_consumer_poll(consumer_.get(), timeout_ms);
}

void KafkaSource::RefreshEndOffsets() {
  const int64_t now = SteadyMillis();
  if (now - last_refresh_ms_ < kRefreshIntervalMs) return;
  last_refresh_ms_ = now;
  // The consumer's cached high watermarks (updated by every fetch response): a network query
  // here could block past its timeout once a broker has gone away.
  for (size_t partition = 0; partition < positions_.size(); ++partition) {
    if (!spec_.OwnsPartition(static_cast<int32_t>(partition))) continue;
    int64_t low = 0;
    int64_t high = 0;
    if (rd_kafka_get_watermark_offsets(consumer_.get(), spec_.topic.c_str(),
                                       static_cast<int32_t>(partition), &low,
                                       &high) == RD_KAFKA_RESP_ERR_NO_ERROR &&
        high >= 0) {
      end_offsets_[partition] = std::max(high, positions_[partition]);
    }
  }
  // Heartbeat: a bounded metadata round trip every second. librdkafka's own "all brokers down"
  // event is not raised reliably once a broker refuses connections, and it announces no
  // recovery, so reachability is measured here.
  if (now - last_probe_ms_ >= kProbeIntervalMs) {
    last_probe_ms_ = now;
    const rd_kafka_metadata_t* metadata = nullptr;
    rd_kafka_resp_err_t err =
        rd_kafka_metadata(consumer_.get(), 0, nullptr, &metadata, kProbeTimeoutMs);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      // A deleted topic shows here first: fetches of its partitions may just go quiet.
      bool listed = false;
      for (int topic_idx = 0; topic_idx < metadata->topic_cnt; ++topic_idx) {
        const rd_kafka_metadata_topic_t& entry = metadata->topics[topic_idx];
        if (spec_.topic == entry.topic)
          listed = entry.err != RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART;
      }
      missing_probes_ = listed ? 0 : missing_probes_ + 1;
      rd_kafka_metadata_destroy(metadata);
      last_contact_ms_ = SteadyMillis();
    } else if (errors_.last_error.empty()) {
      errors_.last_error = rd_kafka_err2str(err);
    }
  }
}

Status KafkaSource::CheckHealth() {
  if (errors_.fatal) {
    return KafkaFatalError(errors_, spec_.properties);
  }
  if (missing_probes_ >= kMissingProbesToFail) {
    return Status::Connector("topic '" + spec_.topic + "' of " + spec_.relation +
                             " no longer exists in Kafka " + KafkaStoreLabel(spec_.properties) +
                             " (deleted?); recreate it, then RESTART QUERY");
  }
  if (SteadyMillis() - last_contact_ms_ >= unavailable_timeout_ms_) {
    // Transient: the supervisor starts the query again from its checkpoint after a back-off.
    return Status::Connector(KafkaUnreachablePrefix(spec_.properties) +
                             ": no broker answered for " +
                             std::to_string(unavailable_timeout_ms_ / 1000) +
                             " s (last error: " + errors_.last_error + ")")
        .AsRetriable();
  }
  return Status::OK();
}

}  // namespace sluice
