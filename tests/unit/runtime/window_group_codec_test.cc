// WindowGroupCodec's compact group encoding and DecodeCell (group keys are held encoded and
// decoded when a row is staged): round trips of every field, the earlier 'G' format, corrupt bytes.

#include "runtime/operator/window_group_codec.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>

#include "runtime/operator/raw_bytes.h"

namespace sluice {
namespace {

std::vector<AggregateCall> CountStar() {
  std::vector<AggregateCall> calls(1);
  calls[0].function = AggregateFunction::kCountStar;
  calls[0].type = DataType::Bigint();
  return calls;
}

std::vector<AggregateCall> Calls() {
  std::vector<AggregateCall> calls(3);
  calls[0].function = AggregateFunction::kCountStar;
  calls[0].type = DataType::Bigint();
  calls[1].function = AggregateFunction::kLatestByOffset;
  calls[1].type = DataType::Varchar();
  calls[2].function = AggregateFunction::kCount;
  calls[2].distinct = true;
  calls[2].type = DataType::Bigint();
  return calls;
}

std::vector<AggregateAccumulator> FullAccumulators() {
  std::vector<AggregateAccumulator> accs(3);
  accs[0].count = 5;
  accs[0].int_sum = -1234567890123;
  accs[0].double_sum = -0.0;
  accs[0].mutable_extra().best_sequence = std::numeric_limits<int64_t>::max();
  accs[0].mutable_extra().best_string = std::string("z\0y", 3);
  accs[1].count = 1;
  accs[1].mutable_extra().best_value = Value::Varchar("latest");
  accs[2].count = 2;
  accs[2].mutable_extra().distinct = {"a", std::string(300, 'b')};
  return accs;
}

void ExpectSame(const AggregateAccumulator& a, const AggregateAccumulator& b) {
  EXPECT_EQ(a.count, b.count);
  EXPECT_EQ(a.int_sum, b.int_sum);
  EXPECT_EQ(std::signbit(a.double_sum), std::signbit(b.double_sum));
  EXPECT_EQ(a.double_sum, b.double_sum);
  EXPECT_EQ(a.best_int, b.best_int);
  EXPECT_EQ(a.best_double, b.best_double);
  EXPECT_EQ(a.best_sequence(), b.best_sequence());
  EXPECT_EQ(a.best_string(), b.best_string());
  EXPECT_EQ(a.best_value(), b.best_value());
  EXPECT_EQ(a.distinct(), b.distinct());
}

TEST(WindowGroupCodecTest, RoundTripsEveryFieldCompactly) {
  WindowGroupCodec codec({DataType::Bigint()}, Calls());
  const std::vector<AggregateAccumulator> accs = FullAccumulators();
  std::string bytes;
  codec.Encode("", {}, accs, true, bytes);
  AccumulatorSlots decoded;
  bool emitted = false;
  ASSERT_TRUE(codec.Decode(bytes, nullptr, decoded, emitted).ok());
  EXPECT_TRUE(emitted);
  ASSERT_EQ(decoded.size(), 3u);
  for (size_t call_idx = 0; call_idx < 3; ++call_idx) ExpectSame(decoded[call_idx], accs[call_idx]);

  // A COUNT(*) group without cells: format, flags, mask, one varint.
  WindowGroupCodec count_codec({DataType::Bigint()}, CountStar());
  std::vector<AggregateAccumulator> count(1);
  count[0].count = 50;  // one varint byte
  bytes.clear();
  count_codec.Encode("\x01\x80\0\0\0\0\0\0\x07", {}, count, false, bytes);
  EXPECT_EQ(bytes.size(), 4u);
  ASSERT_TRUE(count_codec.Decode(bytes, nullptr, decoded, emitted).ok());
  EXPECT_FALSE(emitted);
  EXPECT_EQ(decoded[0].count, 50);

  // Key values given (a nested key the table key cannot give back) come back.
  bytes.clear();
  codec.Encode("", {Value::Bigint(-9)}, accs, false, bytes);
  std::vector<Value> keys;
  ASSERT_TRUE(codec.Decode(bytes, &keys, decoded, emitted).ok());
  ASSERT_EQ(keys.size(), 1u);
  EXPECT_EQ(keys[0], Value::Bigint(-9));

  // Every cut of a value is a STORAGE error, as is a trailing byte.
  for (size_t length = 0; length < bytes.size(); ++length) {
    Status status =
        codec.Decode(std::string_view(bytes).substr(0, length), nullptr, decoded, emitted);
    EXPECT_EQ(status.category(), ErrorCategory::kStorage) << length;
  }
  EXPECT_FALSE(codec.Decode(bytes + "x", nullptr, decoded, emitted).ok());
}

TEST(WindowGroupCodecTest, ReadsTheEarlierFixedWidthFormat) {
  // 'G': cells (key, then per call its value) in JoinRowCodec's encoding, per call six fixed
  // numbers, a string and distinct cells with 32-bit lengths, then the emitted byte.
  std::vector<AggregateCall> calls = CountStar();
  Schema cells_schema;
  cells_schema.Add(Field{"k0", DataType::Varchar()});
  cells_schema.Add(Field{"v0", DataType::Bigint()});
  RecordBatch cells(cells_schema);
  cells.column(0).AppendString("a");
  cells.column(1).AppendNull();
  std::string encoded_cells;
  JoinRowCodec(cells_schema).Encode(cells, 0, 0, false, encoded_cells);
  std::string bytes = "G";
  AppendRaw(static_cast<uint32_t>(encoded_cells.size()), bytes);
  bytes += encoded_cells;
  for (int64_t field : {7, 1, 0, 0, 0, 0}) AppendRaw(field, bytes);
  AppendRaw(uint32_t{0}, bytes);  // best string
  AppendRaw(uint32_t{0}, bytes);  // distinct cells
  bytes.push_back(1);
  WindowGroupCodec codec({DataType::Varchar()}, calls);
  std::vector<Value> keys;
  AccumulatorSlots decoded;
  bool emitted = false;
  ASSERT_TRUE(codec.Decode(bytes, &keys, decoded, emitted).ok());
  EXPECT_TRUE(emitted);
  ASSERT_EQ(keys.size(), 1u);
  EXPECT_EQ(keys[0], Value::Varchar("a"));
  EXPECT_EQ(decoded[0].count, 7);
  EXPECT_EQ(decoded[0].int_sum, 1);

  // A MAX there kept its best in the fourth number (int_sum zero): the shared bytes read it.
  std::string best_bytes = "G";
  AppendRaw(static_cast<uint32_t>(encoded_cells.size()), best_bytes);
  best_bytes += encoded_cells;
  for (int64_t field : {7, 0, 0, -42, 0, 0}) AppendRaw(field, best_bytes);
  AppendRaw(uint32_t{0}, best_bytes);
  AppendRaw(uint32_t{0}, best_bytes);
  best_bytes.push_back(0);
  ASSERT_TRUE(codec.Decode(best_bytes, &keys, decoded, emitted).ok());
  EXPECT_EQ(decoded[0].best_int, -42);
}

TEST(WindowGroupCodecTest, ReadsBestsWrittenUnderTheirOwnMaskBits) {
  // Before a best shared its bytes with a sum, a MIN or MAX wrote it under mask bit 8 (int) or
  // 16 (double); now it goes under the sum's bit and those bits are only read.
  WindowGroupCodec codec({DataType::Bigint()}, CountStar());
  std::vector<AggregateAccumulator> accs(1);
  accs[0].count = 3;
  std::string bytes;
  codec.Encode("", {}, accs, false, bytes);
  ASSERT_EQ(bytes.size(), 4u);  // format, flags, mask, count
  bytes[2] = static_cast<char>(1 | 8);
  bytes.push_back(static_cast<char>(83));  // ZigZag(-42), one varint byte
  AccumulatorSlots decoded;
  bool emitted = false;
  ASSERT_TRUE(codec.Decode(bytes, nullptr, decoded, emitted).ok());
  EXPECT_EQ(decoded[0].count, 3);
  EXPECT_EQ(decoded[0].best_int, -42);
  // And a best written now comes back the same, in as many bytes as a sum.
  accs[0].best_int = -42;
  std::string now;
  codec.Encode("", {}, accs, false, now);
  EXPECT_EQ(now.size(), bytes.size());
  ASSERT_TRUE(codec.Decode(now, nullptr, decoded, emitted).ok());
  EXPECT_EQ(decoded[0].best_int, -42);
}

// EncodeKeys writes each row's cells as EncodeCell would, whether its numbers-only path (no NULL
// in the batch) or the cell-by-cell one (a NULL, a string) applies, and reads `num_rows` rows only.
TEST(WindowGroupCodecTest, EncodeKeysWritesEncodeCellsBytesPerRow) {
  Column ints(DataType::Bigint());
  Column times(DataType::Timestamp());
  Column doubles(DataType::Double());
  Column strings(DataType::Varchar());
  const std::vector<int64_t> int_values = {0, -1, 1, std::numeric_limits<int64_t>::min(),
                                           std::numeric_limits<int64_t>::max()};
  const std::vector<double> double_values = {0.0, -0.0, -1.5, 1e300,
                                             -std::numeric_limits<double>::infinity()};
  for (size_t row = 0; row < int_values.size(); ++row) {
    ints.AppendInt64(int_values[row]);
    times.AppendInt64(int_values[int_values.size() - 1 - row]);
    doubles.AppendDouble(double_values[row]);
    strings.AppendString(std::string(row, 'x'));
  }
  Column with_null = ints;
  with_null.AppendNull();
  const std::vector<std::vector<Column>> key_sets = {
      {ints}, {ints, doubles}, {doubles, times, ints}, {ints, strings}, {}};
  for (const std::vector<Column>& columns : key_sets) {
    for (size_t num_rows : {size_t{0}, size_t{1}, int_values.size()}) {
      std::string keys = "prefix";
      std::vector<size_t> ends;
      EncodeKeys(columns, num_rows, keys, ends);
      std::string expected = "prefix";
      ASSERT_EQ(ends.size(), num_rows);
      for (size_t row = 0; row < num_rows; ++row) {
        for (const Column& column : columns) EncodeCell(column, row, expected);
        EXPECT_EQ(ends[row], expected.size()) << row;
      }
      EXPECT_EQ(keys, expected) << columns.size() << " columns, " << num_rows << " rows";
    }
  }
  // A NULL anywhere in the batch: the cell-by-cell path, with its NULL tag.
  std::string with_null_keys;
  std::vector<size_t> ends;
  EncodeKeys({with_null}, with_null.size(), with_null_keys, ends);
  std::string expected;
  for (size_t row = 0; row < with_null.size(); ++row) EncodeCell(with_null, row, expected);
  EXPECT_EQ(with_null_keys, expected);
  EXPECT_EQ(with_null_keys.back(), '\0');  // the NULL's tag
}

TEST(WindowGroupCodecTest, EncodeCellWritesItsTagThenBytesThatSortAsValues) {
  // The bytes are state keys and previous rows saved by earlier versions: they must not change.
  Column ints(DataType::Bigint());
  ints.AppendInt64(1);
  ints.AppendInt64(-1);
  ints.AppendNull();
  Column doubles(DataType::Double());
  doubles.AppendDouble(1.0);
  doubles.AppendDouble(-2.0);
  Column strings(DataType::Varchar());
  strings.AppendString("ab");
  std::string key;
  for (size_t row = 0; row < ints.size(); ++row) EncodeCell(ints, row, key);
  for (size_t row = 0; row < doubles.size(); ++row) EncodeCell(doubles, row, key);
  EncodeCell(strings, 0, key);
  EXPECT_EQ(key, std::string("\x01\x80\0\0\0\0\0\0\x01"
                             "\x01\x7f\xff\xff\xff\xff\xff\xff\xff"
                             "\0"
                             "\x01\xbf\xf0\0\0\0\0\0\0"
                             "\x01\x3f\xff\xff\xff\xff\xff\xff\xff"
                             "\x01"
                             "ab\0\0",
                             9 + 9 + 1 + 9 + 9 + 5));
}

TEST(WindowGroupCodecTest, DecodeCellReadsWhatEncodeCellWrote) {
  Column ints(DataType::Bigint());
  for (int64_t value : {int64_t{0}, int64_t{-1}, std::numeric_limits<int64_t>::min(),
                        std::numeric_limits<int64_t>::max()}) {
    ints.AppendInt64(value);
  }
  ints.AppendNull();
  Column doubles(DataType::Double());
  for (double value : {0.0, -0.0, -1.5, 1e300, std::numeric_limits<double>::infinity()}) {
    doubles.AppendDouble(value);
  }
  Column strings(DataType::Varchar());
  for (const char* value : {"", "abc"}) strings.AppendString(value);
  strings.AppendString(std::string("a\0b\0", 4));
  strings.AppendString(std::string("\xff\0\xff", 3));
  for (const Column* column : {&ints, &doubles, &strings}) {
    ASSERT_TRUE(CellDecodable(column->type()));
    // All cells of the column as one key, as a multi-column group key is.
    std::string key;
    for (size_t row = 0; row < column->size(); ++row) EncodeCell(*column, row, key);
    std::string_view rest = key;
    Column decoded(column->type());
    for (size_t row = 0; row < column->size(); ++row) ASSERT_TRUE(DecodeCell(rest, decoded));
    EXPECT_TRUE(rest.empty());
    for (size_t row = 0; row < column->size(); ++row) {
      if (column == &doubles && row == 1) {
        EXPECT_EQ(decoded.GetValue(row), Value::Double(0.0));  // -0.0 grouped with 0.0
        continue;
      }
      EXPECT_EQ(decoded.GetValue(row), column->GetValue(row)) << row;
    }
  }
  EXPECT_FALSE(CellDecodable(DataType::Array(DataType::Bigint())));
  // Malformed bytes: cut numbers, an unterminated string, a bad escape, an unknown tag.
  Column out(DataType::Varchar());
  for (std::string_view bad : {std::string_view("\1ab", 3), std::string_view("\1a\0\x01", 4),
                               std::string_view("\2", 1), std::string_view()}) {
    std::string_view rest = bad;
    EXPECT_FALSE(DecodeCell(rest, out));
  }
  Column number(DataType::Bigint());
  std::string_view cut("\1\x80\0", 3);
  EXPECT_FALSE(DecodeCell(cut, number));
  EXPECT_EQ(out.size() + number.size(), 0u);
}

}  // namespace
}  // namespace sluice
