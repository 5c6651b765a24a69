#pragma once
// What a GROUP BY computes, shared by the logical and physical plans: the window that buckets
// records by event time, and the aggregate calls. Argument expressions read the aggregate's input
// batch; the aggregate's output is [window_start, window_end]? + group keys + one column per call.

#include <cstdint>
#include <memory>
#include <string_view>

#include "common/status.h"
#include "common/types.h"
#include "runtime/expression/expression_node.h"

namespace sluice {

// kUpstream: the windows of an upstream window aggregate, read from each row's window_start and
// window_end columns instead of computed from its event time (docs/windows.md).
enum class WindowType : uint8_t { kNone, kTumble, kHop, kSession, kUpstream };

struct WindowSpec {
  WindowType type = WindowType::kNone;
  int64_t size_ms = 0;     // TUMBLE, HOP
  int64_t advance_ms = 0;  // HOP
  int64_t gap_ms = 0;      // SESSION
  int start_column = -1;   // kUpstream: the input batch's window_start column (TIMESTAMP)
  int end_column = -1;     // kUpstream: the input batch's window_end column (TIMESTAMP)
};

enum class AggregateFunction : uint8_t {
  kCountStar,
  kCount,
  kSum,
  kAvg,
  kMin,
  kMax,
  kLatestByOffset,
  kEarliestByOffset,
};

struct AggregateCall {
  AggregateFunction function = AggregateFunction::kCountStar;
  bool distinct = false;                 // COUNT(DISTINCT x)
  std::unique_ptr<Expression> argument;  // null for COUNT(*)
  DataType type;                         // the result type
};

std::string_view AggregateFunctionName(AggregateFunction function);
Result<AggregateFunction> ParseAggregateFunction(std::string_view name);
std::string_view WindowTypeName(WindowType type);
Result<WindowType> ParseWindowType(std::string_view name);

}  // namespace sluice
