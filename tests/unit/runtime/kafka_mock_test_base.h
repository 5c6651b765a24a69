#pragma once
// A fixture base for tests against librdkafka's in-process mock cluster (the real Kafka protocol
// on loopback): starts a one-broker cluster with the given topics and gives the store settings
// that reach it.

#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "runtime/connector/kafka/kafka_client.h"
#include "runtime/connector/source.h"

namespace sluice {

class KafkaMockTestBase : public ::testing::Test {
 protected:
  // Topics as (name, partitions).
  void StartCluster(const std::vector<std::pair<std::string, int>>& topics) {
    char error[256];
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "log_level", "3", error, sizeof(error));
    host_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, error, sizeof(error));
    ASSERT_NE(host_, nullptr) << error;
    cluster_ = rd_kafka_mock_cluster_new(host_, 1);
    ASSERT_NE(cluster_, nullptr);
    for (const auto& [name, partitions] : topics) {
      ASSERT_EQ(rd_kafka_mock_topic_create(cluster_, name.c_str(), partitions, 1),
                RD_KAFKA_RESP_ERR_NO_ERROR);
    }
    settings_ = {{"store", "k1"},
                 {"uris", rd_kafka_mock_cluster_bootstraps(cluster_)},
                 {"tls.disabled", "true"}};
  }
  void TearDown() override {
    if (cluster_ != nullptr) rd_kafka_mock_cluster_destroy(cluster_);
    if (host_ != nullptr) rd_kafka_destroy(host_);
  }

  // Polls until `rows` rows arrived or 10 s passed.
  static Status ReadRows(Source& source, size_t rows, RecordBatch& batch) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (batch.num_rows() < rows && std::chrono::steady_clock::now() < deadline) {
      RETURN_NOT_OK(source.Poll(1000, batch));
      if (batch.num_rows() < rows) source.WaitForData(100);
    }
    return Status::OK();
  }

  rd_kafka_t* host_ = nullptr;
  rd_kafka_mock_cluster_t* cluster_ = nullptr;
  KafkaSettings settings_;
};

}  // namespace sluice
