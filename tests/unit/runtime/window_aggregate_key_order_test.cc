// A closing window stages its groups in the order of their encoded keys (EncodeCell's bytes).
// Many groups are put in order by radix passes over the bytes where the keys' 16-byte prefixes
// differ, and runs that tie there by the whole key (WindowAggregateOperator::SortByKey): the
// order must be the bytes' order for keys of every shape, few groups or many.

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "runtime/operator/aggregate_accumulator.h"
#include "runtime/operator/window_aggregate.h"
#include "tests/unit/runtime/window_aggregate_test_util.h"

namespace sluice {
namespace {

// TUMBLE(10) GROUP BY one key column of `input` (k VARCHAR or v BIGINT), COUNT(*).
std::unique_ptr<PhysicalAggregate> KeyPlan(size_t key_column, const DataType& key_type) {
  auto plan = std::make_unique<PhysicalAggregate>();
  plan->window = WindowSpec{WindowType::kTumble, 10, 0, 0};
  plan->keys.push_back(MakeColumnRef(static_cast<int>(key_column), key_type));
  AggregateCall count;
  count.function = AggregateFunction::kCountStar;
  count.type = DataType::Bigint();
  plan->aggregates.push_back(std::move(count));
  plan->schema.Add(Field{"window_start", DataType::Timestamp()});
  plan->schema.Add(Field{"window_end", DataType::Timestamp()});
  plan->schema.Add(Field{"key", key_type});
  plan->schema.Add(Field{"n", DataType::Bigint()});
  return plan;
}

// Runs `input` (all in window [0, 10)) through the plan and returns the key cells of the window's
// rows as encoded bytes, in the order staged.
std::vector<std::string> StagedKeys(const RecordBatch& input, size_t key_column,
                                    const DataType& key_type) {
  auto plan = KeyPlan(key_column, key_type);
  EvalContext context;
  WindowAggregateOperator op(*plan, context);
  RecordBatch output(plan->schema);
  EXPECT_TRUE(op.Process(input, output).ok());
  EXPECT_TRUE(op.AdvanceWatermark(100, output).ok());
  std::vector<std::string> keys;
  for (size_t row = 0; row < output.num_rows(); ++row) {
    std::string key;
    EncodeCell(output.column(2), row, key);
    keys.push_back(std::move(key));
  }
  return keys;
}

// The distinct encoded keys of `input`'s column, sorted bytewise.
std::vector<std::string> SortedKeys(const RecordBatch& input, size_t key_column) {
  std::vector<std::string> keys;
  for (size_t row = 0; row < input.num_rows(); ++row) {
    std::string key;
    EncodeCell(input.column(key_column), row, key);
    keys.push_back(std::move(key));
  }
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  return keys;
}

// Rows with keys `strings` (column k) and values `numbers` (column v), at times 0 to 9, shuffled.
RecordBatch Input(std::vector<std::string> strings, std::vector<int64_t> numbers) {
  std::vector<std::pair<std::string, int64_t>> rows;
  for (size_t row = 0; row < strings.size(); ++row) rows.emplace_back(strings[row], numbers[row]);
  std::shuffle(rows.begin(), rows.end(), std::mt19937_64(5));
  std::vector<std::tuple<int64_t, std::string, int64_t>> timed;
  for (size_t row = 0; row < rows.size(); ++row) {
    timed.emplace_back(static_cast<int64_t>(row % 10), rows[row].first, rows[row].second);
  }
  return testing::MakeInput(timed);
}

TEST(WindowAggregateKeyOrderTest, KeysOfEveryShapeInTheirBytesOrder) {
  std::mt19937_64 random(3);
  for (size_t count : {100u, 600u, 5000u}) {
    std::vector<std::string> numbered;     // differ in a few bytes after a shared start
    std::vector<std::string> long_shared;  // tie in the whole 16-byte prefix
    std::vector<std::string> random_text;  // differ in every byte
    std::vector<std::string> zero_padded;  // prefixes equal but for zero bytes at the end
    std::vector<int64_t> small_ids;        // BIGINTs differing in their low bytes
    std::vector<int64_t> any_ids;          // BIGINTs of both signs, every byte
    for (size_t row = 0; row < count; ++row) {
      numbered.push_back("key" + std::to_string(row % (count / 2 + 1)));
      long_shared.push_back("a shared start longer than 16 bytes " +
                            std::to_string(random() % 1000));
      std::string text;
      for (int letter = 0; letter < 12; ++letter) text.push_back('a' + random() % 26);
      random_text.push_back(text);
      zero_padded.push_back(std::string("ab") + std::string(random() % 4, '\0'));
      small_ids.push_back(1000 + static_cast<int64_t>(random() % 100000));
      any_ids.push_back(static_cast<int64_t>(random()));
    }
    for (const std::vector<std::string>* strings :
         {&numbered, &long_shared, &random_text, &zero_padded}) {
      const RecordBatch input = Input(*strings, small_ids);
      EXPECT_EQ(StagedKeys(input, 0, DataType::Varchar()), SortedKeys(input, 0))
          << count << " " << strings->front();
    }
    for (const std::vector<int64_t>* numbers : {&small_ids, &any_ids}) {
      const RecordBatch input = Input(numbered, *numbers);
      EXPECT_EQ(StagedKeys(input, 1, DataType::Bigint()), SortedKeys(input, 1))
          << count << " " << numbers->front();
    }
  }
}

}  // namespace
}  // namespace sluice
