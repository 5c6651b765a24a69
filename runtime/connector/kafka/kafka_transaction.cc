// See kafka_transaction.h.

#include "runtime/connector/kafka/kafka_transaction.h"

#include <chrono>
#include <memory>
#include <thread>

namespace sluice {

namespace {

constexpr int kCommitAttempts = 5;

struct ErrorDeleter {
  void operator()(rd_kafka_error_t* error) const { rd_kafka_error_destroy(error); }
};
using ErrorPtr = std::unique_ptr<rd_kafka_error_t, ErrorDeleter>;

Status TransactionError(const char* what, const rd_kafka_error_t& error,
                        const KafkaSettings& settings) {
  Status status =
      Status::Connector(std::string("cannot ") + what + " a transaction in Kafka " +
                        KafkaStoreLabel(settings) + ": " + rd_kafka_error_string(&error));
  // A fatal error (this producer was fenced by a newer one) ends the query; any other leaves
  // the transaction uncommitted, and a retry resumes from the last committed one.
  return rd_kafka_error_is_fatal(&error) ? status : status.AsRetriable();
}

}  // namespace

std::string QueryTransactionalId(int64_t query_id) {
  return "sluice-query-" + std::to_string(query_id);
}

Status KafkaInitTransactions(rd_kafka_t* producer, int timeout_ms, const KafkaSettings& settings) {
  ErrorPtr error(rd_kafka_init_transactions(producer, timeout_ms));
  if (error) return TransactionError("initialize", *error, settings);
  return Status::OK();
}

Status KafkaBeginTransaction(rd_kafka_t* producer, const KafkaSettings& settings) {
  ErrorPtr error(rd_kafka_begin_transaction(producer));
  if (error) return TransactionError("begin", *error, settings);
  return Status::OK();
}

Status KafkaCommitTransaction(rd_kafka_t* producer, const std::string& group,
                              const std::string& source_topic,
                              const std::vector<int64_t>& positions, int timeout_ms,
                              const KafkaSettings& settings) {
  rd_kafka_topic_partition_list_t* offsets =
      rd_kafka_topic_partition_list_new(static_cast<int>(positions.size()));
  for (size_t partition = 0; partition < positions.size(); ++partition) {
    // Negative: a partition another worker of the query reads and commits.
    if (positions[partition] < 0) continue;
    rd_kafka_topic_partition_list_add(offsets, source_topic.c_str(),
                                      static_cast<int32_t>(partition))
        ->offset = positions[partition];
  }
  // No group: positions of a local topic, which Kafka must not be told about.
  rd_kafka_consumer_group_metadata_t* group_metadata =
      group.empty() ? nullptr : rd_kafka_consumer_group_metadata_new(group.c_str());
  ErrorPtr error;
  const char* step = "send offsets to";
  // Retriable errors (a coordinator moving, a request timing out) are retried as librdkafka
  // documents: both calls may be repeated until they succeed or fail for good.
  for (int attempt = 0; attempt < kCommitAttempts; ++attempt) {
    if (attempt > 0) std::this_thread::sleep_for(std::chrono::milliseconds(100 << attempt));
    step = "send offsets to";
    if (group_metadata != nullptr) {
      error.reset(
          rd_kafka_send_offsets_to_transaction(producer, offsets, group_metadata, timeout_ms));
    }
    if (!error) {
      step = "commit";
      error.reset(rd_kafka_commit_transaction(producer, timeout_ms));
    }
    if (!error || !rd_kafka_error_is_retriable(error.get())) break;
  }
  if (group_metadata != nullptr) rd_kafka_consumer_group_metadata_destroy(group_metadata);
  rd_kafka_topic_partition_list_destroy(offsets);
  if (!error) return Status::OK();
  Status status = TransactionError(step, *error, settings);
  if (rd_kafka_error_txn_requires_abort(error.get())) {
    // Nothing of this transaction may become visible; the query fails and resumes from the
    // offsets of the last committed transaction.
    ErrorPtr abort_error(rd_kafka_abort_transaction(producer, timeout_ms));
    (void)abort_error;
  }
  return status;
}

Result<std::vector<int64_t>> KafkaCommittedOffsets(rd_kafka_t* consumer, const std::string& topic,
                                                   int32_t partitions, int timeout_ms,
                                                   const KafkaSettings& settings) {
  rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(partitions);
  for (int32_t partition = 0; partition < partitions; ++partition) {
    rd_kafka_topic_partition_list_add(list, topic.c_str(), partition);
  }
  rd_kafka_resp_err_t err = rd_kafka_committed(consumer, list, timeout_ms);
  std::vector<int64_t> offsets(static_cast<size_t>(partitions), -1);
  if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
    for (int element_idx = 0; element_idx < list->cnt; ++element_idx) {
      const rd_kafka_topic_partition_t& element = list->elems[element_idx];
      if (element.err == RD_KAFKA_RESP_ERR_NO_ERROR && element.offset >= 0 &&
          element.partition < partitions) {
        offsets[static_cast<size_t>(element.partition)] = element.offset;
      }
    }
  }
  rd_kafka_topic_partition_list_destroy(list);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return Status::Connector("cannot read the committed offsets of topic '" + topic +
                             "' from Kafka " + KafkaStoreLabel(settings) + ": " +
                             rd_kafka_err2str(err));
  }
  return offsets;
}

Result<bool> KafkaRecordCommitted(const KafkaSettings& settings, const std::string& topic,
                                  int32_t partition, int64_t offset, int timeout_ms) {
  ASSIGN_OR_RETURN(KafkaHandle consumer,
                   CreateKafkaHandle(RD_KAFKA_CONSUMER, settings,
                                     {{"group.id", "sluice-transaction-check"},
                                      {"isolation.level", "read_committed"},
                                      {"enable.auto.commit", "false"},
                                      {"enable.partition.eof", "true"},
                                      {"allow.auto.create.topics", "false"}},
                                     nullptr));
  rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(list, topic.c_str(), partition)->offset = offset;
  rd_kafka_resp_err_t err = rd_kafka_assign(consumer.get(), list);
  rd_kafka_topic_partition_list_destroy(list);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return Status::Connector("cannot read topic '" + topic +
                             "' to settle a transaction: " + rd_kafka_err2str(err));
  }
  // The first thing a read_committed consumer gets from `offset` is the record itself when its
  // transaction committed; an aborted one is skipped (a later record, or the partition's end).
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  std::string last_error = "no answer";
  while (std::chrono::steady_clock::now() < deadline) {
    rd_kafka_message_t* message = rd_kafka_consumer_poll(consumer.get(), 100);
    if (message == nullptr) continue;
    const rd_kafka_resp_err_t message_err = message->err;
    const int64_t message_offset = message->offset;
    rd_kafka_message_destroy(message);
    if (message_err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      (void)rd_kafka_assign(consumer.get(), nullptr);
      return message_offset == offset;
    }
    if (message_err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      (void)rd_kafka_assign(consumer.get(), nullptr);
      return false;
    }
    last_error = rd_kafka_err2str(message_err);
  }
  return Status::Connector(KafkaUnreachablePrefix(settings) + ": cannot read record " +
                           std::to_string(offset) + " of topic '" + topic + "' partition " +
                           std::to_string(partition) + " to settle the transaction a crash " +
                           "interrupted (" + last_error + ")")
      .AsRetriable();
}

}  // namespace sluice
