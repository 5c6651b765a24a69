// Vectorized expression evaluation over a 1024-row batch: the filter
// `price > 100 AND upper(name) LIKE 'A%'` (a comparison, a string kernel, a prefix LIKE and the
// short-circuiting AND), plus a few single-function projections for comparison. Items are rows.

#include <benchmark/benchmark.h>

#include <random>
#include <string>
#include <vector>

#include "runtime/expression/evaluate.h"
#include "runtime/expression/expression_factory.h"

namespace sluice {
namespace {

constexpr size_t kBatchRows = 1024;

// price uniform in [0, 200) (so about half the rows reach the LIKE), names of 5-20 ASCII letters
// of either case, and a small JSON document per row.
RecordBatch MakeOrders() {
  Schema schema({{"price", DataType::Bigint()},
                 {"name", DataType::Varchar()},
                 {"ts", DataType::Timestamp()},
                 {"doc", DataType::Varchar()}});
  RecordBatch batch(schema);
  std::mt19937_64 random(42);
  std::uniform_int_distribution<int> letter(0, 51), length(5, 20), price(0, 199);
  for (size_t row = 0; row < kBatchRows; ++row) {
    std::string name;
    int size = length(random);
    for (int char_idx = 0; char_idx < size; ++char_idx) {
      int pick = letter(random);
      name.push_back(static_cast<char>(pick < 26 ? 'a' + pick : 'A' + pick - 26));
    }
    int64_t row_price = price(random);
    batch.column(0).AppendInt64(row_price);
    batch.column(1).AppendString(name);
    batch.column(2).AppendInt64(1'700'000'000'000 + static_cast<int64_t>(row) * 1'000);
    batch.column(3).AppendString(R"({"user":{"name":")" + name + R"(","id":)" +
                                 std::to_string(row) + R"(},"price":)" + std::to_string(row_price) +
                                 "}");
  }
  batch.meta().resize(kBatchRows);
  return batch;
}

template <typename T>
T Check(Result<T> result, benchmark::State& state) {
  if (!result.ok()) {
    state.SkipWithError(result.status().ToString().c_str());
    return T();
  }
  return std::move(result).value();
}

std::vector<ExpressionPtr> Args(ExpressionPtr a, ExpressionPtr b = nullptr) {
  std::vector<ExpressionPtr> args;
  args.push_back(std::move(a));
  if (b) args.push_back(std::move(b));
  return args;
}

void BM_FilterPriceAndUpperLike(benchmark::State& state) {
  RecordBatch batch = MakeOrders();
  ExpressionPtr price_check =
      Check(MakeComparison(ComparisonOp::kGreater, MakeColumnRef(0, DataType::Bigint()),
                           MakeLiteral(Value::Integer(100))),
            state);
  ExpressionPtr upper =
      Check(MakeFunctionCall("upper", Args(MakeColumnRef(1, DataType::Varchar()))), state);
  ExpressionPtr like =
      Check(MakeLike(std::move(upper), MakeLiteral(Value::Varchar("A%")), false), state);
  ExpressionPtr filter = Check(MakeAnd(std::move(price_check), std::move(like)), state);
  if (filter == nullptr) return;
  EvalContext context;
  std::vector<uint8_t> keep;
  size_t kept = 0;
  for (auto _ : state) {
    Status status = EvaluateFilter(*filter, batch, &keep, context);
    if (!status.ok()) {
      state.SkipWithError(status.ToString().c_str());
      break;
    }
    benchmark::DoNotOptimize(keep.data());
  }
  for (uint8_t byte : keep) kept += byte;
  state.counters["selectivity"] = static_cast<double>(kept) / kBatchRows;
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kBatchRows));
}
BENCHMARK(BM_FilterPriceAndUpperLike);

// Projects `expr` over the batch (a SELECT list item).
void Project(benchmark::State& state, ExpressionPtr expr) {
  if (expr == nullptr) return;
  RecordBatch batch = MakeOrders();
  EvalContext context;
  Column out;
  for (auto _ : state) {
    Status status = Evaluate(*expr, batch, &out, context);
    if (!status.ok()) {
      state.SkipWithError(status.ToString().c_str());
      break;
    }
    benchmark::DoNotOptimize(out.valid().data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kBatchRows));
}

void BM_RegexpLikeLiteral(benchmark::State& state) {
  Project(state,
          Check(MakeFunctionCall("regexp_like", Args(MakeColumnRef(1, DataType::Varchar()),
                                                     MakeLiteral(Value::Varchar("^[A-Z][a-z]+$")))),
                state));
}
BENCHMARK(BM_RegexpLikeLiteral);

void BM_JsonValue(benchmark::State& state) {
  Project(state,
          Check(MakeFunctionCall("json_value", Args(MakeColumnRef(3, DataType::Varchar()),
                                                    MakeLiteral(Value::Varchar("$.user.name")))),
                state));
}
BENCHMARK(BM_JsonValue);

void BM_DateFormat(benchmark::State& state) {
  Project(state, Check(MakeFunctionCall("date_format",
                                        Args(MakeColumnRef(2, DataType::Timestamp()),
                                             MakeLiteral(Value::Varchar("yyyy-MM-dd HH:mm:ss")))),
                       state));
}
BENCHMARK(BM_DateFormat);

}  // namespace
}  // namespace sluice
