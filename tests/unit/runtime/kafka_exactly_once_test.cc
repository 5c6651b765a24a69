// Exactly-once output to Kafka against librdkafka's in-process mock cluster: the sink commits its
// output in a transaction (with the source offsets), a new source resumes from the offsets its
// group holds (over positions saved apart from the transaction), and a successor starts over a
// transaction a dead sink left open. Also the message of a failed authentication.

#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <chrono>
#include <memory>
#include <string>

#include "runtime/connector/kafka/kafka_sink.h"
#include "runtime/connector/kafka/kafka_source.h"
#include "runtime/connector/kafka/kafka_transaction.h"
#include "tests/unit/runtime/kafka_mock_test_base.h"

namespace sluice {
namespace {

constexpr const char* kQueryGroup = "sluice-query-7";
constexpr int16_t kOffsetFetchApiKey =
    9;  // the Kafka protocol's OffsetFetch (not in rdkafka_mock.h)

class KafkaExactlyOnceTest : public KafkaMockTestBase {
 protected:
  void SetUp() override { StartCluster({{"in", 2}, {"out", 1}}); }

  static Schema schema() { return Schema({Field{"id", DataType::Bigint()}}); }

  SinkSpec SinkSpecFor(const std::string& topic, bool exactly_once) const {
    SinkSpec spec;
    spec.kind = SinkKind::kKafka;
    spec.relation = "db.s." + topic;
    spec.topic = topic;
    spec.schema = schema();
    spec.properties = settings_;
    if (exactly_once) {
      spec.properties[kDeliveryGuaranteeProperty] = "exactly_once";
      spec.properties[kTransactionalIdProperty] = kQueryGroup;
    }
    return spec;
  }

  SourceSpec SourceSpecFor() const {
    SourceSpec spec;
    spec.store_type = "kafka";
    spec.relation = "db.s.in";
    spec.topic = "in";
    spec.relation_schema = schema();
    spec.columns = {0};
    spec.properties = settings_;
    spec.properties[kOffsetsGroupProperty] = kQueryGroup;
    return spec;
  }

  static RecordBatch Rows(int64_t first, int64_t count) {
    RecordBatch batch(schema());
    for (int64_t id = first; id < first + count; ++id) {
      batch.column(0).AppendValue(Value::Bigint(id));
      batch.meta().push_back(RecordMeta{1000 + id, 0, 0});
      batch.keys().emplace_back();
    }
    return batch;
  }

  // Reads up to `rows` records of "out" from its start; how many there were.
  size_t ReadOut(size_t rows) const {
    SourceSpec out = SourceSpecFor();
    out.topic = "out";
    out.properties.erase(kOffsetsGroupProperty);
    auto reader = KafkaSource::Open(out, "/nonexistent");
    EXPECT_TRUE(reader.ok()) << reader.status().ToString();
    if (!reader.ok()) return 0;
    RecordBatch output(schema());
    EXPECT_TRUE(ReadRows(**reader, rows, output).ok());
    return output.num_rows();
  }

  // Commits `offsets` of "in" for the query's group with a plain consumer (OffsetCommit).
  void CommitGroupOffsets(const std::vector<int64_t>& offsets) {
    char error[256];
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "bootstrap.servers", settings_["uris"].c_str(), error, sizeof(error));
    rd_kafka_conf_set(conf, "group.id", kQueryGroup, error, sizeof(error));
    rd_kafka_t* consumer = rd_kafka_new(RD_KAFKA_CONSUMER, conf, error, sizeof(error));
    ASSERT_NE(consumer, nullptr) << error;
    rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(2);
    for (size_t partition = 0; partition < offsets.size(); ++partition) {
      rd_kafka_topic_partition_list_add(list, "in", static_cast<int32_t>(partition))->offset =
          offsets[partition];
    }
    EXPECT_EQ(rd_kafka_commit(consumer, list, 0), RD_KAFKA_RESP_ERR_NO_ERROR);
    rd_kafka_topic_partition_list_destroy(list);
    rd_kafka_consumer_close(consumer);
    rd_kafka_destroy(consumer);
  }
};

TEST_F(KafkaExactlyOnceTest, CommitsOutputInATransactionAndResumesFromGroupOffsets) {
  {
    auto input = KafkaSink::Open(SinkSpecFor("in", false));
    ASSERT_TRUE(input.ok()) << input.status().ToString();
    ASSERT_TRUE((*input)->Write(Rows(1, 10)).ok());
    ASSERT_TRUE((*input)->Flush().ok());
  }
  std::vector<int64_t> consumed;
  {
    auto source = KafkaSource::Open(SourceSpecFor(), "/nonexistent");
    ASSERT_TRUE(source.ok()) << source.status().ToString();
    EXPECT_EQ((*source)->positions(), std::vector<int64_t>({0, 0}));  // nothing committed yet
    RecordBatch batch(schema());
    ASSERT_TRUE(ReadRows(**source, 10, batch).ok());
    ASSERT_EQ(batch.num_rows(), 10u);
    consumed = (*source)->positions();
    auto sink = KafkaSink::Open(SinkSpecFor("out", true));
    ASSERT_TRUE(sink.ok()) << sink.status().ToString();
    EXPECT_TRUE((*sink)->transactional());
    ASSERT_TRUE((*sink)->Write(batch).ok());
    Status committed = (*sink)->FlushAt("in", consumed);
    ASSERT_TRUE(committed.ok()) << committed.ToString();
    EXPECT_EQ((*sink)->records_out(), 10);
  }
  // The committed transaction's records are in "out".
  EXPECT_EQ(ReadOut(10), 10u);

  // librdkafka 2.0's mock accepts TxnOffsetCommit without storing the offsets; a broker stores
  // them with the transaction. Store them for the group here, as the broker would have.
  CommitGroupOffsets(consumed);
  // A restarted query whose own saved positions are behind (a crash before it saved them): the
  // group's offsets win, so nothing committed is read twice.
  auto source = KafkaSource::Open(SourceSpecFor(), "/nonexistent");
  ASSERT_TRUE(source.ok()) << source.status().ToString();
  EXPECT_EQ((*source)->positions(), consumed);
  ASSERT_TRUE((*source)->Seek({0, 0}).ok());
  EXPECT_EQ((*source)->positions(), consumed);
}

// While a transaction that committed offsets is being completed, the group coordinator answers
// an offset fetch with UNSTABLE_OFFSET_COMMIT: a resume must get the offsets once they are stable
// (librdkafka asks again by itself), not fall back to older positions of its own (that would
// repeat committed output).
TEST_F(KafkaExactlyOnceTest, AnUnstableCommittedOffsetIsAskedAgainNotSkipped) {
  CommitGroupOffsets({3, 4});
  rd_kafka_mock_push_request_errors(cluster_, kOffsetFetchApiKey, 2,
                                    RD_KAFKA_RESP_ERR_UNSTABLE_OFFSET_COMMIT,
                                    RD_KAFKA_RESP_ERR_UNSTABLE_OFFSET_COMMIT);
  auto source = KafkaSource::Open(SourceSpecFor(), "/nonexistent");
  ASSERT_TRUE(source.ok()) << source.status().ToString();
  EXPECT_EQ((*source)->positions(), std::vector<int64_t>({3, 4}));
}

TEST_F(KafkaExactlyOnceTest, ASuccessorStartsOverATransactionADeadSinkLeftOpen) {
  auto first = KafkaSink::Open(SinkSpecFor("out", true));
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  ASSERT_TRUE((*first)->Write(Rows(1, 3)).ok());
  ASSERT_TRUE((*first)->FlushAt("in", {1, 2}).ok());
  ASSERT_TRUE((*first)->Write(Rows(4, 3)).ok());  // left open: the worker "dies" here
  // The successor's init_transactions (same transactional.id) is what makes a broker abort the
  // open transaction and fence the dead producer; the mock answers it without fencing, so only
  // the successor's own progress can be checked here.
  auto second = KafkaSink::Open(SinkSpecFor("out", true));
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  ASSERT_TRUE((*second)->Write(Rows(4, 3)).ok());
  Status committed = (*second)->FlushAt("in", {3, 3});
  ASSERT_TRUE(committed.ok()) << committed.ToString();
  EXPECT_EQ((*second)->records_out(), 3);
  // Nothing new since the commit: no empty transaction.
  EXPECT_TRUE((*second)->FlushAt("in", {3, 3}).ok());
}

// The two-phase commit of a stateful query (docs/checkpoints.md): PrepareTransaction waits for
// the open transaction's records and names its last one; after a crash, TransactionCommitted
// reads it back as a read_committed consumer. The mock shows every record (it keeps no aborted
// transactions), so "not committed" is checked with a record that is not there: the partition's
// end, which a read_committed consumer also reaches when it skips an aborted record.
TEST_F(KafkaExactlyOnceTest, PrepareNamesTheTransactionsLastRecordAndARestartReadsItBack) {
  auto sink = KafkaSink::Open(SinkSpecFor("out", true));
  ASSERT_TRUE(sink.ok()) << sink.status().ToString();
  auto empty = (*sink)->PrepareTransaction();
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(*empty, "");  // no transaction open: nothing to name
  ASSERT_TRUE((*sink)->Write(Rows(1, 5)).ok());
  EXPECT_TRUE((*sink)->transaction_open());
  auto marker = (*sink)->PrepareTransaction();
  ASSERT_TRUE(marker.ok()) << marker.status().ToString();
  EXPECT_EQ(*marker, "out:0:4");
  ASSERT_TRUE((*sink)->FlushAt("in", {1, 2}).ok());
  EXPECT_FALSE((*sink)->transaction_open());

  auto successor = KafkaSink::Open(SinkSpecFor("out", true));
  ASSERT_TRUE(successor.ok()) << successor.status().ToString();
  auto committed = (*successor)->TransactionCommitted(*marker);
  ASSERT_TRUE(committed.ok()) << committed.status().ToString();
  EXPECT_TRUE(*committed);
  auto missing = (*successor)->TransactionCommitted("out:0:5");
  ASSERT_TRUE(missing.ok()) << missing.status().ToString();
  EXPECT_FALSE(*missing);
  auto none = (*successor)->TransactionCommitted("");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(*none);
  for (const char* damaged : {"no-colon", "out:x:4", "out:0:", "out:0:4z"}) {
    auto garbage = (*successor)->TransactionCommitted(damaged);
    ASSERT_FALSE(garbage.ok()) << damaged;
    EXPECT_NE(garbage.status().message().find("names no Kafka record"), std::string::npos);
  }
}

// With parallelism each worker has its own transactional.id (two producers with one would fence
// each other), but every worker's source reads in the query's one group, so each transaction
// must commit its offsets there: a restarted worker looks for them in that group.
TEST_F(KafkaExactlyOnceTest, APerWorkerTransactionCommitsOffsetsToTheQuerysGroup) {
  SinkSpec spec = SinkSpecFor("out", true);
  spec.properties[kTransactionalIdProperty] = std::string(kQueryGroup) + "-worker-1";
  spec.properties[kOffsetsGroupProperty] = kQueryGroup;
  auto sink = KafkaSink::Open(spec);
  ASSERT_TRUE(sink.ok()) << sink.status().ToString();
  EXPECT_EQ((*sink)->offsets_group(), kQueryGroup);
  // A plan stored before the sink named its group: the transactional.id, as then.
  spec.properties.erase(kOffsetsGroupProperty);
  auto old_plan = KafkaSink::Open(spec);
  ASSERT_TRUE(old_plan.ok()) << old_plan.status().ToString();
  EXPECT_EQ((*old_plan)->offsets_group(), std::string(kQueryGroup) + "-worker-1");
}

// Stage 2 of a repartitioned query reads a local topic: its transactions commit output without
// sending those positions to Kafka as offsets. An AddOffsetsToTxn request would fail here (an
// injected error), which the sink with a Kafka source shows.
TEST_F(KafkaExactlyOnceTest, ASinkWithoutKafkaSourceCommitsWithoutOffsets) {
  constexpr int16_t kAddOffsetsToTxnApiKey = 25;
  rd_kafka_mock_push_request_errors(cluster_, kAddOffsetsToTxnApiKey, 1,
                                    RD_KAFKA_RESP_ERR_GROUP_AUTHORIZATION_FAILED);
  SinkSpec spec = SinkSpecFor("out", true);
  spec.properties[kSourceOffsetsProperty] = "false";
  auto sink = KafkaSink::Open(spec);
  ASSERT_TRUE(sink.ok()) << sink.status().ToString();
  EXPECT_TRUE((*sink)->transactional());
  // Input without output: nothing to commit (the positions are the state checkpoint's).
  ASSERT_TRUE((*sink)->FlushAt("_sluice_repartition_7", {5, -1, -1, 4}).ok());
  EXPECT_FALSE((*sink)->transaction_open());
  ASSERT_TRUE((*sink)->Write(Rows(1, 3)).ok());
  Status committed = (*sink)->FlushAt("_sluice_repartition_7", {8, -1, -1, 4});
  ASSERT_TRUE(committed.ok()) << committed.ToString();
  EXPECT_FALSE((*sink)->transaction_open());
  sink->reset();

  // The injected error is still pending: a sink that sends offsets meets it.
  SinkSpec with_offsets = SinkSpecFor("out", true);
  with_offsets.properties[kTransactionalIdProperty] = std::string(kQueryGroup) + "-other";
  auto kafka_source = KafkaSink::Open(with_offsets);
  ASSERT_TRUE(kafka_source.ok()) << kafka_source.status().ToString();
  ASSERT_TRUE((*kafka_source)->Write(Rows(4, 1)).ok());
  Status refused = (*kafka_source)->FlushAt("in", {1, 2});
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.message().find("send offsets to"), std::string::npos) << refused.ToString();

  // The committed records: 3 from the sink without offsets (the refused transaction aborted).
  EXPECT_EQ(ReadOut(3), 3u);
}

TEST_F(KafkaExactlyOnceTest, WithoutTransactionalIdTheSinkRefusesToStart) {
  SinkSpec spec = SinkSpecFor("out", true);
  spec.properties.erase(kTransactionalIdProperty);
  auto sink = KafkaSink::Open(spec);
  ASSERT_FALSE(sink.ok());
  EXPECT_NE(sink.status().message().find("no transactional.id"), std::string::npos);
}

TEST(KafkaFatalErrorTest, AFailedLoginNamesTheStoreAndTheWayOut) {
  KafkaErrorState errors;
  errors.fatal = true;
  errors.authentication_failed = true;
  errors.last_error = "SASL authentication error: Authentication failed";
  Status status = KafkaFatalError(errors, {{"store", "k"}, {"uris", "h:9092"}});
  EXPECT_EQ(status.category(), ErrorCategory::kConnector);
  EXPECT_NE(status.message().find("authentication failed for store k (h:9092): SASL"),
            std::string::npos)
      << status.message();
  EXPECT_NE(status.message().find("ALTER STORE k SET (...)"), std::string::npos);
  errors.authentication_failed = false;
  errors.last_error = "Fatal idempotent producer error";
  EXPECT_NE(KafkaFatalError(errors, {{"store", "k"}, {"uris", "h:9092"}})
                .message()
                .find("Kafka store 'k' (h:9092) failed: Fatal"),
            std::string::npos);
}

}  // namespace
}  // namespace sluice
