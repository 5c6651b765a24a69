// See kafka_sink.h.

#include "runtime/connector/kafka/kafka_sink.h"

#include <algorithm>
#include <cstdlib>

#include "runtime/connector/kafka/kafka_transaction.h"
#include "runtime/connector/local_log_sink.h"

namespace sluice {

KafkaSink::KafkaSink(SinkSpec spec) : spec_(std::move(spec)), encoder_(spec_.schema) {
  auto key_format = spec_.properties.find("key.format");
  json_key_ = key_format != spec_.properties.end() && key_format->second == "json" &&
              !spec_.key_columns.empty();
}

void KafkaSink::EncodeJsonKey(const RecordBatch& batch, size_t row) {
  key_.push_back('{');
  for (size_t key_idx = 0; key_idx < spec_.key_columns.size(); ++key_idx) {
    const auto column_idx = static_cast<size_t>(spec_.key_columns[key_idx]);
    if (key_idx > 0) key_.push_back(',');
    AppendValueJson(Value::Varchar(spec_.schema.field(column_idx).name), key_);
    key_.push_back(':');
    AppendValueJson(batch.column(column_idx).GetValue(row), key_);
  }
  key_.push_back('}');
}

KafkaSink::~KafkaSink() {
  // Undelivered records are abandoned on purpose: positions were not saved past them, so a
  // restart produces them again (at-least-once).
  if (producer_)
    rd_kafka_purge(producer_.get(), RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
}

void KafkaSink::OnDelivery(rd_kafka_t*, const rd_kafka_message_t* message, void*) {
  // Each message carries its sink as the per-message opaque (RD_KAFKA_V_OPAQUE).
  auto* sink = static_cast<KafkaSink*>(message->_private);
  if (message->err != RD_KAFKA_RESP_ERR_NO_ERROR && sink->first_delivery_error_.empty()) {
    sink->first_delivery_error_ = rd_kafka_err2str(message->err);
    sink->first_delivery_code_ = message->err;
  }
  if (message->err == RD_KAFKA_RESP_ERR_NO_ERROR && message->offset >= 0) {
    sink->last_partition_ = message->partition;
    sink->last_offset_ = message->offset;
  }
}

Result<std::unique_ptr<KafkaSink>> KafkaSink::Open(const SinkSpec& spec) {
  std::unique_ptr<KafkaSink> sink(new KafkaSink(spec));
  auto timeout = spec.properties.find("unavailable.timeout.ms");
  if (timeout != spec.properties.end()) sink->timeout_ms_ = std::stoi(timeout->second);
  // A record not acknowledged within the store's unavailability timeout fails the query rather
  // than waiting forever for a broker that is gone.
  std::vector<std::pair<std::string, std::string>> extra = {
      {"enable.idempotence", "true"},
      {"allow.auto.create.topics", "false"},
      {"partitioner", "murmur2_random"},
      {"linger.ms", "5"},
      {"message.timeout.ms", std::to_string(sink->timeout_ms_)}};
  auto guarantee = spec.properties.find(kDeliveryGuaranteeProperty);
  const bool exactly_once =
      guarantee != spec.properties.end() && guarantee->second == "exactly_once";
  if (exactly_once) {
    auto id = spec.properties.find(kTransactionalIdProperty);
    if (id == spec.properties.end()) {
      return Status::Internal("exactly-once sink of " + spec.relation + " has no transactional.id");
    }
    extra.emplace_back("transactional.id", id->second);
    // The transaction may stay open until the next commit; it must outlive a slow checkpoint.
    extra.emplace_back("transaction.timeout.ms", std::to_string(sink->timeout_ms_ + 60000));
    // The group the transaction commits the source's offsets to is the query's, which all of
    // its workers share; only the transactional.id is per worker (query_runner.cc). Plans stored
    // before the sink named the group use the transactional.id, as they did then.
    auto group = spec.properties.find(kOffsetsGroupProperty);
    sink->offsets_group_ = group != spec.properties.end() ? group->second : id->second;
    auto source_offsets = spec.properties.find(kSourceOffsetsProperty);
    sink->source_offsets_ =
        source_offsets == spec.properties.end() || source_offsets->second != "false";
  }
  ASSIGN_OR_RETURN(sink->producer_, CreateKafkaHandle(RD_KAFKA_PRODUCER, spec.properties, extra,
                                                      &sink->errors_, &KafkaSink::OnDelivery));
  ASSIGN_OR_RETURN(
      int32_t partitions,
      KafkaTopicPartitions(sink->producer_.get(), spec.properties, spec.topic,
                           std::min(kMetadataTimeoutMs, sink->timeout_ms_), &sink->errors_));
  sink->spec_.partitions = partitions;
  if (exactly_once) {
    RETURN_NOT_OK(KafkaInitTransactions(sink->producer_.get(), sink->timeout_ms_, spec.properties));
  }
  return sink;
}

Status KafkaSink::DeliveryStatus() const {
  if (!first_delivery_error_.empty()) {
    // Undelivered output was never acknowledged, so the retried query (from its checkpoint)
    // writes it again.
    if (IsTransientKafkaError(first_delivery_code_)) {
      return Status::Connector(KafkaUnreachablePrefix(spec_.properties) + ": records to topic '" +
                               spec_.topic + "' of " + spec_.relation +
                               " were not acknowledged: " + first_delivery_error_)
          .AsRetriable();
    }
    return Status::Connector("cannot write to topic '" + spec_.topic + "' of " + spec_.relation +
                             " in Kafka " + KafkaStoreLabel(spec_.properties) + ": " +
                             first_delivery_error_);
  }
  if (errors_.fatal) {
    return KafkaFatalError(errors_, spec_.properties);
  }
  return Status::OK();
}

Status KafkaSink::Write(const RecordBatch& batch) {
  if (!offsets_group_.empty() && !in_transaction_ && batch.num_rows() > 0) {
    RETURN_NOT_OK(KafkaBeginTransaction(producer_.get(), spec_.properties));
    in_transaction_ = true;
    last_partition_ = -1;
  }
  for (size_t row = 0; row < batch.num_rows(); ++row) {
    value_.clear();
    key_.clear();
    encoder_.EncodeRow(batch, row, value_);
    if (json_key_) {
      EncodeJsonKey(batch, row);
    } else if (!spec_.key_columns.empty()) {
      EncodeRecordKey(batch, row, spec_.key_columns, key_);
    }
    const bool keyed = !key_.empty() || spec_.key_columns.size() > 1;
    // A changelog delete is a tombstone: the key with no value (as the local log sink writes it).
    const bool tombstone = batch.meta()[row].kind == RowKind::kDelete;
    for (;;) {
      rd_kafka_resp_err_t err = rd_kafka_producev(
          producer_.get(), RD_KAFKA_V_TOPIC(spec_.topic.c_str()),
          RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
          RD_KAFKA_V_VALUE(tombstone ? nullptr : value_.data(), tombstone ? 0 : value_.size()),
          RD_KAFKA_V_KEY(keyed ? key_.data() : nullptr, keyed ? key_.size() : 0),
          RD_KAFKA_V_TIMESTAMP(batch.meta()[row].timestamp), RD_KAFKA_V_OPAQUE(this),
          RD_KAFKA_V_END);
      if (err == RD_KAFKA_RESP_ERR_NO_ERROR) break;
      if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
        return Status::Connector("cannot produce to topic '" + spec_.topic +
                                 "': " + rd_kafka_err2str(err));
      }
      // Back-pressure: serve delivery reports until the local queue has room.
      rd_kafka_poll(producer_.get(), 100);
      RETURN_NOT_OK(DeliveryStatus());
    }
  }
  records_out_ += static_cast<int64_t>(batch.num_rows());
  rd_kafka_poll(producer_.get(), 0);
  return DeliveryStatus();
}

Status KafkaSink::Flush() {
  // message.timeout.ms bounds every record's life, so this returns by then with each record
  // either delivered or failed; the margin covers the last report's round trip.
  rd_kafka_resp_err_t err = rd_kafka_flush(producer_.get(), timeout_ms_ + 5000);
  RETURN_NOT_OK(DeliveryStatus());
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return Status::Connector(KafkaUnreachablePrefix(spec_.properties) + ": records to topic '" +
                             spec_.topic +
                             "' were not acknowledged in time: " + rd_kafka_err2str(err))
        .AsRetriable();
  }
  return Status::OK();
}

Status KafkaSink::FlushAt(const std::string& source_topic, const std::vector<int64_t>& positions) {
  if (offsets_group_.empty()) return Flush();
  // A source that is not Kafka (a local repartition topic) keeps its positions in the state
  // checkpoint only: a transaction without output has nothing to commit then, and one with output
  // commits without offsets.
  if (!source_offsets_ && !in_transaction_) return Status::OK();
  if (!in_transaction_) {
    // Input consumed without output (filtered out) still moves the committed offsets.
    if (positions == committed_positions_) return Status::OK();
    RETURN_NOT_OK(KafkaBeginTransaction(producer_.get(), spec_.properties));
    in_transaction_ = true;
  }
  // The commit flushes the transaction's records first; a record that failed makes it abort.
  in_transaction_ = false;
  static const std::vector<int64_t> kNoPositions;
  RETURN_NOT_OK(KafkaCommitTransaction(
      producer_.get(), source_offsets_ ? offsets_group_ : std::string(), source_topic,
      source_offsets_ ? positions : kNoPositions, timeout_ms_, spec_.properties));
  RETURN_NOT_OK(DeliveryStatus());
  committed_positions_ = positions;
  last_partition_ = -1;
  return Status::OK();
}

Result<std::string> KafkaSink::PrepareTransaction() {
  if (!in_transaction_) return std::string();
  // Every record acknowledged: the marker is then the transaction's last one, and a crash after
  // the caller saved it cannot add records the marker does not vouch for.
  RETURN_NOT_OK(Flush());
  if (last_partition_ < 0) return std::string();
  return spec_.topic + ":" + std::to_string(last_partition_) + ":" + std::to_string(last_offset_);
}

Result<bool> KafkaSink::TransactionCommitted(const std::string& marker) {
  if (marker.empty()) return true;
  // topic:partition:offset; the topic may itself hold ':'.
  const size_t offset_colon = marker.rfind(':');
  const size_t partition_colon = offset_colon == std::string::npos || offset_colon == 0
                                     ? std::string::npos
                                     : marker.rfind(':', offset_colon - 1);
  const Status bad =
      Status::Storage("the pending checkpoint names no Kafka record ('" + marker + "')");
  if (partition_colon == std::string::npos) return bad;
  char* end = nullptr;
  const long partition = std::strtol(marker.c_str() + partition_colon + 1, &end, 10);
  if (end != marker.c_str() + offset_colon || partition < 0) return bad;
  const long long offset = std::strtoll(marker.c_str() + offset_colon + 1, &end, 10);
  if (*end != '\0' || end == marker.c_str() + offset_colon + 1 || offset < 0) return bad;
  return KafkaRecordCommitted(spec_.properties, marker.substr(0, partition_colon),
                              static_cast<int32_t>(partition), offset, timeout_ms_);
}

}  // namespace sluice
