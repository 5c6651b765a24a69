#include "runtime/connector/datagen/random_columns.h"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "common/value.h"
#include "runtime/connector/datagen/random_stream.h"

namespace sluice {

namespace {

using datagen::RandomStream;

constexpr int64_t kDefaultMaxInt = 1'000'000;
constexpr int64_t kDefaultLength = 10;
constexpr int64_t kDefaultElements = 3;
constexpr int64_t kMaxLength = 1'000'000;
constexpr int64_t kMillisPerDay = 86'400'000;

// How one column's values are drawn.
struct RandomSpec {
  DataType type;
  uint64_t key = 0;
  int64_t min_int = 0;  // INTEGER, BIGINT, DECIMAL (unscaled)
  int64_t max_int = kDefaultMaxInt;
  double min_double = 0;
  double max_double = 1;
  int64_t length = -1;  // -1: the type's default
  double null_rate = 0;
  bool event_time = false;  // TIMESTAMP, or the relation's timestamp column
};

int64_t Pow10(int exponent) {
  int64_t value = 1;
  for (int step = 0; step < exponent; ++step) value *= 10;
  return value;
}

// Largest unscaled value of a DECIMAL(p, s) holding at most kDefaultMaxInt.
int64_t DefaultDecimalMax(const DataType& type) {
  int64_t type_max = Pow10(type.precision()) - 1;
  if (type.scale() + 6 >= 18) return type_max;
  return std::min(type_max, kDefaultMaxInt * Pow10(type.scale()));
}

Status OptionError(const std::string& column, const std::string& option, const std::string& what) {
  return Status::Binder("datagen property 'fields." + column + "." + option + "' " + what);
}

Result<int64_t> ParseInt(const std::string& column, const std::string& option,
                         const std::string& text, int64_t min, int64_t max) {
  int64_t value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, error] = std::from_chars(text.data(), end, value);
  if (error != std::errc() || ptr != end || value < min || value > max) {
    return OptionError(column, option,
                       "must be a whole number from " + std::to_string(min) + " to " +
                           std::to_string(max) + ", got '" + text + "'");
  }
  return value;
}

Result<double> ParseDouble(const std::string& column, const std::string& option,
                           const std::string& text) {
  char* end = nullptr;
  double value = std::strtod(text.c_str(), &end);
  if (text.empty() || end != text.c_str() + text.size() || !std::isfinite(value)) {
    return OptionError(column, option, "must be a number, got '" + text + "'");
  }
  return value;
}

Status ApplyOption(const Field& column, const std::string& option, const std::string& text,
                   RandomSpec& spec) {
  const DataType& type = column.type;
  TypeId id = type.id();
  const std::string& name = column.name;
  if (option == "min" || option == "max") {
    bool is_min = option == "min";
    if (id == TypeId::kInteger || id == TypeId::kBigint) {
      int64_t limit = id == TypeId::kInteger ? INT32_MAX : INT64_MAX;
      int64_t low = id == TypeId::kInteger ? INT32_MIN : INT64_MIN;
      ASSIGN_OR_RETURN(int64_t value, ParseInt(name, option, text, low, limit));
      (is_min ? spec.min_int : spec.max_int) = value;
    } else if (id == TypeId::kDecimal) {
      Result<int64_t> value = ParseDecimal(text, type.precision(), type.scale());
      if (!value.ok()) {
        return OptionError(name, option, "must be a " + type.ToString() + " value, got '" + text +
                                             "'");
      }
      (is_min ? spec.min_int : spec.max_int) = *value;
    } else if (id == TypeId::kDouble) {
      ASSIGN_OR_RETURN(double value, ParseDouble(name, option, text));
      (is_min ? spec.min_double : spec.max_double) = value;
    } else {
      return OptionError(name, option,
                         "applies to INTEGER, BIGINT, DECIMAL and DOUBLE columns, not " +
                             type.ToString());
    }
  } else if (option == "length") {
    if (id != TypeId::kVarchar && id != TypeId::kBytes && id != TypeId::kArray &&
        id != TypeId::kMap) {
      return OptionError(name, option,
                         "applies to VARCHAR, BYTES, ARRAY and MAP columns, not " +
                             type.ToString());
    }
    ASSIGN_OR_RETURN(spec.length, ParseInt(name, option, text, 0, kMaxLength));
  } else if (option == "null.rate") {
    ASSIGN_OR_RETURN(spec.null_rate, ParseDouble(name, option, text));
    if (spec.null_rate < 0 || spec.null_rate > 1) {
      return OptionError(name, option, "must be a probability from 0 to 1, got '" + text + "'");
    }
  }
  return Status::OK();
}

Result<std::vector<RandomSpec>> PlanColumns(const DatagenOptions& options, const Schema& schema,
                                            int timestamp_column) {
  std::vector<RandomSpec> specs;
  for (size_t column_idx = 0; column_idx < schema.size(); ++column_idx) {
    const Field& column = schema.field(column_idx);
    RandomSpec spec;
    spec.type = column.type;
    spec.key = datagen::FieldKey(options.seed, column_idx);
    if (column.type.id() == TypeId::kDecimal) spec.max_int = DefaultDecimalMax(column.type);
    spec.event_time = column.type.id() == TypeId::kTimestamp ||
                      static_cast<int>(column_idx) == timestamp_column;
    specs.push_back(std::move(spec));
  }
  for (const auto& [column_name, column_options] : options.field_options) {
    int found = -1;
    for (size_t column_idx = 0; column_idx < schema.size(); ++column_idx) {
      if (AsciiLower(schema.field(column_idx).name) == column_name) {
        found = static_cast<int>(column_idx);
      }
    }
    if (found < 0) {
      return Status::Binder("datagen property 'fields." + column_name +
                            ".*' names a column the relation does not have");
    }
    const Field& column = schema.field(static_cast<size_t>(found));
    for (const auto& [option, text] : column_options) {
      RETURN_NOT_OK(ApplyOption(column, option, text, specs[static_cast<size_t>(found)]));
    }
    const RandomSpec& spec = specs[static_cast<size_t>(found)];
    if (spec.min_int > spec.max_int || spec.min_double > spec.max_double) {
      return Status::Binder("datagen properties 'fields." + column_name +
                            ".min' and '.max' must satisfy min <= max");
    }
  }
  return specs;
}

// Uniform in [min, max]; the whole int64 range when the span wraps to 0.
int64_t DrawInt(RandomStream& stream, int64_t min, int64_t max) {
  uint64_t span = static_cast<uint64_t>(max) - static_cast<uint64_t>(min) + 1;
  uint64_t offset = span == 0 ? stream.Next() : stream.Below(span);
  return static_cast<int64_t>(static_cast<uint64_t>(min) + offset);
}

void FillBytes(RandomStream& stream, char* out, size_t length) {
  for (size_t byte_idx = 0; byte_idx < length; byte_idx += 8) {
    uint64_t bits = stream.Next();
    for (size_t part = 0; part < 8 && byte_idx + part < length; ++part) {
      out[byte_idx + part] = static_cast<char>((bits >> (8 * part)) & 0xFF);
    }
  }
}

std::string RandomLetters(RandomStream& stream, size_t length) {
  std::string text(length, 'a');
  datagen::FillLetters(stream, text.data(), length);
  return text;
}

// A nested cell (or an element inside one), by the type defaults.
Value RandomValue(const DataType& type, RandomStream& stream, int64_t event_time, int64_t length) {
  switch (type.id()) {
    case TypeId::kNull: return Value::Null(type);
    case TypeId::kBoolean: return Value::Boolean(stream.Below(2) == 1);
    case TypeId::kInteger:
      return Value::Integer(static_cast<int32_t>(DrawInt(stream, 0, kDefaultMaxInt)));
    case TypeId::kBigint: return Value::Bigint(DrawInt(stream, 0, kDefaultMaxInt));
    case TypeId::kDouble: return Value::Double(stream.NextDouble());
    case TypeId::kDecimal:
      return Value::Decimal(DrawInt(stream, 0, DefaultDecimalMax(type)), type.precision(),
                            type.scale());
    case TypeId::kVarchar:
      return Value::Varchar(RandomLetters(stream, length < 0 ? kDefaultLength : length));
    case TypeId::kBytes: {
      std::string bytes(static_cast<size_t>(length < 0 ? kDefaultLength : length), '\0');
      FillBytes(stream, bytes.data(), bytes.size());
      return Value::Bytes(std::move(bytes));
    }
    case TypeId::kTimestamp: return Value::Timestamp(event_time);
    case TypeId::kDate: return Value::Date(static_cast<int32_t>(event_time / kMillisPerDay));
    case TypeId::kStruct: {
      std::vector<Value> fields;
      for (const DataType& child : type.children()) {
        fields.push_back(RandomValue(child, stream, event_time, -1));
      }
      return Value::Struct(type, std::move(fields));
    }
    case TypeId::kArray:
    case TypeId::kMap: {
      size_t count = stream.Below(static_cast<uint64_t>(length < 0 ? kDefaultElements : length) + 1);
      std::vector<Value> values;
      std::vector<std::string> keys;
      for (size_t element_idx = 0; element_idx < count; ++element_idx) {
        values.push_back(RandomValue(type.children()[0], stream, event_time, -1));
        if (type.id() == TypeId::kMap) {
          keys.push_back("k" + std::to_string(element_idx) + "_" + RandomLetters(stream, 3));
        }
      }
      return type.id() == TypeId::kMap ? Value::Map(type, std::move(keys), std::move(values))
                                       : Value::Array(type, std::move(values));
    }
  }
  return Value::Null(type);
}

class RandomColumn final : public DatagenColumn {
 public:
  explicit RandomColumn(RandomSpec spec) : spec_(std::move(spec)) {}

  void Fill(const DatagenRows& rows, Column& column, StringArena& arena) const override {
    for (size_t row_idx = 0; row_idx < rows.count; ++row_idx) {
      RandomStream stream = datagen::OpenStream(spec_.key, rows.events[row_idx]);
      if (spec_.null_rate > 0 && stream.NextDouble() < spec_.null_rate) {
        column.AppendNull();
        continue;
      }
      AppendOne(stream, rows.event_times[row_idx], column, arena);
    }
  }

  bool is_event_time() const override { return spec_.event_time && spec_.null_rate == 0; }

 private:
  void AppendOne(RandomStream& stream, int64_t event_time, Column& column,
                 StringArena& arena) const {
    if (spec_.event_time) {
      column.AppendInt64(event_time);
      return;
    }
    switch (spec_.type.id()) {
      case TypeId::kBoolean: column.AppendInt64(static_cast<int64_t>(stream.Below(2))); break;
      case TypeId::kInteger:
      case TypeId::kBigint:
      case TypeId::kDecimal: column.AppendInt64(DrawInt(stream, spec_.min_int, spec_.max_int)); break;
      case TypeId::kDouble:
        column.AppendDouble(spec_.min_double +
                            stream.NextDouble() * (spec_.max_double - spec_.min_double));
        break;
      case TypeId::kVarchar:
      case TypeId::kBytes: {
        size_t length = static_cast<size_t>(spec_.length < 0 ? kDefaultLength : spec_.length);
        char* out = arena.Allocate(length);
        if (spec_.type.id() == TypeId::kVarchar) {
          datagen::FillLetters(stream, out, length);
        } else {
          FillBytes(stream, out, length);
        }
        column.AppendStringView(std::string_view(out, length));
        break;
      }
      case TypeId::kDate: column.AppendInt64(event_time / kMillisPerDay); break;
      case TypeId::kNull: column.AppendNull(); break;
      default: column.AppendNested(RandomValue(spec_.type, stream, event_time, spec_.length));
    }
  }

  RandomSpec spec_;
};

class RandomGenerator final : public DatagenGenerator {
 public:
  explicit RandomGenerator(std::vector<RandomSpec> specs) : specs_(std::move(specs)) {}

  StreamShape shape() const override { return StreamShape{}; }

  std::unique_ptr<DatagenColumn> MakeColumn(int column_idx) const override {
    return std::make_unique<RandomColumn>(specs_[static_cast<size_t>(column_idx)]);
  }

 private:
  std::vector<RandomSpec> specs_;  // one per relation column
};

}  // namespace

Status CheckRandomColumns(const DatagenOptions& options, const Schema& schema) {
  return PlanColumns(options, schema, -1).status();
}

Result<std::unique_ptr<DatagenGenerator>> MakeRandomGenerator(const DatagenOptions& options,
                                                              const Schema& schema,
                                                              int timestamp_column) {
  ASSIGN_OR_RETURN(std::vector<RandomSpec> specs,
                   PlanColumns(options, schema, timestamp_column));
  return std::unique_ptr<DatagenGenerator>(std::make_unique<RandomGenerator>(std::move(specs)));
}

}  // namespace sluice
