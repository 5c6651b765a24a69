// The 'random' generator: every type including nested ones, per-column options, determinism.

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "runtime/connector/datagen/datagen_source.h"

namespace sluice {
namespace {

using Properties = std::map<std::string, std::string>;

Schema AllTypes() {
  DataType point = DataType::Struct({"x", "label", "tags"},
                                    {DataType::Double(), DataType::Varchar(),
                                     DataType::Array(DataType::Integer())});
  return Schema({{"flag", DataType::Boolean()},
                 {"small", DataType::Integer()},
                 {"big", DataType::Bigint()},
                 {"ratio", DataType::Double()},
                 {"amount", DataType::Decimal(8, 2)},
                 {"name", DataType::Varchar()},
                 {"blob", DataType::Bytes()},
                 {"ts", DataType::Timestamp()},
                 {"day", DataType::Date()},
                 {"point", point},
                 {"list", DataType::Array(DataType::Varchar())},
                 {"attrs", DataType::Map(DataType::Bigint())}});
}

RecordBatch Generate(const Schema& schema, std::vector<int> columns, Properties properties,
                     int timestamp_column = -1) {
  SourceSpec spec;
  spec.store_type = "datagen";
  spec.relation_schema = schema;
  spec.columns = columns;
  spec.timestamp_column = timestamp_column;
  spec.properties = std::move(properties);
  Schema output;
  for (int column : columns) output.Add(schema.field(static_cast<size_t>(column)));
  RecordBatch all(output);
  Result<std::unique_ptr<DatagenSource>> source = DatagenSource::Create(spec);
  EXPECT_TRUE(source.ok()) << source.status().ToString();
  if (!source.ok()) return all;
  while (!(*source)->exhausted()) {
    Status status = (*source)->Poll(333, all);
    EXPECT_TRUE(status.ok()) << status.ToString();
    if (!status.ok()) break;
  }
  return all;
}

std::vector<int> AllColumns(const Schema& schema) {
  std::vector<int> columns;
  for (size_t column = 0; column < schema.size(); ++column) {
    columns.push_back(static_cast<int>(column));
  }
  return columns;
}

TEST(DatagenRandomTest, EveryTypeGetsValuesInItsDefaultRange) {
  Schema schema = AllTypes();
  RecordBatch rows = Generate(schema, AllColumns(schema),
                              {{"generator", "random"}, {"events", "2000"}, {"rate", "100"}});
  ASSERT_EQ(rows.num_rows(), 2000u);
  std::set<int64_t> flags;
  size_t empty_lists = 0;
  size_t nonempty_lists = 0;
  for (size_t row = 0; row < rows.num_rows(); ++row) {
    for (size_t column = 0; column < rows.num_columns(); ++column) {
      ASSERT_FALSE(rows.column(column).IsNull(row));
    }
    flags.insert(rows.column(0).GetInt64(row));
    int64_t small = rows.column(1).GetInt64(row);
    EXPECT_GE(small, 0);
    EXPECT_LE(small, 1'000'000);
    EXPECT_LE(rows.column(2).GetInt64(row), 1'000'000);
    double ratio = rows.column(3).GetDouble(row);
    EXPECT_GE(ratio, 0.0);
    EXPECT_LT(ratio, 1.0);
    EXPECT_LE(rows.column(4).GetInt64(row), 99'999'999);  // DECIMAL(8, 2): below 1,000,000.00
    std::string_view name = rows.column(5).GetString(row);
    ASSERT_EQ(name.size(), 10u);
    for (char c : name) EXPECT_TRUE(c >= 'a' && c <= 'z');
    EXPECT_EQ(rows.column(6).GetString(row).size(), 10u);
    // 100 rows per second of event time.
    int64_t time = DatagenOptions::kBaseTimeMillis + static_cast<int64_t>(row) * 10;
    EXPECT_EQ(rows.column(7).GetInt64(row), time);
    EXPECT_EQ(rows.meta()[row].timestamp, time);
    EXPECT_EQ(rows.column(8).GetInt64(row), time / 86'400'000);

    const Value& point = rows.column(9).GetNested(row);
    ASSERT_EQ(point.type(), schema.field(9).type);
    ASSERT_EQ(point.nested().values.size(), 3u);
    EXPECT_EQ(point.nested().values[1].string_value().size(), 10u);
    EXPECT_LE(point.nested().values[2].nested().values.size(), 3u);

    const Value& list = rows.column(10).GetNested(row);
    EXPECT_EQ(list.type(), schema.field(10).type);
    (list.nested().values.empty() ? empty_lists : nonempty_lists) += 1;
    for (const Value& element : list.nested().values) {
      EXPECT_EQ(element.type(), DataType::Varchar());
    }
    const Value& attrs = rows.column(11).GetNested(row);
    const NestedValue& map = attrs.nested();
    ASSERT_EQ(map.keys.size(), map.values.size());
    std::set<std::string> keys(map.keys.begin(), map.keys.end());
    EXPECT_EQ(keys.size(), map.keys.size());  // distinct keys
    for (const Value& value : map.values) EXPECT_EQ(value.type(), DataType::Bigint());
  }
  EXPECT_EQ(flags, (std::set<int64_t>{0, 1}));
  EXPECT_GT(empty_lists, 0u);
  EXPECT_GT(nonempty_lists, empty_lists);
}

TEST(DatagenRandomTest, SameSeedSameValuesAndProjectionDoesNotChangeThem) {
  Schema schema = AllTypes();
  Properties properties = {{"events", "500"}, {"seed", "99"}};
  RecordBatch all = Generate(schema, AllColumns(schema), properties);
  RecordBatch again = Generate(schema, AllColumns(schema), properties);
  RecordBatch some = Generate(schema, {11, 5, 2}, properties);
  properties["seed"] = "100";
  RecordBatch other = Generate(schema, AllColumns(schema), properties);
  ASSERT_EQ(all.num_rows(), 500u);
  size_t differs = 0;
  for (size_t row = 0; row < all.num_rows(); ++row) {
    EXPECT_EQ(all.GetRow(row), again.GetRow(row));
    EXPECT_EQ(some.column(0).GetValue(row), all.column(11).GetValue(row));
    EXPECT_EQ(some.column(1).GetString(row), all.column(5).GetString(row));
    EXPECT_EQ(some.column(2).GetInt64(row), all.column(2).GetInt64(row));
    differs += all.column(5).GetString(row) != other.column(5).GetString(row);
  }
  EXPECT_EQ(differs, all.num_rows());
}

TEST(DatagenRandomTest, FieldOptionsBoundTheValues) {
  Schema schema({{"n", DataType::Integer()},
                 {"x", DataType::Double()},
                 {"price", DataType::Decimal(6, 2)},
                 {"code", DataType::Varchar()},
                 {"list", DataType::Array(DataType::Bigint())},
                 {"maybe", DataType::Bigint()}});
  RecordBatch rows = Generate(schema, AllColumns(schema),
                              {{"events", "3000"},
                               {"fields.n.min", "-3"},
                               {"fields.n.max", "3"},
                               {"fields.x.min", "10"},
                               {"fields.x.max", "20"},
                               {"fields.price.min", "1.50"},
                               {"fields.price.max", "2"},
                               {"fields.code.length", "2"},
                               {"fields.list.length", "1"},
                               {"fields.maybe.null.rate", "0.25"}});
  ASSERT_EQ(rows.num_rows(), 3000u);
  std::set<int64_t> small_values;
  size_t nulls = 0;
  for (size_t row = 0; row < rows.num_rows(); ++row) {
    small_values.insert(rows.column(0).GetInt64(row));
    double x = rows.column(1).GetDouble(row);
    EXPECT_GE(x, 10.0);
    EXPECT_LT(x, 20.0);
    int64_t price = rows.column(2).GetInt64(row);
    EXPECT_GE(price, 150);
    EXPECT_LE(price, 200);
    EXPECT_EQ(rows.column(3).GetString(row).size(), 2u);
    EXPECT_LE(rows.column(4).GetNested(row).nested().values.size(), 1u);
    nulls += rows.column(5).IsNull(row);
  }
  EXPECT_EQ(small_values, (std::set<int64_t>{-3, -2, -1, 0, 1, 2, 3}));
  EXPECT_NEAR(static_cast<double>(nulls) / 3000.0, 0.25, 0.04);
}

TEST(DatagenRandomTest, BigintTimestampColumnCarriesEventTime) {
  Schema schema({{"viewtime", DataType::Bigint()}, {"userid", DataType::Varchar()}});
  RecordBatch rows = Generate(schema, {1, 0}, {{"events", "50"}, {"rate", "10"}}, 0);
  ASSERT_EQ(rows.num_rows(), 50u);
  for (size_t row = 0; row < rows.num_rows(); ++row) {
    int64_t time = DatagenOptions::kBaseTimeMillis + static_cast<int64_t>(row) * 100;
    EXPECT_EQ(rows.column(1).GetInt64(row), time);
    EXPECT_EQ(rows.meta()[row].timestamp, time);
  }
}

}  // namespace
}  // namespace sluice
