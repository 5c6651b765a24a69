// DatagenSource: partitions and offsets, bounded ends, projection, timestamps, resuming, pacing.

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "runtime/connector/datagen/datagen_source.h"

namespace sluice {
namespace {

using Properties = std::map<std::string, std::string>;

Schema BidSchema() {
  return Schema({{"auction", DataType::Bigint()},
                 {"bidder", DataType::Bigint()},
                 {"price", DataType::Bigint()},
                 {"channel", DataType::Varchar()},
                 {"url", DataType::Varchar()},
                 {"datetime", DataType::Timestamp()},
                 {"extra", DataType::Varchar()}});
}

SourceSpec MakeSpec(Schema schema, std::vector<int> columns, Properties properties,
                    int timestamp_column = -1) {
  SourceSpec spec;
  spec.store_type = "datagen";
  spec.relation = "db.s.gen";
  spec.topic = "gen";
  spec.relation_schema = std::move(schema);
  spec.columns = std::move(columns);
  spec.timestamp_column = timestamp_column;
  spec.properties = std::move(properties);
  return spec;
}

Schema OutputSchema(const SourceSpec& spec) {
  Schema schema;
  for (int column_idx : spec.columns) {
    schema.Add(spec.relation_schema.field(static_cast<size_t>(column_idx)));
  }
  return schema;
}

std::unique_ptr<DatagenSource> MakeSource(const SourceSpec& spec) {
  Result<std::unique_ptr<DatagenSource>> source = DatagenSource::Create(spec);
  EXPECT_TRUE(source.ok()) << source.status().ToString();
  return source.ok() ? std::move(source).value() : nullptr;
}

// Polls until the source is exhausted or `limit` rows were read, in batches of `batch_rows`.
RecordBatch ReadAll(DatagenSource& source, const SourceSpec& spec, size_t batch_rows,
                    size_t limit = 1'000'000) {
  RecordBatch all(OutputSchema(spec));
  while (!source.exhausted() && all.num_rows() < limit) {
    RecordBatch batch(OutputSchema(spec));
    Status status = source.Poll(batch_rows, batch);
    EXPECT_TRUE(status.ok()) << status.ToString();
    if (!status.ok() || batch.num_rows() == 0) break;
    EXPECT_EQ(batch.keys().size(), batch.num_rows());
    for (size_t row = 0; row < batch.num_rows(); ++row) {
      for (size_t column = 0; column < batch.num_columns(); ++column) {
        all.column(column).AppendFrom(batch.column(column), row);
      }
      all.meta().push_back(batch.meta()[row]);
    }
  }
  return all;
}

TEST(DatagenSourceTest, PartitionsGetDenseOffsetsRoundRobin) {
  // nexmark.bid over 500 events holds 460 bids; with 3 partitions row r is at (r % 3, r / 3).
  SourceSpec spec = MakeSpec(BidSchema(), {2}, {{"generator", "nexmark.bid"},
                                                {"events", "500"},
                                                {"partitions", "3"}});
  auto source = MakeSource(spec);
  ASSERT_NE(source, nullptr);
  EXPECT_EQ(source->total_rows(), 460);
  EXPECT_EQ(source->end_offsets(), (std::vector<int64_t>{154, 153, 153}));
  EXPECT_EQ(source->positions(), (std::vector<int64_t>{0, 0, 0}));
  RecordBatch rows = ReadAll(*source, spec, 100);
  ASSERT_EQ(rows.num_rows(), 460u);
  for (size_t row = 0; row < rows.num_rows(); ++row) {
    EXPECT_EQ(rows.meta()[row].partition, static_cast<int32_t>(row % 3));
    EXPECT_EQ(rows.meta()[row].offset, static_cast<int64_t>(row / 3));
  }
  EXPECT_TRUE(source->exhausted());
  EXPECT_EQ(source->positions(), source->end_offsets());
  RecordBatch after(OutputSchema(spec));
  ASSERT_TRUE(source->Poll(100, after).ok());
  EXPECT_EQ(after.num_rows(), 0u);
}

TEST(DatagenSourceTest, PollRespectsMaxRowsAndReportsPositions) {
  SourceSpec spec = MakeSpec(BidSchema(), {0}, {{"generator", "nexmark.bid"},
                                                {"events", "1000"},
                                                {"partitions", "2"}});
  auto source = MakeSource(spec);
  ASSERT_NE(source, nullptr);
  RecordBatch batch(OutputSchema(spec));
  ASSERT_TRUE(source->Poll(7, batch).ok());
  EXPECT_EQ(batch.num_rows(), 7u);
  EXPECT_EQ(source->positions(), (std::vector<int64_t>{4, 3}));
  EXPECT_EQ(source->stats().records_in, 7);
  EXPECT_FALSE(source->exhausted());
  // Appends to what the batch holds.
  ASSERT_TRUE(source->Poll(5, batch).ok());
  EXPECT_EQ(batch.num_rows(), 12u);
  EXPECT_EQ(batch.column(0).size(), 12u);
  EXPECT_EQ(source->positions(), (std::vector<int64_t>{6, 6}));
}

TEST(DatagenSourceTest, ProducesOnlyTheRequestedColumnsWithTheSameValues) {
  Properties properties = {{"generator", "nexmark.bid"}, {"events", "300"}, {"seed", "5"}};
  SourceSpec all_spec = MakeSpec(BidSchema(), {0, 1, 2, 3, 4, 5, 6}, properties);
  SourceSpec two_spec = MakeSpec(BidSchema(), {6, 2}, properties);
  auto all_source = MakeSource(all_spec);
  auto two_source = MakeSource(two_spec);
  ASSERT_NE(all_source, nullptr);
  ASSERT_NE(two_source, nullptr);
  RecordBatch all = ReadAll(*all_source, all_spec, 64);
  RecordBatch two = ReadAll(*two_source, two_spec, 50);
  ASSERT_EQ(two.num_columns(), 2u);
  EXPECT_EQ(two.column(0).type(), DataType::Varchar());
  EXPECT_EQ(two.column(1).type(), DataType::Bigint());
  ASSERT_EQ(all.num_rows(), two.num_rows());
  for (size_t row = 0; row < all.num_rows(); ++row) {
    EXPECT_EQ(two.column(0).GetString(row), all.column(6).GetString(row));
    EXPECT_EQ(two.column(1).GetInt64(row), all.column(2).GetInt64(row));
  }
}

TEST(DatagenSourceTest, MetaTimestampFollowsTheTimestampColumn) {
  Schema schema({{"id", DataType::Bigint()},
                 {"datetime", DataType::Timestamp()},
                 {"expires", DataType::Bigint()}});
  Properties properties = {{"generator", "nexmark.auction"}, {"events", "2000"}};
  // Event time by default, and when the timestamp is datetime (read or not).
  for (int timestamp_column : {-1, 1}) {
    SourceSpec spec = MakeSpec(schema, {0}, properties, timestamp_column);
    auto source = MakeSource(spec);
    ASSERT_NE(source, nullptr);
    RecordBatch rows = ReadAll(*source, spec, 1000);
    ASSERT_EQ(rows.num_rows(), 120u);
    for (size_t row = 0; row < rows.num_rows(); ++row) {
      int64_t event = static_cast<int64_t>(row / 3) * 50 + 1 + static_cast<int64_t>(row % 3);
      EXPECT_EQ(rows.meta()[row].timestamp, DatagenOptions::kBaseTimeMillis + event / 10'000);
    }
  }
  // 'timestamp'='expires': the meta carries expires, whether the query reads it or not.
  SourceSpec with_column = MakeSpec(schema, {2, 0}, properties, 2);
  SourceSpec without_column = MakeSpec(schema, {0}, properties, 2);
  auto source_with = MakeSource(with_column);
  auto source_without = MakeSource(without_column);
  ASSERT_NE(source_with, nullptr);
  ASSERT_NE(source_without, nullptr);
  RecordBatch with = ReadAll(*source_with, with_column, 1000);
  RecordBatch without = ReadAll(*source_without, without_column, 1000);
  ASSERT_EQ(with.num_rows(), without.num_rows());
  bool any_later = false;
  for (size_t row = 0; row < with.num_rows(); ++row) {
    EXPECT_EQ(with.meta()[row].timestamp, with.column(0).GetInt64(row));
    EXPECT_EQ(without.meta()[row].timestamp, with.column(0).GetInt64(row));
    any_later = any_later || with.column(0).GetInt64(row) > DatagenOptions::kBaseTimeMillis;
  }
  EXPECT_TRUE(any_later);
}

TEST(DatagenSourceTest, SeekResumesWhereACheckpointLeftOff) {
  Properties properties = {{"generator", "nexmark.bid"},
                           {"events", "400"},
                           {"partitions", "4"},
                           {"seed", "11"}};
  SourceSpec spec = MakeSpec(BidSchema(), {0, 2, 6}, properties);
  auto reference = MakeSource(spec);
  ASSERT_NE(reference, nullptr);
  RecordBatch all = ReadAll(*reference, spec, 1000);
  std::map<std::pair<int32_t, int64_t>, size_t> row_of;
  for (size_t row = 0; row < all.num_rows(); ++row) {
    row_of[{all.meta()[row].partition, all.meta()[row].offset}] = row;
  }

  auto resumed = MakeSource(spec);
  ASSERT_NE(resumed, nullptr);
  ASSERT_TRUE(resumed->Seek({10, 0, 50, 92}).ok());
  RecordBatch rest = ReadAll(*resumed, spec, 37);
  // Each partition resumes at its own offset: 82 + 92 + 42 + 0 rows remain.
  EXPECT_EQ(rest.num_rows(), 82u + 92u + 42u + 0u);
  EXPECT_TRUE(resumed->exhausted());
  for (size_t row = 0; row < rest.num_rows(); ++row) {
    const RecordMeta& meta = rest.meta()[row];
    size_t original = row_of.at({meta.partition, meta.offset});
    EXPECT_EQ(rest.column(0).GetInt64(row), all.column(0).GetInt64(original));
    EXPECT_EQ(rest.column(1).GetInt64(row), all.column(1).GetInt64(original));
    EXPECT_EQ(rest.column(2).GetString(row), all.column(2).GetString(original));
    EXPECT_EQ(meta.timestamp, all.meta()[original].timestamp);
  }
  EXPECT_FALSE(resumed->Seek({1, 2}).ok());
  EXPECT_FALSE(resumed->Seek({0, 0, 0, 93}).ok());
}

TEST(DatagenSourceTest, UnboundedStreamNeverEnds) {
  SourceSpec spec = MakeSpec(BidSchema(), {2}, {{"generator", "nexmark.bid"}});
  auto source = MakeSource(spec);
  ASSERT_NE(source, nullptr);
  EXPECT_EQ(source->total_rows(), -1);
  for (int poll = 0; poll < 5; ++poll) {
    RecordBatch batch(OutputSchema(spec));
    ASSERT_TRUE(source->Poll(1000, batch).ok());
    EXPECT_EQ(batch.num_rows(), 1000u);
  }
  EXPECT_FALSE(source->exhausted());
  EXPECT_EQ(source->positions(), (std::vector<int64_t>{5000}));
  EXPECT_EQ(source->end_offsets(), source->positions());
}

TEST(DatagenSourceTest, RateLimitReleasesRowsWhenDue) {
  // One event per second: event 0 is due at once, event 1 a second later.
  SourceSpec spec = MakeSpec(Schema({{"n", DataType::Bigint()}}), {0},
                             {{"rate", "1"}, {"rate.limit", "true"}, {"events", "10"}});
  auto source = MakeSource(spec);
  ASSERT_NE(source, nullptr);
  RecordBatch batch(OutputSchema(spec));
  ASSERT_TRUE(source->Poll(100, batch).ok());
  EXPECT_EQ(batch.num_rows(), 1u);
  ASSERT_TRUE(source->Poll(100, batch).ok());
  EXPECT_EQ(batch.num_rows(), 1u);
  EXPECT_EQ(source->end_offsets(), (std::vector<int64_t>{1}));
  EXPECT_FALSE(source->exhausted());
}

TEST(DatagenSourceTest, CreateErrorsAreConnectorErrors) {
  SourceSpec spec = MakeSpec(Schema({{"nope", DataType::Bigint()}}), {0},
                             {{"generator", "nexmark.bid"}});
  Result<std::unique_ptr<Source>> source = CreateDatagenSource(spec);
  ASSERT_FALSE(source.ok());
  EXPECT_EQ(source.status().category(), ErrorCategory::kConnector);
  EXPECT_NE(source.status().message().find("db.s.gen"), std::string::npos);
  EXPECT_NE(source.status().message().find("no column \"nope\""), std::string::npos);

  SourceSpec good = MakeSpec(BidSchema(), {1}, {{"generator", "nexmark.bid"}});
  Result<std::unique_ptr<Source>> created = CreateDatagenSource(good);
  ASSERT_TRUE(created.ok());
  EXPECT_EQ((*created)->topic(), "gen");
  RecordBatch wrong_shape(BidSchema());
  EXPECT_FALSE((*created)->Poll(10, wrong_shape).ok());
}

TEST(DatagenSourceTest, SpecPartitionsApplyWhenThePropertyIsAbsent) {
  SourceSpec spec = MakeSpec(BidSchema(), {1}, {{"generator", "nexmark.bid"}, {"events", "50"}});
  spec.partitions = 2;
  auto source = MakeSource(spec);
  ASSERT_NE(source, nullptr);
  EXPECT_EQ(source->end_offsets(), (std::vector<int64_t>{23, 23}));
}

}  // namespace
}  // namespace sluice
