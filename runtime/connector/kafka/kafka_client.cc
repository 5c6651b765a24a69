// See kafka_client.h.

#include "runtime/connector/kafka/kafka_client.h"

#include <algorithm>

namespace sluice {

namespace {

constexpr int kMetadataSliceMs = 1000;

std::string Get(const KafkaSettings& settings, const std::string& key, std::string fallback = "") {
  auto found = settings.find(key);
  return found == settings.end() ? fallback : found->second;
}

void OnError(rd_kafka_t* handle, int err, const char* reason, void* opaque) {
  auto* errors = static_cast<KafkaErrorState*>(opaque);
  if (errors == nullptr) return;
  const auto code = static_cast<rd_kafka_resp_err_t>(err);
  if (code == RD_KAFKA_RESP_ERR__AUTHENTICATION || code == RD_KAFKA_RESP_ERR__FATAL) {
    errors->fatal = true;
  }
  if (code == RD_KAFKA_RESP_ERR__AUTHENTICATION) errors->authentication_failed = true;
  if (code == RD_KAFKA_RESP_ERR__FATAL) {
    char fatal[512];
    rd_kafka_fatal_error(handle, fatal, sizeof(fatal));
    errors->last_error = fatal;
  } else {
    errors->last_error = reason != nullptr ? reason : rd_kafka_err2str(code);
  }
}

// librdkafka logs from its own threads to stderr by default; Sluice reports errors through
// error_cb (above) instead, so log lines are dropped.
void OnLog(const rd_kafka_t*, int, const char*, const char*) {}

}  // namespace

void KafkaHandleDeleter::operator()(rd_kafka_t* handle) const {
  if (handle == nullptr) return;
  rd_kafka_destroy(handle);
}

Status KafkaFatalError(const KafkaErrorState& errors, const KafkaSettings& settings) {
  if (errors.authentication_failed) {
    const std::string store = Get(settings, kStoreNameProperty, "?");
    // Retrying cannot help: the credentials are wrong until someone changes them.
    return Status::Connector("authentication failed for store " + store + " (" +
                             Get(settings, "uris") + "): " + errors.last_error +
                             "; fix the credentials with ALTER STORE " + store +
                             " SET (...), then RESTART QUERY");
  }
  return Status::Connector("Kafka " + KafkaStoreLabel(settings) + " failed: " + errors.last_error);
}

bool IsTransientKafkaError(rd_kafka_resp_err_t err) {
  switch (err) {
    case RD_KAFKA_RESP_ERR__TRANSPORT:
    case RD_KAFKA_RESP_ERR__TIMED_OUT:
    case RD_KAFKA_RESP_ERR__MSG_TIMED_OUT:
    case RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN:
    case RD_KAFKA_RESP_ERR__RESOLVE:
    case RD_KAFKA_RESP_ERR__WAIT_COORD:
    case RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT:
    case RD_KAFKA_RESP_ERR_NETWORK_EXCEPTION:
    case RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE:
    case RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION:
    case RD_KAFKA_RESP_ERR_BROKER_NOT_AVAILABLE:
    case RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE:
    case RD_KAFKA_RESP_ERR_NOT_COORDINATOR:
    case RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS: return true;
    default: return false;
  }
}

std::string KafkaUnreachablePrefix(const KafkaSettings& settings) {
  return "broker unreachable for store " + Get(settings, kStoreNameProperty, "?") + " (" +
         Get(settings, "uris") + ")";
}

std::string KafkaStoreLabel(const KafkaSettings& settings) {
  return "store '" + Get(settings, kStoreNameProperty, "?") + "' (" + Get(settings, "uris") + ")";
}

Result<std::vector<std::pair<std::string, std::string>>> KafkaClientProperties(
    const KafkaSettings& settings) {
  std::vector<std::pair<std::string, std::string>> out;
  const bool tls = Get(settings, "tls.disabled", "false") != "true";
  const std::string hash = Get(settings, "kafka.sasl.hash_function", "NONE");
  out.emplace_back("bootstrap.servers", Get(settings, "uris"));
  if (hash == "NONE") {
    out.emplace_back("security.protocol", tls ? "ssl" : "plaintext");
  } else {
    out.emplace_back("security.protocol", tls ? "sasl_ssl" : "sasl_plaintext");
    out.emplace_back("sasl.mechanism", hash == "PLAIN"    ? "PLAIN"
                                       : hash == "SHA256" ? "SCRAM-SHA-256"
                                                          : "SCRAM-SHA-512");
  }
  if (tls) {
    std::string ca = Get(settings, "tls.ca.file");
    if (!ca.empty()) out.emplace_back("ssl.ca.location", ca);
    if (Get(settings, "tls.verify_server_hostname", "true") == "false") {
      out.emplace_back("ssl.endpoint.identification.algorithm", "none");
    }
  }
  for (const auto& [key, value] : settings) {
    if (key.rfind("kafka.", 0) != 0 || key == "kafka.sasl.hash_function") continue;
    if (value == kRedactedSecret) {
      return Status::Connector("the credentials of " + KafkaStoreLabel(settings) +
                               " did not reach this process ('" + key + "' is still redacted)");
    }
    out.emplace_back(key.substr(6), value);
  }
  return out;
}

Result<KafkaHandle> CreateKafkaHandle(rd_kafka_type_t type, const KafkaSettings& settings,
                                      const std::vector<std::pair<std::string, std::string>>& extra,
                                      KafkaErrorState* errors,
                                      void (*on_delivery)(rd_kafka_t*, const rd_kafka_message_t*,
                                                          void*)) {
  ASSIGN_OR_RETURN(auto properties, KafkaClientProperties(settings));
  properties.insert(properties.end(), extra.begin(), extra.end());
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char error[512];
  for (const auto& [key, value] : properties) {
    if (rd_kafka_conf_set(conf, key.c_str(), value.c_str(), error, sizeof(error)) !=
        RD_KAFKA_CONF_OK) {
      rd_kafka_conf_destroy(conf);
      // Never echo the value: it may be a credential.
      return Status::Connector("bad Kafka setting '" + key + "' for " + KafkaStoreLabel(settings) +
                               ": " + error);
    }
  }
  rd_kafka_conf_set_opaque(conf, errors);
  rd_kafka_conf_set_error_cb(conf, OnError);
  rd_kafka_conf_set_log_cb(conf, OnLog);
  if (on_delivery != nullptr) rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
  rd_kafka_t* handle = rd_kafka_new(type, conf, error, sizeof(error));
  if (handle == nullptr) {
    rd_kafka_conf_destroy(conf);
    return Status::Connector("cannot create a Kafka client for " + KafkaStoreLabel(settings) +
                             ": " + error);
  }
  return KafkaHandle(handle);
}

Result<std::vector<KafkaTopicInfo>> KafkaListTopics(rd_kafka_t* handle,
                                                    const KafkaSettings& settings, int timeout_ms,
                                                    KafkaErrorState* errors) {
  // Asks for all topics: a request naming a topic can auto-create it on brokers that allow
  // that, and a missing topic must be an error, not a new empty topic. In slices of a second,
  // serving error events in between, so a rejected login ends the wait at once.
  const rd_kafka_metadata_t* metadata = nullptr;
  rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR__TIMED_OUT;
  for (int waited = 0; waited < timeout_ms; waited += kMetadataSliceMs) {
    err = rd_kafka_metadata(handle, 1, nullptr, &metadata,
                            std::min(kMetadataSliceMs, timeout_ms - waited));
    if (err != RD_KAFKA_RESP_ERR__TIMED_OUT && err != RD_KAFKA_RESP_ERR__TRANSPORT) break;
    if (errors == nullptr) continue;
    rd_kafka_poll(handle, 0);
    if (errors->fatal) return KafkaFatalError(*errors, settings);
  }
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    Status status =
        Status::Connector(KafkaUnreachablePrefix(settings) + ": no answer within " +
                          std::to_string(timeout_ms / 1000) + " s: " + rd_kafka_err2str(err) +
                          " (check 'uris' and that the brokers are up)");
    return IsTransientKafkaError(err) ? status.AsRetriable() : status;
  }
  std::vector<KafkaTopicInfo> topics;
  for (int topic_idx = 0; topic_idx < metadata->topic_cnt; ++topic_idx) {
    const rd_kafka_metadata_topic_t& entry = metadata->topics[topic_idx];
    topics.push_back(KafkaTopicInfo{entry.topic, entry.partition_cnt, entry.err});
  }
  rd_kafka_metadata_destroy(metadata);
  std::sort(topics.begin(), topics.end(),
            [](const KafkaTopicInfo& a, const KafkaTopicInfo& b) { return a.name < b.name; });
  return topics;
}

Result<int32_t> KafkaTopicPartitions(rd_kafka_t* handle, const KafkaSettings& settings,
                                     const std::string& topic, int timeout_ms,
                                     KafkaErrorState* errors) {
  ASSIGN_OR_RETURN(std::vector<KafkaTopicInfo> topics,
                   KafkaListTopics(handle, settings, timeout_ms, errors));
  for (const KafkaTopicInfo& entry : topics) {
    if (entry.name != topic) continue;
    if (entry.error == RD_KAFKA_RESP_ERR_NO_ERROR && entry.partitions > 0) return entry.partitions;
    if (entry.error != RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART && entry.partitions > 0) {
      return Status::Connector("topic '" + topic + "' in Kafka " + KafkaStoreLabel(settings) +
                               ": " + rd_kafka_err2str(entry.error));
    }
  }
  return Status::Connector("topic '" + topic + "' does not exist in Kafka " +
                           KafkaStoreLabel(settings));
}

Result<std::vector<std::pair<int64_t, int64_t>>> KafkaWatermarks(rd_kafka_t* handle,
                                                                 const std::string& topic,
                                                                 int32_t partitions,
                                                                 int timeout_ms) {
  std::vector<std::pair<int64_t, int64_t>> out;
  for (int32_t partition = 0; partition < partitions; ++partition) {
    int64_t low = 0;
    int64_t high = 0;
    rd_kafka_resp_err_t err =
        rd_kafka_query_watermark_offsets(handle, topic.c_str(), partition, &low, &high, timeout_ms);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      Status status =
          Status::Connector("cannot read the offsets of topic '" + topic + "' partition " +
                            std::to_string(partition) + ": " + rd_kafka_err2str(err));
      return IsTransientKafkaError(err) ? status.AsRetriable() : status;
    }
    out.emplace_back(low, high);
  }
  return out;
}

Result<int32_t> FetchKafkaTopicPartitions(const KafkaSettings& settings, const std::string& topic) {
  KafkaErrorState errors;  // before the handle: written until it is destroyed
  ASSIGN_OR_RETURN(KafkaHandle handle,
                   CreateKafkaHandle(RD_KAFKA_PRODUCER, settings,
                                     {{"allow.auto.create.topics", "false"}}, &errors));
  return KafkaTopicPartitions(handle.get(), settings, topic, kMetadataTimeoutMs, &errors);
}

Result<std::vector<KafkaTopicInfo>> FetchKafkaTopics(const KafkaSettings& settings) {
  KafkaErrorState errors;  // before the handle: written until it is destroyed
  ASSIGN_OR_RETURN(KafkaHandle handle,
                   CreateKafkaHandle(RD_KAFKA_PRODUCER, settings,
                                     {{"allow.auto.create.topics", "false"}}, &errors));
  return KafkaListTopics(handle.get(), settings, kMetadataTimeoutMs, &errors);
}

Status CreateKafkaTopic(const KafkaSettings& settings, const std::string& topic, int32_t partitions,
                        int32_t replicas) {
  ASSIGN_OR_RETURN(KafkaHandle handle,
                   CreateKafkaHandle(RD_KAFKA_PRODUCER, settings,
                                     {{"allow.auto.create.topics", "false"}}, nullptr));
  char error[512] = {0};
  rd_kafka_NewTopic_t* new_topic =
      rd_kafka_NewTopic_new(topic.c_str(), partitions, replicas, error, sizeof(error));
  if (new_topic == nullptr) {
    return Status::Connector("cannot create topic '" + topic + "': " + error);
  }
  rd_kafka_queue_t* queue = rd_kafka_queue_new(handle.get());
  rd_kafka_AdminOptions_t* options =
      rd_kafka_AdminOptions_new(handle.get(), RD_KAFKA_ADMIN_OP_CREATETOPICS);
  rd_kafka_AdminOptions_set_request_timeout(options, kMetadataTimeoutMs, error, sizeof(error));
  rd_kafka_CreateTopics(handle.get(), &new_topic, 1, options, queue);
  // The request carries its own timeout; the poll waits a little longer for its answer.
  rd_kafka_event_t* event = rd_kafka_queue_poll(queue, kMetadataTimeoutMs + 2000);
  Status status = Status::OK();
  const std::string what =
      "cannot create topic '" + topic + "' in Kafka " + KafkaStoreLabel(settings);
  if (event == nullptr) {
    status =
        Status::Connector(what + ": no answer within " + std::to_string(kMetadataTimeoutMs / 1000) +
                          " s (create it with the cluster's tools, then retry)");
  } else if (rd_kafka_event_error(event) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    status = Status::Connector(what + ": " + rd_kafka_event_error_string(event));
  } else {
    size_t count = 0;
    const rd_kafka_topic_result_t** results =
        rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(event), &count);
    for (size_t result_idx = 0; result_idx < count; ++result_idx) {
      rd_kafka_resp_err_t err = rd_kafka_topic_result_error(results[result_idx]);
      if (err != RD_KAFKA_RESP_ERR_NO_ERROR && err != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
        const char* message = rd_kafka_topic_result_error_string(results[result_idx]);
        status =
            Status::Connector(what + ": " + (message != nullptr ? message : rd_kafka_err2str(err)));
      }
    }
  }
  if (event != nullptr) rd_kafka_event_destroy(event);
  rd_kafka_AdminOptions_destroy(options);
  rd_kafka_queue_destroy(queue);
  rd_kafka_NewTopic_destroy(new_topic);
  return status;
}

Result<std::vector<int64_t>> FetchKafkaEndOffsets(const KafkaSettings& settings,
                                                  const std::string& topic) {
  ASSIGN_OR_RETURN(KafkaHandle handle,
                   CreateKafkaHandle(RD_KAFKA_PRODUCER, settings,
                                     {{"allow.auto.create.topics", "false"}}, nullptr));
  ASSIGN_OR_RETURN(int32_t partitions,
                   KafkaTopicPartitions(handle.get(), settings, topic, kMetadataTimeoutMs));
  ASSIGN_OR_RETURN(auto watermarks,
                   KafkaWatermarks(handle.get(), topic, partitions, kMetadataTimeoutMs));
  std::vector<int64_t> ends;
  for (const auto& [low, high] : watermarks) ends.push_back(high);
  return ends;
}

}  // namespace sluice
