#include "runtime/operator/aggregate_accumulator.h"

#include "common/json_codec.h"

namespace sluice {

namespace {

bool IsMin(const AggregateCall& call) { return call.function == AggregateFunction::kMin; }

const AggregateAccumulator::Extra& EmptyExtra() {
  static const AggregateAccumulator::Extra* const empty = new AggregateAccumulator::Extra();
  return *empty;
}

}  // namespace

AggregateAccumulator& AggregateAccumulator::operator=(const AggregateAccumulator& other) {
  if (this == &other) return *this;
  count = other.count;
  int_sum = other.int_sum;  // and best_int, best_double: the same bytes
  double_sum = other.double_sum;
  extra = other.extra == nullptr ? nullptr : std::make_unique<Extra>(*other.extra);
  return *this;
}

const std::string& AggregateAccumulator::best_string() const {
  return (extra != nullptr ? *extra : EmptyExtra()).best_string;
}

const Value& AggregateAccumulator::best_value() const {
  return (extra != nullptr ? *extra : EmptyExtra()).best_value;
}

const std::unordered_set<std::string>& AggregateAccumulator::distinct() const {
  return (extra != nullptr ? *extra : EmptyExtra()).distinct;
}

void Accumulate(const AggregateCall& call, const Column* argument, size_t row, int64_t sequence,
                AggregateAccumulator& acc) {
  if (call.function == AggregateFunction::kCountStar) {
    ++acc.count;
    return;
  }
  if (argument->IsNull(row)) return;
  if (call.distinct) {
    std::string encoded;
    EncodeCell(*argument, row, encoded);
    if (!acc.mutable_extra().distinct.insert(std::move(encoded)).second) return;
  }
  const PhysicalKind kind = argument->type().physical();
  const bool first = acc.count == 0;
  ++acc.count;
  switch (call.function) {
    case AggregateFunction::kCountStar:
    case AggregateFunction::kCount: break;
    case AggregateFunction::kSum:
    case AggregateFunction::kAvg:
      if (kind == PhysicalKind::kDouble) {
        acc.double_sum += argument->GetDouble(row);
      } else {
        acc.int_sum += argument->GetInt64(row);
        acc.double_sum += static_cast<double>(argument->GetInt64(row));
      }
      break;
    case AggregateFunction::kMin:
    case AggregateFunction::kMax: {
      const bool min = IsMin(call);
      if (kind == PhysicalKind::kInt64) {
        int64_t value = argument->GetInt64(row);
        if (first || (min ? value < acc.best_int : value > acc.best_int)) acc.best_int = value;
      } else if (kind == PhysicalKind::kDouble) {
        double value = argument->GetDouble(row);
        if (first || (min ? value < acc.best_double : value > acc.best_double)) {
          acc.best_double = value;
        }
      } else {
        std::string_view value = argument->GetString(row);
        std::string& best = acc.mutable_extra().best_string;
        if (first || (min ? value < best : value > best)) {
          best.assign(value);
        }
      }
      break;
    }
    case AggregateFunction::kLatestByOffset:
    case AggregateFunction::kEarliestByOffset:
      if (first || call.function == AggregateFunction::kLatestByOffset) {
        AggregateAccumulator::Extra& extra = acc.mutable_extra();
        extra.best_value = argument->GetValue(row);
        extra.best_sequence = sequence;
      }
      break;
  }
}

void MergeAccumulator(const AggregateCall& call, const AggregateAccumulator& from,
                      AggregateAccumulator& into) {
  if (from.count == 0) return;
  if (call.distinct) {
    // Distinct counts cannot be added: the union decides.
    std::unordered_set<std::string>& distinct = into.mutable_extra().distinct;
    distinct.insert(from.distinct().begin(), from.distinct().end());
    into.count = static_cast<int64_t>(distinct.size());
    return;
  }
  const bool first = into.count == 0;
  switch (call.function) {
    case AggregateFunction::kCountStar:
    case AggregateFunction::kCount: break;
    case AggregateFunction::kSum:
    case AggregateFunction::kAvg:
      into.int_sum += from.int_sum;
      into.double_sum += from.double_sum;
      break;
    case AggregateFunction::kMin:
    case AggregateFunction::kMax: {
      const bool min = IsMin(call);
      if (first || (min ? from.best_int < into.best_int : from.best_int > into.best_int)) {
        into.best_int = from.best_int;
      }
      if (first ||
          (min ? from.best_double < into.best_double : from.best_double > into.best_double)) {
        into.best_double = from.best_double;
      }
      // Numeric cells leave the best strings empty and unallocated.
      const PhysicalKind kind = call.type.physical();
      if (kind != PhysicalKind::kInt64 && kind != PhysicalKind::kDouble &&
          (first || (min ? from.best_string() < into.best_string()
                         : from.best_string() > into.best_string()))) {
        into.mutable_extra().best_string = from.best_string();
      }
      break;
    }
    case AggregateFunction::kLatestByOffset:
    case AggregateFunction::kEarliestByOffset: {
      const bool latest = call.function == AggregateFunction::kLatestByOffset;
      if (first || (latest ? from.best_sequence() > into.best_sequence()
                           : from.best_sequence() < into.best_sequence())) {
        AggregateAccumulator::Extra& extra = into.mutable_extra();
        extra.best_value = from.best_value();
        extra.best_sequence = from.best_sequence();
      }
      break;
    }
  }
  into.count += from.count;
}

bool AppendArithmeticResult(const AggregateCall& call, int64_t count, int64_t int_sum,
                            double double_sum, Column& out) {
  switch (call.function) {
    case AggregateFunction::kCountStar:
    case AggregateFunction::kCount: out.AppendInt64(count); return true;
    case AggregateFunction::kSum:
      if (count == 0) {
        out.AppendNull();
      } else if (out.type().physical() == PhysicalKind::kDouble) {
        out.AppendDouble(double_sum);
      } else {
        out.AppendInt64(int_sum);
      }
      return true;
    case AggregateFunction::kAvg:
      if (count == 0) {
        out.AppendNull();
      } else {
        out.AppendDouble(double_sum / static_cast<double>(count));
      }
      return true;
    default: return false;
  }
}

Schema AggregateStateSchema(const std::vector<std::unique_ptr<Expression>>& keys, size_t num_calls,
                            const std::function<void(const std::string& prefix, size_t call_idx,
                                                     Schema& schema)>& add_call_fields) {
  Schema schema;
  for (size_t key_idx = 0; key_idx < keys.size(); ++key_idx) {
    schema.Add(Field{"k" + std::to_string(key_idx), keys[key_idx]->type()});
  }
  for (size_t call_idx = 0; call_idx < num_calls; ++call_idx) {
    const std::string prefix = "a" + std::to_string(call_idx) + "_";
    schema.Add(Field{prefix + "count", DataType::Bigint()});
    schema.Add(Field{prefix + "isum", DataType::Bigint()});
    schema.Add(Field{prefix + "dsum", DataType::Double()});
    add_call_fields(prefix, call_idx, schema);
  }
  return schema;
}

Status PutStateRows(const Schema& schema, const RecordBatch& rows,
                    const std::vector<std::string>& keys, StateTable& table) {
  const JsonRecordEncoder encoder(schema);
  std::string json;
  for (size_t row = 0; row < keys.size(); ++row) {
    json.clear();
    encoder.EncodeRow(rows, row, json);
    RETURN_NOT_OK(table.Put(keys[row], json));
  }
  return Status::OK();
}

std::vector<int> AllColumns(const Schema& schema) {
  std::vector<int> columns(schema.size());
  for (size_t column_idx = 0; column_idx < schema.size(); ++column_idx) {
    columns[column_idx] = static_cast<int>(column_idx);
  }
  return columns;
}

void AppendRows(RecordBatch&& rows, RecordBatch& output) {
  if (output.num_rows() == 0) {
    output = std::move(rows);
    return;
  }
  for (size_t column_idx = 0; column_idx < rows.num_columns(); ++column_idx) {
    Column& to = output.column(column_idx);
    const Column& from = rows.column(column_idx);
    for (size_t row = 0; row < rows.num_rows(); ++row) to.AppendFrom(from, row);
  }
  for (size_t row = 0; row < rows.num_rows(); ++row) {
    output.meta().push_back(rows.meta()[row]);
    output.keys().emplace_back();
  }
}

void AppendResult(const AggregateCall& call, const AggregateAccumulator& acc, Column& out) {
  if (AppendArithmeticResult(call, acc.count, acc.int_sum, acc.double_sum, out)) return;
  if (acc.count == 0) {
    out.AppendNull();
    return;
  }
  switch (call.function) {
    case AggregateFunction::kMin:
    case AggregateFunction::kMax:
      switch (out.type().physical()) {
        case PhysicalKind::kInt64: out.AppendInt64(acc.best_int); return;
        case PhysicalKind::kDouble: out.AppendDouble(acc.best_double); return;
        default: out.AppendString(acc.best_string()); return;
      }
    default: out.AppendValue(acc.best_value()); return;
  }
}

}  // namespace sluice
