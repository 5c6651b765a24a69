#pragma once
// Exactly-once output to Kafka ('delivery.guarantee'='exactly_once'): the sink produces inside a
// Kafka transaction and commits it together with the source offsets it consumed (sent to the
// transaction for the query's consumer group, as Kafka Streams does). A transaction's output
// and its offsets become visible atomically; after a crash the restarted worker's producer
// (same transactional.id) fences the dead one and aborts its open transaction, and the source
// resumes from the offsets the last committed transaction recorded. So committed output is never
// lost and never produced twice, for consumers that read with isolation.level=read_committed.

#include <cstdint>
#include <string>
#include <vector>

#include "runtime/connector/kafka/kafka_client.h"

namespace sluice {

// Sink and source properties the engine sets for an exactly-once persistent query.
inline constexpr const char* kDeliveryGuaranteeProperty = "delivery.guarantee";
inline constexpr const char* kTransactionalIdProperty = "transactional.id";
inline constexpr const char* kOffsetsGroupProperty = "offsets.group";
// Set to "false" on the sink of a worker whose source is not Kafka (stage 2 of a repartitioned
// query reads a local repartition topic): its transactions carry no source offsets, since its
// positions live only in its state checkpoint (query_runner.cc).
inline constexpr const char* kSourceOffsetsProperty = "transaction.source.offsets";

// The transactional.id and consumer group of query `query_id`: stable across restarts, so a new
// worker fences the old one.
std::string QueryTransactionalId(int64_t query_id);

// Fences earlier producers with this producer's transactional.id (aborting what they left open)
// and readies the producer for transactions.
Status KafkaInitTransactions(rd_kafka_t* producer, int timeout_ms, const KafkaSettings& settings);
Status KafkaBeginTransaction(rd_kafka_t* producer, const KafkaSettings& settings);
// Sends `positions` (next offset per partition of `source_topic`; negative ones are skipped:
// another worker's partitions) for `group` to the open transaction (nothing when `group` is
// empty: the source is not Kafka) and commits it; retries what
// librdkafka calls retriable, aborts the transaction when it must be aborted. An error means
// nothing of the transaction is visible.
Status KafkaCommitTransaction(rd_kafka_t* producer, const std::string& group,
                              const std::string& source_topic,
                              const std::vector<int64_t>& positions, int timeout_ms,
                              const KafkaSettings& settings);
// The offsets `consumer`'s group committed for each of `partitions` partitions of `topic` (-1
// where none).
Result<std::vector<int64_t>> KafkaCommittedOffsets(rd_kafka_t* consumer, const std::string& topic,
                                                   int32_t partitions, int timeout_ms,
                                                   const KafkaSettings& settings);

// Whether the record at `offset` of `topic`/`partition` is visible to a read_committed
// consumer: true when its transaction committed, false when it was aborted (the consumer skips
// it). Only meaningful once the transaction is settled (after a new producer with its
// transactional.id ran init_transactions); a broker that does not answer within `timeout_ms` is
// a retriable error.
Result<bool> KafkaRecordCommitted(const KafkaSettings& settings, const std::string& topic,
                                  int32_t partition, int64_t offset, int timeout_ms);

}  // namespace sluice
