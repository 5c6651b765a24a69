#pragma once
// librdkafka plumbing shared by the Kafka source, sink and the engine's topic checks: turning a
// store's settings into a client configuration, owning client handles, and the two metadata
// calls Sluice needs (partition count, end offsets). Every network call has a timeout, so an
// unreachable broker becomes a CONNECTOR error, never a hang.

#include <librdkafka/rdkafka.h>

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"

namespace sluice {

using KafkaSettings = std::map<std::string, std::string>;

// Store setting with the store's name (set by the planner, used to fetch its credentials and
// for messages), and the placeholder the catalog keeps instead of a secret.
inline constexpr const char* kStoreNameProperty = "store";
inline constexpr const char* kRedactedSecret = "********";

// How long a query keeps retrying while no broker answers before it fails (store setting
// 'unavailable.timeout.ms'); how long one metadata round trip may take.
inline constexpr int kDefaultUnavailableTimeoutMs = 30000;
inline constexpr int kMetadataTimeoutMs = 10000;

// The librdkafka properties for a store's settings (DESCRIBE STORE keys plus opened secrets):
// uris -> bootstrap.servers; kafka.sasl.hash_function NONE|PLAIN|SHA256|SHA512 -> SASL
// mechanism; tls.* -> ssl.*; any other kafka.<p> -> <p>. Fails when a secret is still redacted
// (the credentials did not reach this process).
Result<std::vector<std::pair<std::string, std::string>>> KafkaClientProperties(
    const KafkaSettings& settings);

// A store's display name for messages: "store 'k1' (localhost:9092)".
std::string KafkaStoreLabel(const KafkaSettings& settings);

struct KafkaHandleDeleter {
  void operator()(rd_kafka_t* handle) const;
};
using KafkaHandle = std::unique_ptr<rd_kafka_t, KafkaHandleDeleter>;

// The latest client-level error librdkafka reported (broker down, authentication failure),
// served on the thread that polls the handle.
struct KafkaErrorState {
  std::string last_error;
  bool fatal = false;  // authentication failed or the client hit a fatal error: stop retrying
  bool authentication_failed = false;
};

// True for errors that say a broker could not be reached or did not answer in time (transport
// failures, timeouts, a leader or coordinator not available): transient, so a query that hits
// one is retried (Status::AsRetriable) rather than failed.
bool IsTransientKafkaError(rd_kafka_resp_err_t err);

// "broker unreachable for store k (host:port)": how every transient failure of a store starts,
// so SHOW QUERIES reads the same whichever request noticed it.
std::string KafkaUnreachablePrefix(const KafkaSettings& settings);

// The error that ends a query once `errors` is fatal: "authentication failed for store k ..."
// (with what to do about it) or "Kafka store 'k' (...) failed: ...".
Status KafkaFatalError(const KafkaErrorState& errors, const KafkaSettings& settings);

// Creates a producer or consumer for `settings` plus `extra` librdkafka properties. `errors`
// (optional) outlives the handle and receives background errors; librdkafka's own logging is
// kept off stderr (it could name hosts and users) and folded into `errors` instead.
Result<KafkaHandle> CreateKafkaHandle(rd_kafka_type_t type, const KafkaSettings& settings,
                                      const std::vector<std::pair<std::string, std::string>>& extra,
                                      KafkaErrorState* errors,
                                      void (*on_delivery)(rd_kafka_t*, const rd_kafka_message_t*,
                                                          void*) = nullptr);

struct KafkaTopicInfo {
  std::string name;
  int32_t partitions = 0;
  rd_kafka_resp_err_t error = RD_KAFKA_RESP_ERR_NO_ERROR;  // as the broker reported the topic
};

// Every topic of the cluster, sorted by name. With the handle's `errors`, a failed login ends
// the wait early with KafkaFatalError.
Result<std::vector<KafkaTopicInfo>> KafkaListTopics(rd_kafka_t* handle,
                                                    const KafkaSettings& settings, int timeout_ms,
                                                    KafkaErrorState* errors = nullptr);

// Partition count of `topic`; a CONNECTOR error naming the store when no broker answers within
// the timeout or the topic does not exist.
Result<int32_t> KafkaTopicPartitions(rd_kafka_t* handle, const KafkaSettings& settings,
                                     const std::string& topic, int timeout_ms,
                                     KafkaErrorState* errors = nullptr);

// Low and high watermark of each of `partitions` partitions.
Result<std::vector<std::pair<int64_t, int64_t>>> KafkaWatermarks(rd_kafka_t* handle,
                                                                 const std::string& topic,
                                                                 int32_t partitions,
                                                                 int timeout_ms);

// Engine-side helpers that open a short-lived client: partition count, and end offsets per
// partition (FLUSH targets).
Result<int32_t> FetchKafkaTopicPartitions(const KafkaSettings& settings, const std::string& topic);
Result<std::vector<KafkaTopicInfo>> FetchKafkaTopics(const KafkaSettings& settings);
// Creates `topic` with the Admin API (an existing topic is not an error; the caller checks its
// partition count). A CONNECTOR error naming the store when the cluster refuses or does not answer.
Status CreateKafkaTopic(const KafkaSettings& settings, const std::string& topic, int32_t partitions,
                        int32_t replicas);
Result<std::vector<int64_t>> FetchKafkaEndOffsets(const KafkaSettings& settings,
                                                  const std::string& topic);

}  // namespace sluice
