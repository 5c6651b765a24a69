#pragma once
// Produces a query's rows to a Kafka topic as JSON values, keyed by the relation's key columns
// ('key.format': 'primitive' is one column's text, 'json' an object of the key columns by name;
// by default one column is primitive and several are JSON) (librdkafka's murmur2 partitioner, as
// Java clients use, so keyed records land where other Kafka tools expect). Delivery is
// at-least-once with the idempotent producer: Flush returns only when every record written so far
// is acknowledged, and the pipeline saves source positions after a successful Flush. With
// 'delivery.guarantee'='exactly_once' the records are produced in Kafka transactions that FlushAt
// commits with the source offsets (kafka_transaction.h).

#include <memory>
#include <string>
#include <vector>

#include "common/json_codec.h"
#include "runtime/connector/kafka/kafka_client.h"
#include "runtime/connector/source.h"
#include "runtime/plan/physical_plan.h"

namespace sluice {

class KafkaSink final : public Sink {
 public:
  static Result<std::unique_ptr<KafkaSink>> Open(const SinkSpec& spec);
  ~KafkaSink() override;

  Status Write(const RecordBatch& batch) override;
  Status Flush() override;
  Status FlushAt(const std::string& source_topic, const std::vector<int64_t>& positions) override;
  int64_t records_out() const override { return records_out_; }
  bool transactional() const override { return !offsets_group_.empty(); }
  const std::string& offsets_group() const { return offsets_group_; }
  bool transaction_open() const override { return in_transaction_; }
  Result<std::string> PrepareTransaction() override;
  Result<bool> TransactionCommitted(const std::string& marker) override;

 private:
  explicit KafkaSink(SinkSpec spec);
  static void OnDelivery(rd_kafka_t* handle, const rd_kafka_message_t* message, void* opaque);
  Status DeliveryStatus() const;
  // 'key.format'='json': the key columns as a JSON object by name, into key_.
  void EncodeJsonKey(const RecordBatch& batch, size_t row);

  SinkSpec spec_;
  JsonRecordEncoder encoder_;
  KafkaErrorState errors_;  // before producer_: written by librdkafka until it is destroyed
  KafkaHandle producer_;
  int timeout_ms_ = kDefaultUnavailableTimeoutMs;
  std::string first_delivery_error_;  // set by OnDelivery (served by rd_kafka_poll/flush)
  rd_kafka_resp_err_t first_delivery_code_ = RD_KAFKA_RESP_ERR_NO_ERROR;
  std::string value_;
  std::string key_;
  bool json_key_ = false;
  int64_t records_out_ = 0;
  // Exactly-once only: the group the source offsets commit to, whether a transaction is open,
  // and the positions of the last committed one.
  std::string offsets_group_;
  bool in_transaction_ = false;
  std::vector<int64_t> committed_positions_;
  // False when the source is not Kafka: its positions are not sent to the transaction.
  bool source_offsets_ = true;
  // The last record of the open transaction acknowledged so far (set by OnDelivery).
  int32_t last_partition_ = -1;
  int64_t last_offset_ = -1;
};

}  // namespace sluice
