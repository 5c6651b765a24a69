#include "common/batch.h"

#include <gtest/gtest.h>

namespace sluice {
namespace {

TEST(StringArenaTest, ViewsStayValidAcrossManyBlocks) {
  StringArena arena;
  std::vector<std::string_view> views;
  for (int i = 0; i < 5000; ++i) views.push_back(arena.Add("value-" + std::to_string(i)));
  std::string big(100000, 'z');
  std::string_view big_view = arena.Add(big);
  std::string_view after_big = arena.Add("after");
  for (int i = 0; i < 5000; ++i) ASSERT_EQ(views[i], "value-" + std::to_string(i));
  EXPECT_EQ(big_view, big);
  EXPECT_EQ(after_big, "after");
  EXPECT_EQ(arena.Add(""), "");
  size_t expected = big.size() + 5;
  for (int i = 0; i < 5000; ++i) expected += views[i].size();
  EXPECT_EQ(arena.bytes_used(), expected);
}

TEST(StringArenaTest, AllocateReturnsWritableSpace) {
  StringArena arena;
  char* ptr = arena.Allocate(3);
  ptr[0] = 'a';
  ptr[1] = 'b';
  ptr[2] = 'c';
  EXPECT_EQ(std::string_view(ptr, 3), "abc");
  EXPECT_EQ(arena.bytes_used(), 3u);
}

TEST(ColumnTest, Int64CellsAndNulls) {
  Column column(DataType::Bigint());
  column.Reserve(4);
  column.AppendInt64(7);
  column.AppendNull();
  column.AppendValue(Value::Bigint(9));
  column.AppendValue(Value::Null(DataType::Bigint()));
  ASSERT_EQ(column.size(), 4u);
  EXPECT_EQ(column.GetInt64(0), 7);
  EXPECT_TRUE(column.IsNull(1));
  EXPECT_FALSE(column.IsNull(2));
  EXPECT_EQ(column.GetValue(2), Value::Bigint(9));
  EXPECT_EQ(column.GetValue(3), Value::Null(DataType::Bigint()));
  EXPECT_EQ(column.ints().size(), 4u);
}

TEST(ColumnTest, GetValueUsesTheColumnType) {
  Column decimals(DataType::Decimal(8, 2));
  decimals.AppendInt64(1999);
  EXPECT_EQ(decimals.GetValue(0).ToString(), "19.99");
  Column timestamps(DataType::Timestamp());
  timestamps.AppendInt64(0);
  EXPECT_EQ(timestamps.GetValue(0), Value::Timestamp(0));
  Column bytes(DataType::Bytes());
  bytes.AppendString("\x01");
  EXPECT_EQ(bytes.GetValue(0), Value::Bytes("\x01"));
  Column doubles(DataType::Double());
  doubles.AppendValue(Value::Bigint(3));  // widened
  doubles.AppendDouble(0.25);
  EXPECT_EQ(doubles.GetDouble(0), 3.0);
  EXPECT_EQ(doubles.GetValue(1), Value::Double(0.25));
}

TEST(ColumnTest, StringsOwnedOrShared) {
  Column column(DataType::Varchar());
  std::string temporary = "copied";
  column.AppendString(temporary);
  temporary = "changed";
  auto arena = std::make_shared<StringArena>();
  column.AddArena(arena);
  column.AddArena(arena);  // no duplicate
  column.AppendStringView(arena->Add("shared"));
  EXPECT_EQ(column.GetString(0), "copied");
  EXPECT_EQ(column.GetString(1), "shared");
  EXPECT_EQ(column.arenas().size(), 1u);
  EXPECT_EQ(column.GetValue(1), Value::Varchar("shared"));
}

TEST(ColumnTest, AppendFromSharesArenasWithoutCopying) {
  Column target(DataType::Varchar());
  {
    Column source(DataType::Varchar());
    source.AppendString("first");
    source.AppendNull();
    source.AppendString("third");
    for (size_t row = 0; row < source.size(); ++row) target.AppendFrom(source, row);
    EXPECT_EQ(target.GetString(0).data(), source.GetString(0).data());
  }
  // The source column is gone; its arena lives on in the target.
  EXPECT_EQ(target.arenas().size(), 1u);
  EXPECT_EQ(target.GetString(0), "first");
  EXPECT_TRUE(target.IsNull(1));
  EXPECT_EQ(target.GetString(2), "third");
}

TEST(ColumnTest, NestedCells) {
  DataType type = DataType::Array(DataType::Bigint());
  Column column(type);
  Value array = Value::Array(type, {Value::Bigint(1), Value::Bigint(2)});
  column.AppendNested(array);
  column.AppendNull();
  column.AppendValue(array);
  EXPECT_EQ(column.GetNested(0), array);
  EXPECT_TRUE(column.GetValue(1).is_null());
  EXPECT_EQ(column.GetValue(1).type(), type);
  EXPECT_EQ(column.GetValue(2), array);
  Column copy(type);
  copy.AppendFrom(column, 0);
  EXPECT_EQ(copy.GetValue(0), array);
}

TEST(ColumnTest, ClearEmptiesEverything) {
  Column column(DataType::Varchar());
  column.AppendString("x");
  column.AddArena(std::make_shared<StringArena>());
  column.Clear();
  EXPECT_EQ(column.size(), 0u);
  EXPECT_TRUE(column.arenas().empty());
  EXPECT_EQ(column.type(), DataType::Varchar());
}

RecordBatch MakeBatch() {
  Schema schema({{"id", DataType::Bigint()},
                 {"name", DataType::Varchar()},
                 {"score", DataType::Double()},
                 {"tags", DataType::Array(DataType::Varchar())}});
  RecordBatch batch(schema);
  for (int i = 0; i < 5; ++i) {
    batch.column(0).AppendInt64(i);
    if (i == 2) {
      batch.column(1).AppendNull();
    } else {
      batch.column(1).AppendString("n" + std::to_string(i));
    }
    batch.column(2).AppendDouble(i * 0.5);
    batch.column(3).AppendNested(
        Value::Array(DataType::Array(DataType::Varchar()), {Value::Varchar(std::to_string(i))}));
    batch.meta().push_back(RecordMeta{1000 + i, i % 2, 10 + i});
    batch.keys().push_back(i % 2 == 0 ? "even" : "odd");
  }
  return batch;
}

TEST(RecordBatchTest, BuildsColumnsFromSchema) {
  RecordBatch batch = MakeBatch();
  EXPECT_EQ(batch.num_columns(), 4u);
  EXPECT_EQ(batch.num_rows(), 5u);
  EXPECT_EQ(batch.column(1).type(), DataType::Varchar());
  std::vector<Value> row = batch.GetRow(2);
  ASSERT_EQ(row.size(), 4u);
  EXPECT_EQ(row[0], Value::Bigint(2));
  EXPECT_TRUE(row[1].is_null());
  EXPECT_EQ(row[2], Value::Double(1.0));
  EXPECT_EQ(row[3].ToString(), "[\"2\"]");
}

TEST(RecordBatchTest, FilterKeepsSelectedRowsInOrder) {
  RecordBatch batch = MakeBatch();
  batch.Filter({1, 0, 1, 0, 1});
  ASSERT_EQ(batch.num_rows(), 3u);
  for (const Column& column : batch.columns()) EXPECT_EQ(column.size(), 3u);
  EXPECT_EQ(batch.column(0).GetInt64(0), 0);
  EXPECT_EQ(batch.column(0).GetInt64(1), 2);
  EXPECT_EQ(batch.column(0).GetInt64(2), 4);
  EXPECT_EQ(batch.column(1).GetString(0), "n0");
  EXPECT_TRUE(batch.column(1).IsNull(1));
  EXPECT_EQ(batch.column(1).GetString(2), "n4");
  EXPECT_EQ(batch.column(2).GetDouble(2), 2.0);
  EXPECT_EQ(batch.column(3).GetValue(2).ToString(), "[\"4\"]");
  EXPECT_EQ(batch.meta()[1].timestamp, 1002);
  EXPECT_EQ(batch.meta()[2].offset, 14);
  EXPECT_EQ(batch.keys()[1], "even");
  batch.Filter({0, 0, 0});
  EXPECT_EQ(batch.num_rows(), 0u);
  EXPECT_EQ(batch.column(3).size(), 0u);
}

TEST(RecordBatchTest, FilterKeepingEveryRowLeavesTheBatchAsItWas) {
  RecordBatch batch = MakeBatch();
  batch.Filter({1, 1, 1, 1, 1});
  const RecordBatch expected = MakeBatch();
  ASSERT_EQ(batch.num_rows(), expected.num_rows());
  for (size_t row = 0; row < batch.num_rows(); ++row) {
    EXPECT_EQ(batch.GetRow(row), expected.GetRow(row)) << row;
    EXPECT_EQ(batch.meta()[row].offset, expected.meta()[row].offset);
    EXPECT_EQ(batch.keys()[row], expected.keys()[row]);
  }
  // A selection byte other than 0 or 1 keeps its row too, as when rows are dropped.
  batch.Filter({1, 2, 0, 255, 1});
  ASSERT_EQ(batch.num_rows(), 4u);
  EXPECT_EQ(batch.column(0).GetInt64(1), 1);
  EXPECT_EQ(batch.column(0).GetInt64(2), 3);
}

TEST(RecordBatchTest, ClearKeepsTheSchema) {
  RecordBatch batch = MakeBatch();
  batch.AddArena(std::make_shared<StringArena>());
  batch.Clear();
  EXPECT_EQ(batch.num_rows(), 0u);
  EXPECT_EQ(batch.num_columns(), 4u);
  EXPECT_TRUE(batch.keys().empty());
  EXPECT_TRUE(batch.arenas().empty());
  EXPECT_EQ(batch.column(0).size(), 0u);
  batch.column(0).AppendInt64(1);
  EXPECT_EQ(batch.column(0).GetInt64(0), 1);
}

}  // namespace
}  // namespace sluice
