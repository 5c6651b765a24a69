// TombstoneDecoder: a changelog tombstone's record key (as the sinks write it) back into a delete
// row with the key columns set and every other column NULL.

#include "runtime/connector/tombstone_decoder.h"

#include <gtest/gtest.h>

namespace sluice {
namespace {

SourceSpec Spec(std::vector<int> key_columns, std::vector<int> columns) {
  SourceSpec spec;
  spec.relation_schema =
      Schema({Field{"region", DataType::Varchar()}, Field{"id", DataType::Bigint()},
              Field{"name", DataType::Varchar()}});
  spec.columns = std::move(columns);
  spec.key_columns = std::move(key_columns);
  spec.emit_deletes = true;
  return spec;
}

Schema BatchSchema(const SourceSpec& spec) {
  Schema schema;
  for (int column : spec.columns)
    schema.Add(spec.relation_schema.field(static_cast<size_t>(column)));
  return schema;
}

TEST(TombstoneDecoderTest, OneKeyColumnIsItsText) {
  SourceSpec by_id = Spec({1}, {2, 1});
  TombstoneDecoder ids(by_id);
  RecordBatch batch(BatchSchema(by_id));
  ASSERT_TRUE(ids.AppendDelete("42", RecordMeta{7, 0, 3}, batch).ok());
  ASSERT_EQ(batch.num_rows(), 1u);
  EXPECT_TRUE(batch.column(0).IsNull(0));
  EXPECT_EQ(batch.column(1).GetInt64(0), 42);
  EXPECT_EQ(batch.meta()[0].kind, RowKind::kDelete);
  EXPECT_EQ(batch.meta()[0].timestamp, 7);

  SourceSpec by_region = Spec({0}, {0, 2});
  TombstoneDecoder regions(by_region);
  RecordBatch region_batch(BatchSchema(by_region));
  ASSERT_TRUE(regions.AppendDelete("eu \"west\"", RecordMeta{}, region_batch).ok());
  EXPECT_EQ(region_batch.column(0).GetString(0), "eu \"west\"");
  EXPECT_TRUE(region_batch.column(1).IsNull(0));
}

TEST(TombstoneDecoderTest, SeveralKeyColumnsAreAJsonObject) {
  SourceSpec spec = Spec({0, 1}, {0, 1, 2});
  TombstoneDecoder decoder(spec);
  RecordBatch batch(BatchSchema(spec));
  ASSERT_TRUE(decoder.AppendDelete(R"({"0":"eu","1":5})", RecordMeta{}, batch).ok());
  EXPECT_EQ(batch.column(0).GetString(0), "eu");
  EXPECT_EQ(batch.column(1).GetInt64(0), 5);
  EXPECT_TRUE(batch.column(2).IsNull(0));
}

TEST(TombstoneDecoderTest, AKeyOfTheWrongTypeIsAnError) {
  SourceSpec spec = Spec({1}, {1});
  TombstoneDecoder decoder(spec);
  RecordBatch batch(BatchSchema(spec));
  EXPECT_FALSE(decoder.AppendDelete("not-a-number", RecordMeta{}, batch).ok());
  EXPECT_EQ(batch.num_rows(), 0u);
}

}  // namespace
}  // namespace sluice
