// sluice_kafka_mock: starts librdkafka's mock Kafka cluster on loopback for tests, prints its
// bootstrap servers on the first line of stdout, and stays up until stdin closes. The mock speaks
// the real Kafka protocol, so kcat and Sluice's connectors talk to it as to a broker.
//
//   sluice_kafka_mock [--brokers N] [--topic name:partitions]...
//
// Lines on stdin drive faults: "down <broker_id>" / "up <broker_id>" take a broker off or back
// on the network (broker ids start at 1); "delete <topic>" makes the cluster answer for the topic
// as if it were deleted; "fail <api key> <count> <error code>" fails the next requests of an API.
// Each command is answered with "ok" or "error: ...".

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace {

int Usage(const char* message) {
  std::fprintf(stderr,
               "sluice_kafka_mock: %s\nusage: sluice_kafka_mock [--brokers N] "
               "[--topic name:partitions]...\n",
               message);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  int brokers = 1;
  std::vector<std::pair<std::string, int>> topics;
  for (int arg_idx = 1; arg_idx < argc; ++arg_idx) {
    std::string arg = argv[arg_idx];
    if (arg_idx + 1 >= argc) return Usage(("missing value after " + arg).c_str());
    std::string value = argv[++arg_idx];
    if (arg == "--brokers") {
      brokers = std::atoi(value.c_str());
      if (brokers < 1) return Usage("--brokers needs a positive number");
    } else if (arg == "--topic") {
      size_t colon = value.rfind(':');
      if (colon == std::string::npos) return Usage("--topic takes name:partitions");
      topics.emplace_back(value.substr(0, colon), std::atoi(value.c_str() + colon + 1));
    } else {
      return Usage(("unknown argument " + arg).c_str());
    }
  }

  // The mock cluster lives inside a client handle's threads; a producer is the cheapest one.
  char error[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  // The hosting handle never connects anywhere; keep its "no bootstrap.servers" warning quiet.
  rd_kafka_conf_set(conf, "log_level", "3", error, sizeof(error));
  rd_kafka_t* handle = rd_kafka_new(RD_KAFKA_PRODUCER, conf, error, sizeof(error));
  if (handle == nullptr) return Usage(error);
  rd_kafka_mock_cluster_t* cluster = rd_kafka_mock_cluster_new(handle, brokers);
  if (cluster == nullptr) return Usage("cannot start the mock cluster");
  for (const auto& [name, partitions] : topics) {
    rd_kafka_resp_err_t err = rd_kafka_mock_topic_create(cluster, name.c_str(), partitions, 1);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return Usage(rd_kafka_err2str(err));
  }
  std::cout << rd_kafka_mock_cluster_bootstraps(cluster) << std::endl;

  std::string line;
  while (std::getline(std::cin, line)) {
    std::istringstream words(line);
    std::string command;
    words >> command;
    rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR__INVALID_ARG;
    if (command == "down" || command == "up") {
      int32_t broker_id = -1;
      words >> broker_id;
      err = command == "down" ? rd_kafka_mock_broker_set_down(cluster, broker_id)
                              : rd_kafka_mock_broker_set_up(cluster, broker_id);
    } else if (command == "delete") {
      // The mock cannot delete a topic; it can answer for it as a cluster does once it is gone.
      std::string topic;
      words >> topic;
      if (!topic.empty()) {
        rd_kafka_mock_topic_set_error(cluster, topic.c_str(),
                                      RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART);
        err = RD_KAFKA_RESP_ERR_NO_ERROR;
      }
    } else if (command == "fail") {
      // fail <api key> <count> <error code>: the next <count> requests of that API fail.
      int api_key = -1;
      int count = 0;
      int code = 0;
      words >> api_key >> count >> code;
      if (api_key >= 0 && count > 0) {
        std::vector<rd_kafka_resp_err_t> errors(static_cast<size_t>(count),
                                                static_cast<rd_kafka_resp_err_t>(code));
        rd_kafka_mock_push_request_errors_array(cluster, static_cast<int16_t>(api_key),
                                                errors.size(), errors.data());
        err = RD_KAFKA_RESP_ERR_NO_ERROR;
      }
    }
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      std::cout << "ok" << std::endl;
    } else {
      std::cout << "error: " << rd_kafka_err2str(err) << std::endl;
    }
  }
  rd_kafka_mock_cluster_destroy(cluster);
  rd_kafka_destroy(handle);
  return 0;
}
