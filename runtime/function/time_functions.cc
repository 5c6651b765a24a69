// Time functions: NOW, UNIX_TIMESTAMP, TO_TIMESTAMP, DATE_FORMAT and EXTRACT. All of them work
// in UTC on epoch milliseconds. NOW() is read once per batch (KernelArgs::now_millis), so every
// row of a batch, and a filter and projection sharing an EvalContext, see the same instant.
// EXTRACT(unit FROM x) reaches the binder as extract('UNIT', x); the unit is checked at bind time.

#include <algorithm>
#include <array>
#include <cctype>
#include <optional>

#include "common/value.h"
#include "runtime/expression/expression_node.h"
#include "runtime/function/function_registry.h"
#include "runtime/function/kernel_util.h"
#include "runtime/function/time_format.h"

namespace sluice {

namespace {

int64_t ArgPosition(const Expression& arg, int64_t fallback) {
  return arg.position() >= 0 ? arg.position() : fallback;
}

// A literal date pattern compiled at bind time.
class FormatState final : public FunctionState {
 public:
  explicit FormatState(TimeFormat format) : format_(std::move(format)) {}
  const TimeFormat& format() const { return format_; }

 private:
  TimeFormat format_;
};

// DATE_FORMAT(ts, pattern) and TO_TIMESTAMP(text, pattern): the pattern is argument 1.
Result<std::shared_ptr<const FunctionState>> PrepareFormat(
    std::span<const std::unique_ptr<Expression>> args, int64_t position) {
  if (args.size() < 2) return std::shared_ptr<const FunctionState>();
  const Value* pattern = args[1]->literal();
  if (pattern == nullptr || pattern->is_null()) return std::shared_ptr<const FunctionState>();
  Result<TimeFormat> format = TimeFormat::Compile(pattern->string_value());
  if (!format.ok())
    return Status::Binder(format.status().message(), ArgPosition(*args[1], position));
  return std::shared_ptr<const FunctionState>(
      std::make_shared<FormatState>(std::move(format).value()));
}

// The pattern for each row: the prepared one, or compiled from the row's text (reusing the last
// compilation while the text repeats, as it does for a constant that could not be folded).
class RowFormat {
 public:
  explicit RowFormat(const KernelArgs& args) : args_(args) {
    if (args.state != nullptr) prepared_ = &static_cast<const FormatState*>(args.state)->format();
  }

  Result<const TimeFormat*> For(size_t row) {
    if (prepared_ != nullptr) return prepared_;
    std::string_view pattern = args_.args[1].String(row);
    if (!last_ || last_->pattern() != pattern) {
      Result<TimeFormat> compiled = TimeFormat::Compile(pattern);
      if (!compiled.ok()) {
        return args_.Error(row,
                           std::string(args_.function_name) + ": " + compiled.status().message());
      }
      last_ = std::move(compiled).value();
    }
    return &*last_;
  }

 private:
  const KernelArgs& args_;
  const TimeFormat* prepared_ = nullptr;
  std::optional<TimeFormat> last_;
};

Status NowKernel(const KernelArgs& args, Column& out) {
  std::fill(out.ints().begin(), out.ints().end(), args.now_millis);
  return Status::OK();
}

Status UnixTimestampKernel(const KernelArgs& args, Column& out) {
  for (size_t row = 0; row < args.num_rows; ++row) {
    int64_t millis = args.args.empty() ? args.now_millis : args.args[0].Int(row);
    out.ints()[row] = FloorDiv(millis, 1000);  // 1969-12-31 23:59:59.500 is second -1
  }
  return Status::OK();
}

Status MillisToTimestampKernel(const KernelArgs& args, Column& out) {
  for (size_t row = 0; row < args.num_rows; ++row) out.ints()[row] = args.args[0].Int(row);
  return Status::OK();
}

Status TextToTimestampKernel(const KernelArgs& args, Column& out) {
  const Vector& input = args.args[0];
  RowFormat formats(args);
  for (size_t row = 0; row < args.num_rows; ++row) {
    if (!out.valid()[row]) continue;
    const TimeFormat* format = nullptr;
    if (args.args.size() > 1) {
      ASSIGN_OR_RETURN(format, formats.For(row));
    }
    std::string_view text = input.String(row);
    Result<int64_t> parsed = format != nullptr ? format->Parse(text) : ParseTimestamp(text);
    if (!parsed.ok()) return args.Error(row, "to_timestamp: " + parsed.status().message());
    out.ints()[row] = *parsed;
  }
  return Status::OK();
}

Status DateFormatKernel(const KernelArgs& args, Column& out) {
  const Vector& input = args.args[0];
  RowFormat formats(args);
  std::string buffer;
  for (size_t row = 0; row < args.num_rows; ++row) {
    if (!out.valid()[row]) continue;
    ASSIGN_OR_RETURN(const TimeFormat* format, formats.For(row));
    buffer.clear();
    format->Format(input.Int(row), buffer);
    SetString(out, row, buffer);
  }
  return Status::OK();
}

enum class ExtractUnit : uint8_t {
  kYear,
  kQuarter,
  kMonth,
  kWeek,
  kDay,
  kDayOfWeek,
  kIsoDayOfWeek,
  kDayOfYear,
  kHour,
  kMinute,
  kSecond,
  kMillisecond,
  kEpoch,
};

struct UnitName {
  std::string_view name;
  ExtractUnit unit;
};

// PostgreSQL's spellings plus the MySQL/Flink ones (DAYOFWEEK, DAYOFYEAR).
constexpr std::array<UnitName, 16> kUnits = {{
    {"YEAR", ExtractUnit::kYear},
    {"QUARTER", ExtractUnit::kQuarter},
    {"MONTH", ExtractUnit::kMonth},
    {"WEEK", ExtractUnit::kWeek},
    {"DAY", ExtractUnit::kDay},
    {"DOW", ExtractUnit::kDayOfWeek},
    {"DAYOFWEEK", ExtractUnit::kDayOfWeek},
    {"ISODOW", ExtractUnit::kIsoDayOfWeek},
    {"DOY", ExtractUnit::kDayOfYear},
    {"DAYOFYEAR", ExtractUnit::kDayOfYear},
    {"HOUR", ExtractUnit::kHour},
    {"MINUTE", ExtractUnit::kMinute},
    {"SECOND", ExtractUnit::kSecond},
    {"MILLISECOND", ExtractUnit::kMillisecond},
    {"MILLISECONDS", ExtractUnit::kMillisecond},
    {"EPOCH", ExtractUnit::kEpoch},
}};

class ExtractState final : public FunctionState {
 public:
  explicit ExtractState(ExtractUnit unit) : unit_(unit) {}
  ExtractUnit unit() const { return unit_; }

 private:
  ExtractUnit unit_;
};

Result<std::shared_ptr<const FunctionState>> PrepareExtract(
    std::span<const std::unique_ptr<Expression>> args, int64_t position) {
  const Value* unit = args[0]->literal();
  int64_t at = ArgPosition(*args[0], position);
  if (unit == nullptr || unit->is_null()) {
    return Status::Binder("EXTRACT needs a literal unit, such as EXTRACT(YEAR FROM ts)", at);
  }
  std::string name = unit->string_value();
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  for (const UnitName& candidate : kUnits) {
    if (candidate.name == name) {
      return std::shared_ptr<const FunctionState>(std::make_shared<ExtractState>(candidate.unit));
    }
  }
  return Status::Binder("EXTRACT unit " + name +
                            " is not supported; use YEAR, QUARTER, MONTH, WEEK, DAY, DOW, ISODOW, "
                            "DOY, HOUR, MINUTE, SECOND, MILLISECOND or EPOCH",
                        at);
}

int64_t ExtractField(ExtractUnit unit, int64_t millis) {
  if (unit == ExtractUnit::kEpoch) return FloorDiv(millis, 1000);
  CivilTime time = ToCivil(millis);
  switch (unit) {
    case ExtractUnit::kYear: return time.year;
    case ExtractUnit::kQuarter: return (time.month - 1) / 3 + 1;
    case ExtractUnit::kMonth: return time.month;
    case ExtractUnit::kWeek: return IsoWeek(time);
    case ExtractUnit::kDay: return time.day;
    case ExtractUnit::kDayOfWeek: return time.day_of_week;
    case ExtractUnit::kIsoDayOfWeek: return time.day_of_week == 0 ? 7 : time.day_of_week;
    case ExtractUnit::kDayOfYear: return time.day_of_year;
    case ExtractUnit::kHour: return time.hour;
    case ExtractUnit::kMinute: return time.minute;
    case ExtractUnit::kSecond: return time.second;
    case ExtractUnit::kMillisecond: return time.second * 1000 + time.millisecond;
    case ExtractUnit::kEpoch: break;
  }
  return 0;
}

Status ExtractKernel(const KernelArgs& args, Column& out) {
  if (args.state == nullptr) return Status::Internal("extract called without a prepared unit");
  ExtractUnit unit = static_cast<const ExtractState*>(args.state)->unit();
  const Vector& input = args.args[1];
  for (size_t row = 0; row < args.num_rows; ++row) {
    if (out.valid()[row]) out.ints()[row] = ExtractField(unit, input.Int(row));
  }
  return Status::OK();
}

}  // namespace

void RegisterTimeFunctions(FunctionRegistry& registry) {
  DataType text = DataType::Varchar(), bigint = DataType::Bigint();
  DataType timestamp = DataType::Timestamp();

  ScalarFunction now = MakeFunction("now", 0, 0, "the current time (fixed within a batch)",
                                {{{}, false, timestamp, nullptr, NowKernel}});
  now.time_dependent = true;
  registry.Add(std::move(now), {"current_timestamp"});

  ScalarFunction unix_timestamp =
      MakeFunction("unix_timestamp", 0, 1, "seconds since 1970-01-01 UTC of now or of a timestamp",
               {{{}, false, bigint, nullptr, UnixTimestampKernel},
                {{timestamp}, false, bigint, nullptr, UnixTimestampKernel}});
  unix_timestamp.time_dependent = true;  // unix_timestamp() reads the clock
  registry.Add(std::move(unix_timestamp));

  ScalarFunction to_timestamp = MakeFunction(
      "to_timestamp", 1, 2,
      "a timestamp from epoch milliseconds, or from text [in a pattern such as 'yyyy-MM-dd']",
      {{{bigint}, false, timestamp, nullptr, MillisToTimestampKernel},
       {{text}, false, timestamp, nullptr, TextToTimestampKernel},
       {{text, text}, false, timestamp, nullptr, TextToTimestampKernel}});
  to_timestamp.prepare = PrepareFormat;
  registry.Add(std::move(to_timestamp));

  ScalarFunction date_format = MakeFunction(
      "date_format", 2, 2, "formats a timestamp with a pattern such as 'yyyy-MM-dd HH:mm:ss'",
      {{{timestamp, text}, false, text, nullptr, DateFormatKernel}});
  date_format.prepare = PrepareFormat;
  registry.Add(std::move(date_format));

  ScalarFunction extract =
      MakeFunction("extract", 2, 2, "a field (YEAR, MONTH, DAY, HOUR, ..., EPOCH) of a timestamp",
               {{{text, timestamp}, false, bigint, nullptr, ExtractKernel}});
  extract.prepare = PrepareExtract;
  registry.Add(std::move(extract), {"date_part"});
}

}  // namespace sluice
