// EncodeRecordKey: the record key a changelog sink writes for a row (its key columns' text for one
// column, a JSON object {"0": k0, "1": k1, ...} for several). Integer and string keys are written
// without building Values; the bytes must be exactly what the Value-based encoding wrote.

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>

#include "common/json_codec.h"
#include "runtime/connector/local_log_sink.h"

namespace sluice {
namespace {

// The key as built from Values (the general encoding), for comparison.
std::string ValueKey(const RecordBatch& batch, size_t row, const std::vector<int>& key_columns) {
  if (key_columns.size() == 1) {
    const Value value = batch.column(static_cast<size_t>(key_columns[0])).GetValue(row);
    if (value.is_null()) return "";
    return value.type().physical() == PhysicalKind::kString ? std::string(value.string_value())
                                                            : value.ToString();
  }
  std::string out = "{";
  for (size_t key_idx = 0; key_idx < key_columns.size(); ++key_idx) {
    if (key_idx > 0) out += ",";
    out += "\"" + std::to_string(key_idx) + "\":";
    AppendValueJson(batch.column(static_cast<size_t>(key_columns[key_idx])).GetValue(row), out);
  }
  return out + "}";
}

std::string Key(const RecordBatch& batch, size_t row, const std::vector<int>& key_columns) {
  std::string out;
  EncodeRecordKey(batch, row, key_columns, out);
  return out;
}

TEST(RecordKeyTest, IntegerAndStringKeysAsTheValueEncodingWroteThem) {
  Schema schema({{"id", DataType::Bigint()},
                 {"n", DataType::Integer()},
                 {"s", DataType::Varchar()},
                 {"t", DataType::Timestamp()},
                 {"d", DataType::Double()}});
  RecordBatch batch(schema);
  const int64_t ids[] = {0, 7, -42, std::numeric_limits<int64_t>::max(),
                         std::numeric_limits<int64_t>::min()};
  for (int64_t id : ids) {
    batch.column(0).AppendInt64(id);
    batch.column(1).AppendInt64(id % 100000);
    batch.column(2).AppendString("a\"b\\c\n\x01 \xc3\xa9");
    batch.column(3).AppendInt64(1700000000000 + id % 1000);
    batch.column(4).AppendDouble(1.5);
    batch.meta().push_back(RecordMeta{});
  }
  for (Column& column : batch.columns()) column.AppendNull();
  batch.meta().push_back(RecordMeta{});

  const std::vector<std::vector<int>> keys = {{0}, {1}, {2}, {3}, {0, 1}, {2, 0}, {1, 2, 3, 4}};
  for (size_t row = 0; row < batch.num_rows(); ++row) {
    for (const std::vector<int>& key_columns : keys) {
      EXPECT_EQ(Key(batch, row, key_columns), ValueKey(batch, row, key_columns))
          << "row " << row << ", first key column " << key_columns[0];
    }
  }
  EXPECT_EQ(Key(batch, 2, {0}), "-42");
  EXPECT_EQ(Key(batch, 1, {0, 1, 2}), R"({"0":7,"1":7,"2":"a\"b\\c\n\u0001 )"
                                      "\xc3\xa9\"}");
  EXPECT_EQ(Key(batch, 5, {0, 2}), R"({"0":null,"1":null})");
  EXPECT_EQ(Key(batch, 5, {0}), "");
}

}  // namespace
}  // namespace sluice
