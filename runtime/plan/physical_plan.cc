#include "runtime/plan/physical_plan.h"

#include <simdjson.h>

#include <charconv>

#include "common/ascii.h"
#include "common/json_writer.h"
#include "runtime/expression/expression_json.h"
#include "runtime/plan/physical_aggregate.h"
#include "runtime/plan/physical_join.h"

namespace sluice {

namespace {

using simdjson::dom::element;

void WriteSchema(JsonWriter& writer, const Schema& schema) {
  writer.BeginArray();
  for (const Field& field : schema.fields()) {
    writer.BeginObject().Key("name").String(field.name).Key("type").String(field.type.ToString());
    writer.EndObject();
  }
  writer.EndArray();
}

void WriteExpression(JsonWriter& writer, const Expression& expression) {
  std::string json;
  ExpressionToJson(expression, json);
  writer.Raw(json);
}

void WriteProperties(JsonWriter& writer, const std::map<std::string, std::string>& properties) {
  writer.BeginObject();
  for (const auto& [key, value] : properties) writer.Key(key).String(value);
  writer.EndObject();
}

std::string_view SinkKindName(SinkKind kind) {
  switch (kind) {
    case SinkKind::kLocalLog: return "local";
    case SinkKind::kDiscard: return "discard";
    case SinkKind::kCollect: return "collect";
    case SinkKind::kKafka: return "kafka";
    case SinkKind::kView: return "view";
  }
  return "collect";
}

// Reading: every accessor turns a simdjson error into a plan error naming the field.
Status PlanError(std::string_view what) {
  return Status::Internal("malformed physical plan: " + std::string(what));
}

Result<element> Member(element object, std::string_view key) {
  element value;
  if (object[key].get(value) != simdjson::SUCCESS) return PlanError(std::string(key) + " missing");
  return value;
}

Result<std::string> StringField(element object, std::string_view key) {
  ASSIGN_OR_RETURN(element value, Member(object, key));
  std::string_view text;
  if (value.get(text) != simdjson::SUCCESS) return PlanError(std::string(key) + " not a string");
  return std::string(text);
}

Result<int64_t> IntField(element object, std::string_view key) {
  ASSIGN_OR_RETURN(element value, Member(object, key));
  int64_t number = 0;
  if (value.get(number) != simdjson::SUCCESS) return PlanError(std::string(key) + " not an int");
  return number;
}

Result<bool> BoolField(element object, std::string_view key) {
  ASSIGN_OR_RETURN(element value, Member(object, key));
  bool flag = false;
  if (value.get(flag) != simdjson::SUCCESS) return PlanError(std::string(key) + " not a bool");
  return flag;
}

Result<Schema> ReadSchema(element value) {
  simdjson::dom::array fields;
  if (value.get(fields) != simdjson::SUCCESS) return PlanError("schema not an array");
  Schema schema;
  for (element field : fields) {
    ASSIGN_OR_RETURN(std::string name, StringField(field, "name"));
    ASSIGN_OR_RETURN(std::string type_text, StringField(field, "type"));
    ASSIGN_OR_RETURN(DataType type, ParseTypeString(type_text));
    schema.Add(sluice::Field{std::move(name), std::move(type)});
  }
  return schema;
}

Result<std::vector<int64_t>> ReadInt64s(element value) {
  simdjson::dom::array items;
  if (value.get(items) != simdjson::SUCCESS) return PlanError("expected an array of ints");
  std::vector<int64_t> result;
  for (element item : items) {
    int64_t number = 0;
    if (item.get(number) != simdjson::SUCCESS) return PlanError("expected an int");
    result.push_back(number);
  }
  return result;
}

Result<std::vector<int>> ReadInts(element value) {
  ASSIGN_OR_RETURN(std::vector<int64_t> numbers, ReadInt64s(value));
  return std::vector<int>(numbers.begin(), numbers.end());
}

Result<std::map<std::string, std::string>> ReadProperties(element value) {
  simdjson::dom::object object;
  if (value.get(object) != simdjson::SUCCESS) return PlanError("properties not an object");
  std::map<std::string, std::string> properties;
  for (auto [key, item] : object) {
    std::string_view text;
    if (item.get(text) != simdjson::SUCCESS) return PlanError("property value not a string");
    properties.emplace(std::string(key), std::string(text));
  }
  return properties;
}

Result<std::unique_ptr<Expression>> ReadExpression(element value) {
  return ExpressionFromJson(simdjson::minify(value));
}

void WriteSource(JsonWriter& writer, const SourceSpec& source) {
  writer.BeginObject();
  writer.Key("store_type").String(source.store_type);
  writer.Key("relation").String(source.relation);
  writer.Key("topic").String(source.topic);
  writer.Key("partitions").Int(source.partitions);
  writer.Key("relation_schema");
  WriteSchema(writer, source.relation_schema);
  writer.Key("columns").BeginArray();
  for (int column : source.columns) writer.Int(column);
  writer.EndArray();
  writer.Key("metadata").BeginArray();
  for (RowMetadata kind : source.metadata) writer.Int(static_cast<int>(kind));
  writer.EndArray();
  writer.Key("value_format").String(source.value_format);
  writer.Key("timestamp_column").Int(source.timestamp_column);
  writer.Key("start_at_earliest").Bool(source.start_at_earliest);
  writer.Key("start_timestamp_ms").Int(source.start_timestamp_ms);
  writer.Key("error_handling").String(ErrorHandlingName(source.error_handling));
  writer.Key("error_topic").String(source.error_topic);
  writer.Key("properties");
  WriteProperties(writer, source.properties);
  if (source.emit_deletes) writer.Key("emit_deletes").Bool(true);
  if (source.end_at_latest) {
    writer.Key("end_at_latest").Bool(true);
    writer.Key("end_offsets").BeginArray();
    for (int64_t offset : source.end_offsets) writer.Int(offset);
    writer.EndArray();
  }
  if (!source.key_columns.empty()) {
    writer.Key("key_columns").BeginArray();
    for (int column : source.key_columns) writer.Int(column);
    writer.EndArray();
  }
  writer.EndObject();
}

Status ReadSource(element source, SourceSpec& spec) {
  ASSIGN_OR_RETURN(spec.store_type, StringField(source, "store_type"));
  ASSIGN_OR_RETURN(spec.relation, StringField(source, "relation"));
  ASSIGN_OR_RETURN(spec.topic, StringField(source, "topic"));
  ASSIGN_OR_RETURN(int64_t partitions, IntField(source, "partitions"));
  spec.partitions = static_cast<int32_t>(partitions);
  ASSIGN_OR_RETURN(element relation_schema, Member(source, "relation_schema"));
  ASSIGN_OR_RETURN(spec.relation_schema, ReadSchema(relation_schema));
  ASSIGN_OR_RETURN(element columns, Member(source, "columns"));
  ASSIGN_OR_RETURN(spec.columns, ReadInts(columns));
  ASSIGN_OR_RETURN(element metadata, Member(source, "metadata"));
  ASSIGN_OR_RETURN(std::vector<int> metadata_kinds, ReadInts(metadata));
  for (int kind : metadata_kinds) {
    if (kind < 0 || kind >= static_cast<int>(kRowMetadataCount)) return PlanError("metadata");
    spec.metadata.push_back(static_cast<RowMetadata>(kind));
  }
  ASSIGN_OR_RETURN(spec.value_format, StringField(source, "value_format"));
  ASSIGN_OR_RETURN(int64_t timestamp_column, IntField(source, "timestamp_column"));
  spec.timestamp_column = static_cast<int>(timestamp_column);
  ASSIGN_OR_RETURN(spec.start_at_earliest, BoolField(source, "start_at_earliest"));
  ASSIGN_OR_RETURN(spec.start_timestamp_ms, IntField(source, "start_timestamp_ms"));
  ASSIGN_OR_RETURN(std::string handling, StringField(source, "error_handling"));
  ASSIGN_OR_RETURN(spec.error_handling, ParseErrorHandling(handling));
  ASSIGN_OR_RETURN(spec.error_topic, StringField(source, "error_topic"));
  ASSIGN_OR_RETURN(element properties, Member(source, "properties"));
  ASSIGN_OR_RETURN(spec.properties, ReadProperties(properties));
  element optional;
  if (source.at_key("emit_deletes").get(optional) == simdjson::SUCCESS) {
    ASSIGN_OR_RETURN(spec.emit_deletes, BoolField(source, "emit_deletes"));
  }
  if (source.at_key("key_columns").get(optional) == simdjson::SUCCESS) {
    ASSIGN_OR_RETURN(spec.key_columns, ReadInts(optional));
  }
  if (source.at_key("end_at_latest").get(optional) == simdjson::SUCCESS) {
    ASSIGN_OR_RETURN(spec.end_at_latest, BoolField(source, "end_at_latest"));
    ASSIGN_OR_RETURN(element ends, Member(source, "end_offsets"));
    ASSIGN_OR_RETURN(spec.end_offsets, ReadInt64s(ends));
  }
  return Status::OK();
}

}  // namespace

std::string_view ErrorHandlingName(ErrorHandling handling) {
  switch (handling) {
    case ErrorHandling::kTerminate: return "TERMINATE";
    case ErrorHandling::kIgnore: return "IGNORE";
    case ErrorHandling::kIgnoreAndLog: return "IGNORE_AND_LOG";
  }
  return "TERMINATE";
}

Result<ErrorHandling> ParseErrorHandling(std::string_view text) {
  std::string upper(text);
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (upper == "TERMINATE") return ErrorHandling::kTerminate;
  if (upper == "IGNORE") return ErrorHandling::kIgnore;
  if (upper == "IGNORE_AND_LOG") return ErrorHandling::kIgnoreAndLog;
  return Status::Binder(
      "'source.deserialization.error.handling' must be TERMINATE, IGNORE or "
      "IGNORE_AND_LOG, got '" +
      std::string(text) + "'");
}

Status ParseStartingPosition(std::string_view text, SourceSpec& spec) {
  const std::string lower = AsciiLower(text);
  spec.start_timestamp_ms = -1;
  if (lower == "earliest" || lower == "latest") {
    spec.start_at_earliest = lower == "earliest";
    return Status::OK();
  }
  int64_t millis = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), millis);
  if (error == std::errc() && end == text.data() + text.size() && millis >= 0) {
    spec.start_timestamp_ms = millis;
    return Status::OK();
  }
  Result<int64_t> parsed = ParseTimestamp(text);
  if (!parsed.ok()) {
    return Status::Binder(
        "'starting.position' must be 'earliest', 'latest', epoch milliseconds "
        "or a timestamp such as '2026-01-31 12:00:00', got '" +
        std::string(text) + "'");
  }
  spec.start_timestamp_ms = *parsed;
  return Status::OK();
}

Status ParseEndingPosition(std::string_view text, SourceSpec& spec) {
  const std::string lower = AsciiLower(text);
  if (lower == "latest" || lower == "unbounded") {
    spec.end_at_latest = lower == "latest";
    return Status::OK();
  }
  return Status::Binder(
      "'ending.position' must be 'latest' (end at the log's end as of the query's start) or "
      "'unbounded', got '" +
      std::string(text) + "'");
}

Schema SourceSpec::batch_schema() const {
  Schema schema;
  for (int column : columns) schema.Add(relation_schema.field(static_cast<size_t>(column)));
  for (RowMetadata kind : metadata) schema.Add(Field{RowMetadataName(kind), RowMetadataType(kind)});
  return schema;
}

bool PhysicalPlan::has_aggregate() const {
  for (const auto& op : operators) {
    if (op->kind() == PhysicalOperatorKind::kAggregate) return true;
  }
  return false;
}

Schema PhysicalPlan::output_schema() const {
  if (!operators.empty()) return operators.back()->output_schema();
  return source.batch_schema();
}

std::string PhysicalPlanToJson(const PhysicalPlan& plan) {
  JsonWriter writer;
  writer.BeginObject();
  writer.Key("query_id").Int(plan.query_id);
  writer.Key("limit").Int(plan.limit);
  writer.Key("checkpoint_interval_ms").Int(plan.checkpoint_interval_ms);
  writer.Key("parallelism").Int(plan.parallelism);
  if (!plan.repartition_topic.empty()) {
    writer.Key("repartition_topic").String(plan.repartition_topic);
  }
  writer.Key("state_cache_max_bytes").Int(plan.state_cache_max_bytes);
  writer.Key("state_ttl_ms").Int(plan.state_ttl_ms);

  writer.Key("source");
  WriteSource(writer, plan.source);
  if (plan.join_source) {
    writer.Key("join_source");
    WriteSource(writer, *plan.join_source);
  }

  writer.Key("operators").BeginArray();
  for (const auto& op : plan.operators) {
    writer.BeginObject();
    writer.Key("schema");
    WriteSchema(writer, op->output_schema());
    switch (op->kind()) {
      case PhysicalOperatorKind::kFilter:
        writer.Key("kind").String("filter").Key("predicate");
        WriteExpression(writer, static_cast<const PhysicalFilter&>(*op).predicate());
        break;
      case PhysicalOperatorKind::kProject:
        writer.Key("kind").String("project").Key("expressions").BeginArray();
        for (const auto& expression : static_cast<const PhysicalProject&>(*op).expressions()) {
          WriteExpression(writer, *expression);
        }
        writer.EndArray();
        break;
      case PhysicalOperatorKind::kAggregate:
        WriteAggregateJson(writer, static_cast<const PhysicalAggregate&>(*op));
        break;
      case PhysicalOperatorKind::kJoin:
        WriteJoinJson(writer, static_cast<const PhysicalJoin&>(*op));
        break;
    }
    writer.EndObject();
  }
  writer.EndArray();

  const SinkSpec& sink = plan.sink;
  writer.Key("sink").BeginObject();
  writer.Key("kind").String(SinkKindName(sink.kind));
  writer.Key("relation").String(sink.relation);
  writer.Key("topic").String(sink.topic);
  writer.Key("partitions").Int(sink.partitions);
  writer.Key("schema");
  WriteSchema(writer, sink.schema);
  writer.Key("key_columns").BeginArray();
  for (int column : sink.key_columns) writer.Int(column);
  writer.EndArray();
  writer.Key("value_format").String(sink.value_format);
  writer.Key("properties");
  WriteProperties(writer, sink.properties);
  writer.EndObject();

  writer.EndObject();
  return writer.Take();
}

Result<std::unique_ptr<PhysicalPlan>> PhysicalPlanFromJson(std::string_view json) {
  simdjson::dom::parser parser;
  element root;
  if (parser.parse(json.data(), json.size()).get(root) != simdjson::SUCCESS) {
    return PlanError("not valid JSON");
  }
  auto plan = std::make_unique<PhysicalPlan>();
  ASSIGN_OR_RETURN(plan->query_id, IntField(root, "query_id"));
  ASSIGN_OR_RETURN(plan->limit, IntField(root, "limit"));
  // Optional: plans stored before checkpoint intervals existed use the default.
  if (root["checkpoint_interval_ms"].error() == simdjson::SUCCESS) {
    ASSIGN_OR_RETURN(plan->checkpoint_interval_ms, IntField(root, "checkpoint_interval_ms"));
  }
  if (root["state_cache_max_bytes"].error() == simdjson::SUCCESS) {
    ASSIGN_OR_RETURN(plan->state_cache_max_bytes, IntField(root, "state_cache_max_bytes"));
    if (plan->state_cache_max_bytes <= 0) {
      return Status::Internal("plan has state cache budget " +
                              std::to_string(plan->state_cache_max_bytes));
    }
  }
  if (root["state_ttl_ms"].error() == simdjson::SUCCESS) {
    ASSIGN_OR_RETURN(plan->state_ttl_ms, IntField(root, "state_ttl_ms"));
  }
  if (root["parallelism"].error() == simdjson::SUCCESS) {
    ASSIGN_OR_RETURN(int64_t parallelism, IntField(root, "parallelism"));
    if (parallelism < 1 || parallelism > kMaxParallelism) {
      return Status::Internal("plan has parallelism " + std::to_string(parallelism));
    }
    plan->parallelism = static_cast<int32_t>(parallelism);
  }
  if (root["repartition_topic"].error() == simdjson::SUCCESS) {
    ASSIGN_OR_RETURN(plan->repartition_topic, StringField(root, "repartition_topic"));
  }

  ASSIGN_OR_RETURN(element source, Member(root, "source"));
  RETURN_NOT_OK(ReadSource(source, plan->source));
  element join_source;
  if (root.at_key("join_source").get(join_source) == simdjson::SUCCESS) {
    plan->join_source.emplace();
    RETURN_NOT_OK(ReadSource(join_source, *plan->join_source));
  }

  ASSIGN_OR_RETURN(element operators, Member(root, "operators"));
  simdjson::dom::array operator_array;
  if (operators.get(operator_array) != simdjson::SUCCESS) return PlanError("operators");
  for (element op : operator_array) {
    ASSIGN_OR_RETURN(std::string kind, StringField(op, "kind"));
    ASSIGN_OR_RETURN(element schema_json, Member(op, "schema"));
    ASSIGN_OR_RETURN(Schema schema, ReadSchema(schema_json));
    if (kind == "filter") {
      ASSIGN_OR_RETURN(element predicate_json, Member(op, "predicate"));
      ASSIGN_OR_RETURN(auto predicate, ReadExpression(predicate_json));
      plan->operators.push_back(
          std::make_unique<PhysicalFilter>(std::move(predicate), std::move(schema)));
    } else if (kind == "project") {
      ASSIGN_OR_RETURN(element expressions_json, Member(op, "expressions"));
      simdjson::dom::array items;
      if (expressions_json.get(items) != simdjson::SUCCESS) return PlanError("expressions");
      std::vector<std::unique_ptr<Expression>> expressions;
      for (element item : items) {
        ASSIGN_OR_RETURN(auto expression, ReadExpression(item));
        expressions.push_back(std::move(expression));
      }
      plan->operators.push_back(
          std::make_unique<PhysicalProject>(std::move(expressions), std::move(schema)));
    } else if (kind == "aggregate") {
      ASSIGN_OR_RETURN(auto aggregate, ReadAggregateJson(op, std::move(schema)));
      plan->operators.push_back(std::move(aggregate));
    } else if (kind == "join") {
      ASSIGN_OR_RETURN(auto join, ReadJoinJson(op, std::move(schema)));
      plan->operators.push_back(std::move(join));
    } else {
      return PlanError("unknown operator kind " + kind);
    }
  }

  ASSIGN_OR_RETURN(element sink, Member(root, "sink"));
  SinkSpec& sink_spec = plan->sink;
  ASSIGN_OR_RETURN(std::string sink_kind, StringField(sink, "kind"));
  if (sink_kind == "local") {
    sink_spec.kind = SinkKind::kLocalLog;
  } else if (sink_kind == "discard") {
    sink_spec.kind = SinkKind::kDiscard;
  } else if (sink_kind == "collect") {
    sink_spec.kind = SinkKind::kCollect;
  } else if (sink_kind == "kafka") {
    sink_spec.kind = SinkKind::kKafka;
  } else if (sink_kind == "view") {
    sink_spec.kind = SinkKind::kView;
  } else {
    return PlanError("unknown sink kind " + sink_kind);
  }
  ASSIGN_OR_RETURN(sink_spec.relation, StringField(sink, "relation"));
  ASSIGN_OR_RETURN(sink_spec.topic, StringField(sink, "topic"));
  ASSIGN_OR_RETURN(int64_t sink_partitions, IntField(sink, "partitions"));
  sink_spec.partitions = static_cast<int32_t>(sink_partitions);
  ASSIGN_OR_RETURN(element sink_schema, Member(sink, "schema"));
  ASSIGN_OR_RETURN(sink_spec.schema, ReadSchema(sink_schema));
  ASSIGN_OR_RETURN(element key_columns, Member(sink, "key_columns"));
  ASSIGN_OR_RETURN(sink_spec.key_columns, ReadInts(key_columns));
  ASSIGN_OR_RETURN(sink_spec.value_format, StringField(sink, "value_format"));
  // Plans stored before sinks had properties have none.
  element sink_properties;
  if (sink.at_key("properties").get(sink_properties) == simdjson::SUCCESS) {
    ASSIGN_OR_RETURN(sink_spec.properties, ReadProperties(sink_properties));
  }
  return plan;
}

}  // namespace sluice
