#include "runtime/plan/physical_aggregate.h"

#include <simdjson.h>

#include <string>

#include "runtime/expression/expression_json.h"

namespace sluice {

namespace {

using simdjson::dom::element;

Status AggregateJsonError(std::string_view what) {
  return Status::Internal("malformed aggregate in physical plan: " + std::string(what));
}

Result<int64_t> ReadInt(element object, std::string_view key) {
  int64_t value = 0;
  if (object[key].get(value) != simdjson::SUCCESS) return AggregateJsonError(key);
  return value;
}

Result<std::string> ReadString(element object, std::string_view key) {
  std::string_view value;
  if (object[key].get(value) != simdjson::SUCCESS) return AggregateJsonError(key);
  return std::string(value);
}

Result<std::unique_ptr<Expression>> ReadExpr(element value) {
  return ExpressionFromJson(simdjson::minify(value));
}

void WriteExpr(JsonWriter& writer, const Expression& expression) {
  std::string json;
  ExpressionToJson(expression, json);
  writer.Raw(json);
}

}  // namespace

std::string_view AggregateFunctionName(AggregateFunction function) {
  switch (function) {
    case AggregateFunction::kCountStar: return "count_star";
    case AggregateFunction::kCount: return "count";
    case AggregateFunction::kSum: return "sum";
    case AggregateFunction::kAvg: return "avg";
    case AggregateFunction::kMin: return "min";
    case AggregateFunction::kMax: return "max";
    case AggregateFunction::kLatestByOffset: return "latest_by_offset";
    case AggregateFunction::kEarliestByOffset: return "earliest_by_offset";
  }
  return "count";
}

Result<AggregateFunction> ParseAggregateFunction(std::string_view name) {
  for (auto function :
       {AggregateFunction::kCountStar, AggregateFunction::kCount, AggregateFunction::kSum,
        AggregateFunction::kAvg, AggregateFunction::kMin, AggregateFunction::kMax,
        AggregateFunction::kLatestByOffset, AggregateFunction::kEarliestByOffset}) {
    if (AggregateFunctionName(function) == name) return function;
  }
  return AggregateJsonError("unknown aggregate function " + std::string(name));
}

std::string_view WindowTypeName(WindowType type) {
  switch (type) {
    case WindowType::kNone: return "none";
    case WindowType::kTumble: return "tumble";
    case WindowType::kHop: return "hop";
    case WindowType::kSession: return "session";
    case WindowType::kUpstream: return "upstream";
  }
  return "none";
}

Result<WindowType> ParseWindowType(std::string_view name) {
  for (auto type : {WindowType::kNone, WindowType::kTumble, WindowType::kHop, WindowType::kSession,
                    WindowType::kUpstream}) {
    if (WindowTypeName(type) == name) return type;
  }
  return AggregateJsonError("unknown window type " + std::string(name));
}

void WriteAggregateJson(JsonWriter& writer, const PhysicalAggregate& aggregate) {
  writer.Key("kind").String("aggregate");
  writer.Key("window").BeginObject();
  writer.Key("type").String(WindowTypeName(aggregate.window.type));
  writer.Key("size_ms").Int(aggregate.window.size_ms);
  writer.Key("advance_ms").Int(aggregate.window.advance_ms);
  writer.Key("gap_ms").Int(aggregate.window.gap_ms);
  writer.Key("start_column").Int(aggregate.window.start_column);
  writer.Key("end_column").Int(aggregate.window.end_column);
  writer.EndObject();
  writer.Key("keys").BeginArray();
  for (const auto& key : aggregate.keys) WriteExpr(writer, *key);
  writer.EndArray();
  writer.Key("aggregates").BeginArray();
  for (const AggregateCall& call : aggregate.aggregates) {
    writer.BeginObject();
    writer.Key("function").String(AggregateFunctionName(call.function));
    writer.Key("distinct").Bool(call.distinct);
    writer.Key("type").String(call.type.ToString());
    if (call.argument) {
      writer.Key("argument");
      WriteExpr(writer, *call.argument);
    }
    writer.EndObject();
  }
  writer.EndArray();
  if (aggregate.having) {
    writer.Key("having");
    WriteExpr(writer, *aggregate.having);
  }
  writer.Key("emit_changes").Bool(aggregate.emit_changes);
  writer.Key("allow_latency_ms").Int(aggregate.allow_latency_ms);
  writer.Key("idle_timeout_ms").Int(aggregate.idle_timeout_ms);
  if (!aggregate.changelog_key.empty()) {
    writer.Key("changelog_key").BeginArray();
    for (int column : aggregate.changelog_key) writer.Int(column);
    writer.EndArray();
  }
  if (aggregate.changelog_filter) {
    writer.Key("changelog_filter");
    WriteExpr(writer, *aggregate.changelog_filter);
  }
}

Result<std::unique_ptr<PhysicalAggregate>> ReadAggregateJson(element op, Schema schema) {
  auto aggregate = std::make_unique<PhysicalAggregate>();
  aggregate->schema = std::move(schema);
  element window;
  if (op["window"].get(window) != simdjson::SUCCESS) return AggregateJsonError("window");
  ASSIGN_OR_RETURN(std::string window_type, ReadString(window, "type"));
  ASSIGN_OR_RETURN(aggregate->window.type, ParseWindowType(window_type));
  ASSIGN_OR_RETURN(aggregate->window.size_ms, ReadInt(window, "size_ms"));
  ASSIGN_OR_RETURN(aggregate->window.advance_ms, ReadInt(window, "advance_ms"));
  ASSIGN_OR_RETURN(aggregate->window.gap_ms, ReadInt(window, "gap_ms"));
  if (aggregate->window.type == WindowType::kUpstream) {
    ASSIGN_OR_RETURN(int64_t start_column, ReadInt(window, "start_column"));
    ASSIGN_OR_RETURN(int64_t end_column, ReadInt(window, "end_column"));
    if (start_column < 0 || end_column < 0) return AggregateJsonError("window columns");
    aggregate->window.start_column = static_cast<int>(start_column);
    aggregate->window.end_column = static_cast<int>(end_column);
  }
  simdjson::dom::array keys;
  if (op["keys"].get(keys) != simdjson::SUCCESS) return AggregateJsonError("keys");
  for (element key : keys) {
    ASSIGN_OR_RETURN(auto expression, ReadExpr(key));
    aggregate->keys.push_back(std::move(expression));
  }
  simdjson::dom::array calls;
  if (op["aggregates"].get(calls) != simdjson::SUCCESS) return AggregateJsonError("aggregates");
  for (element call_json : calls) {
    AggregateCall call;
    ASSIGN_OR_RETURN(std::string function, ReadString(call_json, "function"));
    ASSIGN_OR_RETURN(call.function, ParseAggregateFunction(function));
    if (call_json["distinct"].get(call.distinct) != simdjson::SUCCESS) {
      return AggregateJsonError("distinct");
    }
    ASSIGN_OR_RETURN(std::string type, ReadString(call_json, "type"));
    ASSIGN_OR_RETURN(call.type, ParseTypeString(type));
    element argument;
    if (call_json["argument"].get(argument) == simdjson::SUCCESS) {
      ASSIGN_OR_RETURN(call.argument, ReadExpr(argument));
    }
    aggregate->aggregates.push_back(std::move(call));
  }
  element having;
  if (op["having"].get(having) == simdjson::SUCCESS) {
    ASSIGN_OR_RETURN(aggregate->having, ReadExpr(having));
  }
  if (op["emit_changes"].get(aggregate->emit_changes) != simdjson::SUCCESS) {
    return AggregateJsonError("emit_changes");
  }
  ASSIGN_OR_RETURN(aggregate->allow_latency_ms, ReadInt(op, "allow_latency_ms"));
  ASSIGN_OR_RETURN(aggregate->idle_timeout_ms, ReadInt(op, "idle_timeout_ms"));
  simdjson::dom::array changelog_key;
  if (op["changelog_key"].get(changelog_key) == simdjson::SUCCESS) {
    for (element column : changelog_key) {
      int64_t index = 0;
      if (column.get(index) != simdjson::SUCCESS) return AggregateJsonError("changelog_key");
      aggregate->changelog_key.push_back(static_cast<int>(index));
    }
  }
  element changelog_filter;
  if (op["changelog_filter"].get(changelog_filter) == simdjson::SUCCESS) {
    ASSIGN_OR_RETURN(aggregate->changelog_filter, ReadExpr(changelog_filter));
  }
  return aggregate;
}

}  // namespace sluice
