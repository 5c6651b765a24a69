// KafkaSink and KafkaSource against librdkafka's in-process mock cluster (the real Kafka
// protocol on loopback): a round trip, starting positions, the bad record policy, and the
// errors for a missing topic and for credentials that never arrived.

#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <chrono>
#include <memory>
#include <string>

#include "runtime/connector/kafka/kafka_sink.h"
#include "runtime/connector/kafka/kafka_source.h"
#include "tests/unit/runtime/kafka_mock_test_base.h"

namespace sluice {
namespace {

class KafkaConnectorTest : public KafkaMockTestBase {
 protected:
  void SetUp() override { StartCluster({{"t", 2}}); }

  Schema schema() const {
    return Schema({Field{"id", DataType::Bigint()}, Field{"name", DataType::Varchar()}});
  }

  SourceSpec SourceSpecFor(bool earliest) const {
    SourceSpec spec;
    spec.store_type = "kafka";
    spec.relation = "db.s.src";
    spec.topic = "t";
    spec.relation_schema = schema();
    spec.columns = {0, 1};
    spec.start_at_earliest = earliest;
    spec.properties = settings_;
    return spec;
  }

  // Writes rows (id, "n<id>") for ids [first, first + count) and waits for acknowledgement.
  SinkSpec SinkSpecFor() const {
    SinkSpec spec;
    spec.kind = SinkKind::kKafka;
    spec.relation = "db.s.dst";
    spec.topic = "t";
    spec.schema = schema();
    spec.key_columns = {0};
    spec.properties = settings_;
    return spec;
  }

  void Produce(int64_t first, int64_t count) {
    Result<std::unique_ptr<KafkaSink>> sink = KafkaSink::Open(SinkSpecFor());
    ASSERT_TRUE(sink.ok()) << sink.status().ToString();
    RecordBatch batch(schema());
    for (int64_t id = first; id < first + count; ++id) {
      batch.column(0).AppendValue(Value::Bigint(id));
      batch.column(1).AppendValue(Value::Varchar("n" + std::to_string(id)));
      batch.meta().push_back(RecordMeta{1000 + id, 0, 0});
      batch.keys().emplace_back();
    }
    ASSERT_TRUE((*sink)->Write(batch).ok());
    ASSERT_TRUE((*sink)->Flush().ok());
  }

  // Polls until the source fails or 20 s passed; the error, or OK.
  static Status PollUntilError(Source& source, RecordBatch& batch) {
    Status status = Status::OK();
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (status.ok() && std::chrono::steady_clock::now() < deadline) {
      status = source.Poll(100, batch);
      source.WaitForData(100);
    }
    return status;
  }

  void ProduceRaw(const std::string& value) {
    char error[256];
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "bootstrap.servers", settings_["uris"].c_str(), error, sizeof(error));
    rd_kafka_t* producer = rd_kafka_new(RD_KAFKA_PRODUCER, conf, error, sizeof(error));
    ASSERT_NE(producer, nullptr);
    ASSERT_EQ(rd_kafka_producev(producer, RD_KAFKA_V_TOPIC("t"), RD_KAFKA_V_PARTITION(1),
                                RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
                                RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END),
              RD_KAFKA_RESP_ERR_NO_ERROR);
    ASSERT_EQ(rd_kafka_flush(producer, 10000), RD_KAFKA_RESP_ERR_NO_ERROR);
    rd_kafka_destroy(producer);
  }
};

TEST_F(KafkaConnectorTest, RoundTripsRowsAndTracksPositionsPerPartition) {
  Produce(1, 10);
  Result<std::unique_ptr<KafkaSource>> source =
      KafkaSource::Open(SourceSpecFor(true), "/nonexistent");
  ASSERT_TRUE(source.ok()) << source.status().ToString();
  RecordBatch batch(schema());
  ASSERT_TRUE(ReadRows(**source, 10, batch).ok());
  ASSERT_EQ(batch.num_rows(), 10u);
  int64_t sum = 0;
  for (size_t row = 0; row < batch.num_rows(); ++row) sum += batch.column(0).GetInt64(row);
  EXPECT_EQ(sum, 55);
  std::vector<int64_t> positions = (*source)->positions();
  ASSERT_EQ(positions.size(), 2u);
  EXPECT_EQ(positions[0] + positions[1], 10);
  EXPECT_EQ((*source)->end_offsets(), positions);  // caught up: what FLUSH waits for
}

// 'parallelism': worker k of N reads only the partitions p with p % N == k, reports the others
// as kForeignPartition, and resumes its own from saved positions that carry that mark.
// An empty poll of a Kafka source does not mean it read everything: its first polls come back
// empty while the first fetches run. caught_up() says when each of its partitions reached its
// end once (a temporal join reads its changelog that far before the stream).
TEST_F(KafkaConnectorTest, CaughtUpOnceEveryPartitionReachedItsEnd) {
  Produce(1, 200);
  Result<std::unique_ptr<KafkaSource>> source =
      KafkaSource::Open(SourceSpecFor(true), "/nonexistent");
  ASSERT_TRUE(source.ok()) << source.status().ToString();
  RecordBatch first(schema());
  ASSERT_TRUE((*source)->Poll(1000, first).ok());
  EXPECT_FALSE((*source)->caught_up());  // nothing fetched yet
  RecordBatch batch(schema());
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!(*source)->caught_up() && std::chrono::steady_clock::now() < deadline) {
    ASSERT_TRUE((*source)->Poll(1000, batch).ok());
    if (!(*source)->caught_up()) (*source)->WaitForData(100);
  }
  ASSERT_TRUE((*source)->caught_up());
  EXPECT_EQ(first.num_rows() + batch.num_rows(), 200u);  // all of it, by the time it says so
}

// An empty partition reaches its end too: a changelog with one must not hold a join's stream.
TEST_F(KafkaConnectorTest, CaughtUpWithAnEmptyPartition) {
  ProduceRaw(R"({"id": 1, "name": "a"})");  // partition 1 only
  Result<std::unique_ptr<KafkaSource>> source =
      KafkaSource::Open(SourceSpecFor(true), "/nonexistent");
  ASSERT_TRUE(source.ok()) << source.status().ToString();
  RecordBatch batch(schema());
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!(*source)->caught_up() && std::chrono::steady_clock::now() < deadline) {
    ASSERT_TRUE((*source)->Poll(1000, batch).ok());
    if (!(*source)->caught_up()) (*source)->WaitForData(100);
  }
  EXPECT_TRUE((*source)->caught_up());
  EXPECT_EQ(batch.num_rows(), 1u);
}

TEST_F(KafkaConnectorTest, AWorkerReadsOnlyItsShareOfThePartitions) {
  // Polls until the worker's partition is read up to the end it saw at Open (bounded).
  auto read_share = [](KafkaSource& source, int32_t own, RecordBatch& batch) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (source.positions()[own] < source.end_offsets()[own] &&
           std::chrono::steady_clock::now() < deadline) {
      ASSERT_TRUE(source.Poll(1000, batch).ok());
      source.WaitForData(100);
    }
    for (const RecordMeta& meta : batch.meta()) EXPECT_EQ(meta.partition, own);
    EXPECT_EQ(source.positions()[1 - own], kForeignPartition);
    EXPECT_EQ(source.end_offsets()[1 - own], kForeignPartition);
  };
  Produce(1, 10);
  std::vector<int64_t> merged(2, kForeignPartition);
  std::vector<int64_t> saved[2];
  int64_t rows_read = 0;
  for (int32_t worker_idx = 0; worker_idx < 2; ++worker_idx) {
    SourceSpec spec = SourceSpecFor(true);
    spec.worker_index = worker_idx;
    spec.worker_count = 2;
    Result<std::unique_ptr<KafkaSource>> source = KafkaSource::Open(spec, "/nonexistent");
    ASSERT_TRUE(source.ok()) << source.status().ToString();
    RecordBatch batch(schema());
    read_share(**source, worker_idx, batch);
    saved[worker_idx] = (*source)->positions();
    EXPECT_EQ(saved[worker_idx][worker_idx], static_cast<int64_t>(batch.num_rows()));
    rows_read += static_cast<int64_t>(batch.num_rows());
  }
  EXPECT_EQ(rows_read, 10);

  // Each resumes from its own saved positions and reads only what came after.
  Produce(100, 8);
  for (int32_t worker_idx = 0; worker_idx < 2; ++worker_idx) {
    SourceSpec spec = SourceSpecFor(true);
    spec.worker_index = worker_idx;
    spec.worker_count = 2;
    Result<std::unique_ptr<KafkaSource>> source = KafkaSource::Open(spec, "/nonexistent");
    ASSERT_TRUE(source.ok());
    ASSERT_TRUE((*source)->Seek(saved[worker_idx]).ok());
    RecordBatch batch(schema());
    read_share(**source, worker_idx, batch);
    for (size_t row = 0; row < batch.num_rows(); ++row) {
      EXPECT_GE(batch.column(0).GetInt64(row), 100);
    }
    rows_read += static_cast<int64_t>(batch.num_rows());
    merged[worker_idx] = (*source)->positions()[worker_idx];
  }
  EXPECT_EQ(rows_read, 18);
  EXPECT_EQ(merged[0] + merged[1], 18);
}

// A changelog's tombstone (key, no value): skipped by a stream read, a delete row of the key for
// the changelog side of a temporal join.
TEST_F(KafkaConnectorTest, TombstonesBecomeDeletesWhenAsked) {
  Produce(1, 2);
  Result<std::unique_ptr<KafkaSink>> sink = KafkaSink::Open(SinkSpecFor());
  ASSERT_TRUE(sink.ok()) << sink.status().ToString();
  RecordBatch deletes(schema());
  deletes.column(0).AppendValue(Value::Bigint(2));
  deletes.column(1).AppendNull();
  deletes.meta().push_back(RecordMeta{2000, 0, 0, RowKind::kDelete});
  deletes.keys().emplace_back();
  ASSERT_TRUE((*sink)->Write(deletes).ok());
  ASSERT_TRUE((*sink)->Flush().ok());

  SourceSpec with_deletes = SourceSpecFor(true);
  with_deletes.emit_deletes = true;
  with_deletes.key_columns = {0};
  Result<std::unique_ptr<KafkaSource>> source = KafkaSource::Open(with_deletes, "/nonexistent");
  ASSERT_TRUE(source.ok()) << source.status().ToString();
  RecordBatch batch(schema());
  ASSERT_TRUE(ReadRows(**source, 3, batch).ok());
  ASSERT_EQ(batch.num_rows(), 3u);
  int deleted = 0;
  for (size_t row = 0; row < batch.num_rows(); ++row) {
    if (batch.meta()[row].kind != RowKind::kDelete) continue;
    ++deleted;
    EXPECT_EQ(batch.column(0).GetInt64(row), 2);
    EXPECT_TRUE(batch.column(1).IsNull(row));
  }
  EXPECT_EQ(deleted, 1);

  Result<std::unique_ptr<KafkaSource>> stream = KafkaSource::Open(SourceSpecFor(true), "/x");
  ASSERT_TRUE(stream.ok()) << stream.status().ToString();
  RecordBatch rows(schema());
  // Read until all three records are consumed (positions), then count the rows they gave.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  auto consumed = [&] {
    int64_t total = 0;
    for (int64_t position : (*stream)->positions()) total += position;
    return total;
  };
  while (consumed() < 3 && std::chrono::steady_clock::now() < deadline) {
    ASSERT_TRUE((*stream)->Poll(1000, rows).ok());
    if (consumed() < 3) (*stream)->WaitForData(100);
  }
  EXPECT_EQ(consumed(), 3);
  EXPECT_EQ(rows.num_rows(), 2u);
}

TEST_F(KafkaConnectorTest, LatestStartsAfterWhatIsThere) {
  Produce(1, 3);
  Result<std::unique_ptr<KafkaSource>> source =
      KafkaSource::Open(SourceSpecFor(false), "/nonexistent");
  ASSERT_TRUE(source.ok()) << source.status().ToString();
  Produce(7, 1);
  RecordBatch batch(schema());
  ASSERT_TRUE(ReadRows(**source, 1, batch).ok());
  ASSERT_EQ(batch.num_rows(), 1u);
  EXPECT_EQ(batch.column(0).GetInt64(0), 7);
}

TEST_F(KafkaConnectorTest, BadRecordTerminatesWithItsOffsetOrIsSkipped) {
  ProduceRaw("{\"id\": 1, \"name\": \"a\"}");
  ProduceRaw("not json");
  Result<std::unique_ptr<KafkaSource>> strict =
      KafkaSource::Open(SourceSpecFor(true), "/nonexistent");
  ASSERT_TRUE(strict.ok());
  RecordBatch batch(schema());
  Status status = ReadRows(**strict, 2, batch);
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find("topic t partition 1 offset 1"), std::string::npos)
      << status.message();

  SourceSpec lenient_spec = SourceSpecFor(true);
  lenient_spec.error_handling = ErrorHandling::kIgnore;
  Result<std::unique_ptr<KafkaSource>> lenient = KafkaSource::Open(lenient_spec, "/nonexistent");
  ASSERT_TRUE(lenient.ok());
  RecordBatch rows(schema());
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while ((*lenient)->stats().records_failed == 0 && std::chrono::steady_clock::now() < deadline) {
    ASSERT_TRUE((*lenient)->Poll(100, rows).ok());
    (*lenient)->WaitForData(100);
  }
  EXPECT_EQ(rows.num_rows(), 1u);
  EXPECT_EQ((*lenient)->stats().records_failed, 1);
}

TEST_F(KafkaConnectorTest, MissingTopicAndRedactedSecretAreConnectorErrors) {
  SourceSpec missing = SourceSpecFor(true);
  missing.topic = "nope";
  Result<std::unique_ptr<KafkaSource>> source = KafkaSource::Open(missing, "/nonexistent");
  ASSERT_FALSE(source.ok());
  EXPECT_EQ(source.status().category(), ErrorCategory::kConnector);
  EXPECT_NE(source.status().message().find("topic 'nope' does not exist in Kafka store 'k1'"),
            std::string::npos)
      << source.status().message();
  EXPECT_FALSE(source.status().retriable());  // waiting cannot create it

  SourceSpec redacted = SourceSpecFor(true);
  redacted.properties["kafka.sasl.password"] = kRedactedSecret;
  source = KafkaSource::Open(redacted, "/nonexistent");
  ASSERT_FALSE(source.ok());
  EXPECT_NE(source.status().message().find("did not reach this process"), std::string::npos);
}

TEST_F(KafkaConnectorTest, ADeletedTopicFailsTheSourceNamingIt) {
  Produce(1, 2);
  Result<std::unique_ptr<KafkaSource>> source =
      KafkaSource::Open(SourceSpecFor(true), "/nonexistent");
  ASSERT_TRUE(source.ok()) << source.status().ToString();
  RecordBatch batch(schema());
  ASSERT_TRUE(ReadRows(**source, 2, batch).ok());
  // The mock answers metadata for the topic as a cluster does once it was deleted.
  rd_kafka_mock_topic_set_error(cluster_, "t", RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART);
  Status status = PollUntilError(**source, batch);
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find("topic 't' of db.s.src no longer exists in Kafka store 'k1'"),
            std::string::npos)
      << status.message();
  EXPECT_FALSE(status.retriable());
}

TEST_F(KafkaConnectorTest, AnUnreachableBrokerIsATransientErrorNamingTheStore) {
  Produce(1, 2);
  SourceSpec spec = SourceSpecFor(true);
  spec.properties["unavailable.timeout.ms"] = "2000";
  Result<std::unique_ptr<KafkaSource>> source = KafkaSource::Open(spec, "/nonexistent");
  ASSERT_TRUE(source.ok()) << source.status().ToString();
  RecordBatch batch(schema());
  ASSERT_TRUE(ReadRows(**source, 2, batch).ok());
  // The broker goes away mid-stream: the source gives up after 'unavailable.timeout.ms' with an
  // error the supervisor retries.
  ASSERT_EQ(rd_kafka_mock_broker_set_down(cluster_, 1), RD_KAFKA_RESP_ERR_NO_ERROR);
  Status status = PollUntilError(**source, batch);
  ASSERT_FALSE(status.ok());
  EXPECT_TRUE(status.retriable()) << status.message();
  EXPECT_NE(status.message().find("broker unreachable for store k1 (" + settings_["uris"] +
                                  "): no broker answered for 2 s"),
            std::string::npos)
      << status.message();
  // Opening while it is down (a retry's first step) is transient too.
  spec.properties["unavailable.timeout.ms"] = "2000";
  Result<std::unique_ptr<KafkaSource>> reopened = KafkaSource::Open(spec, "/nonexistent");
  ASSERT_FALSE(reopened.ok());
  EXPECT_TRUE(reopened.status().retriable()) << reopened.status().message();
  EXPECT_NE(reopened.status().message().find("broker unreachable for store k1"), std::string::npos)
      << reopened.status().message();
}

TEST_F(KafkaConnectorTest, ARejectedLoginFailsAtOnceNamingTheStore) {
  // The mock broker refuses SASL (it implements no SaslHandshake), which librdkafka reports as
  // an authentication failure: the same path as a wrong password on a real broker.
  SourceSpec spec = SourceSpecFor(true);
  spec.properties["kafka.sasl.hash_function"] = "PLAIN";
  spec.properties["kafka.sasl.username"] = "u";
  spec.properties["kafka.sasl.password"] = "wrong";
  auto started = std::chrono::steady_clock::now();
  Result<std::unique_ptr<KafkaSource>> source = KafkaSource::Open(spec, "/nonexistent");
  ASSERT_FALSE(source.ok());
  EXPECT_NE(source.status().message().find("authentication failed for store k1"), std::string::npos)
      << source.status().message();
  EXPECT_FALSE(source.status().retriable());  // wrong until someone changes the credentials
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
}

TEST(KafkaClientPropertiesTest, MapsStoreSettingsToLibrdkafka) {
  KafkaSettings settings = {{"uris", "b1:9092,b2:9092"},    {"kafka.sasl.hash_function", "SHA512"},
                            {"kafka.sasl.username", "u"},   {"kafka.sasl.password", "p"},
                            {"tls.ca.file", "/etc/ca.pem"}, {"tls.verify_server_hostname", "false"},
                            {"kafka.linger.ms", "7"}};
  Result<std::vector<std::pair<std::string, std::string>>> properties =
      KafkaClientProperties(settings);
  ASSERT_TRUE(properties.ok());
  std::map<std::string, std::string> got(properties->begin(), properties->end());
  EXPECT_EQ(got["bootstrap.servers"], "b1:9092,b2:9092");
  EXPECT_EQ(got["security.protocol"], "sasl_ssl");
  EXPECT_EQ(got["sasl.mechanism"], "SCRAM-SHA-512");
  EXPECT_EQ(got["sasl.username"], "u");
  EXPECT_EQ(got["sasl.password"], "p");
  EXPECT_EQ(got["ssl.ca.location"], "/etc/ca.pem");
  EXPECT_EQ(got["ssl.endpoint.identification.algorithm"], "none");
  EXPECT_EQ(got["linger.ms"], "7");

  settings = {{"uris", "b:1"}, {"tls.disabled", "true"}, {"kafka.sasl.hash_function", "PLAIN"}};
  properties = KafkaClientProperties(settings);
  ASSERT_TRUE(properties.ok());
  got = std::map<std::string, std::string>(properties->begin(), properties->end());
  EXPECT_EQ(got["security.protocol"], "sasl_plaintext");
  EXPECT_EQ(got["sasl.mechanism"], "PLAIN");
}

}  // namespace
}  // namespace sluice
