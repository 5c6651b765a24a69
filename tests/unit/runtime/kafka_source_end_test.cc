// 'ending.position'='latest' in the Kafka source, against librdkafka's mock cluster: a bounded
// read stops at each partition's end as of the source's open (or at the ends pinned into the
// plan), then reports itself exhausted; records produced later are never returned. An end that
// only a transaction's commit marker precedes (reached through librdkafka's end-of-partition
// event) cannot be shown here: librdkafka 2.0's mock writes no control records.

#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>

#include <chrono>
#include <memory>
#include <set>
#include <string>

#include "runtime/connector/kafka/kafka_sink.h"
#include "runtime/connector/kafka/kafka_source.h"
#include "tests/unit/runtime/kafka_mock_test_base.h"

namespace sluice {
namespace {

class KafkaSourceEndTest : public KafkaMockTestBase {
 protected:
  void SetUp() override { StartCluster({{"t", 2}}); }

  static Schema schema() { return Schema({Field{"id", DataType::Bigint()}}); }

  SourceSpec BoundedSpec() const {
    SourceSpec spec;
    spec.store_type = "kafka";
    spec.relation = "db.s.src";
    spec.topic = "t";
    spec.relation_schema = schema();
    spec.columns = {0};
    spec.end_at_latest = true;
    spec.properties = settings_;
    return spec;
  }

  // Produces ids [first, first + count), keyed by id (both partitions).
  void Produce(int64_t first, int64_t count) {
    SinkSpec spec;
    spec.kind = SinkKind::kKafka;
    spec.relation = "db.s.t";
    spec.topic = "t";
    spec.schema = schema();
    spec.key_columns = {0};
    spec.properties = settings_;
    auto sink = KafkaSink::Open(spec);
    ASSERT_TRUE(sink.ok()) << sink.status().ToString();
    RecordBatch batch(schema());
    for (int64_t id = first; id < first + count; ++id) {
      batch.column(0).AppendValue(Value::Bigint(id));
      batch.meta().push_back(RecordMeta{1000 + id, 0, 0});
      batch.keys().emplace_back();
    }
    ASSERT_TRUE((*sink)->Write(batch).ok());
    ASSERT_TRUE((*sink)->Flush().ok());
  }

  // Polls until the source is exhausted or 10 s passed; the ids read.
  static std::multiset<int64_t> ReadToEnd(Source& source) {
    RecordBatch batch(schema());
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!source.exhausted() && std::chrono::steady_clock::now() < deadline) {
      EXPECT_TRUE(source.Poll(1000, batch).ok());
      if (!source.exhausted()) source.WaitForData(100);
    }
    std::multiset<int64_t> ids;
    for (size_t row = 0; row < batch.num_rows(); ++row) {
      ids.insert(batch.column(0).GetValue(row).int_value());
    }
    return ids;
  }

  static std::multiset<int64_t> Ids(int64_t first, int64_t last) {
    std::multiset<int64_t> ids;
    for (int64_t id = first; id <= last; ++id) ids.insert(id);
    return ids;
  }
};

TEST_F(KafkaSourceEndTest, ReadsToTheEndsAsOfOpenThenIsExhausted) {
  Produce(1, 10);
  auto source = KafkaSource::Open(BoundedSpec(), "/nonexistent");
  ASSERT_TRUE(source.ok()) << source.status().ToString();
  const std::vector<int64_t> ends = (*source)->end_offsets();
  Produce(11, 5);  // after the query's start: not read
  EXPECT_EQ(ReadToEnd(**source), Ids(1, 10));
  EXPECT_TRUE((*source)->exhausted());
  EXPECT_EQ((*source)->positions(), ends);
  RecordBatch more(schema());
  ASSERT_TRUE((*source)->Poll(1000, more).ok());
  EXPECT_EQ(more.num_rows(), 0u);

  // A restarted worker stops at the ends pinned into its plan, not at today's.
  SourceSpec pinned = BoundedSpec();
  pinned.end_offsets = ends;
  auto restarted = KafkaSource::Open(pinned, "/nonexistent");
  ASSERT_TRUE(restarted.ok()) << restarted.status().ToString();
  EXPECT_EQ(ReadToEnd(**restarted), Ids(1, 10));

  // Starting at 'latest' with an end at 'latest' reads nothing and ends at once.
  SourceSpec empty = BoundedSpec();
  empty.start_at_earliest = false;
  auto nothing = KafkaSource::Open(empty, "/nonexistent");
  ASSERT_TRUE(nothing.ok()) << nothing.status().ToString();
  EXPECT_TRUE((*nothing)->exhausted());
}

TEST_F(KafkaSourceEndTest, PinnedEndsOfAnotherPartitionCountAreAnError) {
  SourceSpec spec = BoundedSpec();
  spec.end_offsets = {3};
  auto source = KafkaSource::Open(spec, "/nonexistent");
  ASSERT_FALSE(source.ok());
  EXPECT_NE(source.status().message().find("covers 1 partitions of topic 't', which has 2"),
            std::string::npos)
      << source.status().message();
}

}  // namespace
}  // namespace sluice
