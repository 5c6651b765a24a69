#pragma once
// Produces a query's rows to a Kafka topic as JSON values, keyed by the relation's key columns
// (librdkafka's murmur2 partitioner, as Java clients use, so keyed records land where other
// Kafka tools expect). Delivery is at-least-once with the idempotent producer: Flush returns only
// when every record written so far is acknowledged, and the pipeline saves source positions
// after a successful Flush.

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
  int64_t records_out() const override { return records_out_; }

 private:
  explicit KafkaSink(SinkSpec spec);
  static void OnDelivery(rd_kafka_t* handle, const rd_kafka_message_t* message, void* opaque);
  Status DeliveryStatus() const;

  SinkSpec spec_;
  JsonRecordEncoder encoder_;
  KafkaErrorState errors_;  // before producer_: written by librdkafka until it is destroyed
  KafkaHandle producer_;
  int timeout_ms_ = kDefaultUnavailableTimeoutMs;
  std::string first_delivery_error_;  // set by OnDelivery (served by rd_kafka_poll/flush)
  std::string value_;
  std::string key_;
  int64_t records_out_ = 0;
};

}  // namespace sluice
