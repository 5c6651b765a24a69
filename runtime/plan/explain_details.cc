#include "runtime/plan/explain_details.h"

#include "runtime/plan/physical_aggregate.h"
#include "runtime/plan/physical_join.h"

namespace sluice::explain {

Names NamesOf(const Schema& schema) {
  Names names;
  for (const Field& field : schema.fields()) names.push_back(field.name);
  return names;
}

namespace {

Names Concat(Names left, const Names& right) {
  left.insert(left.end(), right.begin(), right.end());
  return left;
}

}  // namespace

std::string Named(const Expression& expression, const Names* names) {
  const std::string text = expression.ToString();
  std::string out;
  bool quoted = false;
  for (size_t at = 0; at < text.size(); ++at) {
    const char c = text[at];
    if (c == '\'') quoted = !quoted;
    size_t end = at + 1;
    while (!quoted && c == '#' && end < text.size() && text[end] >= '0' && text[end] <= '9') ++end;
    if (end == at + 1) {
      out += c;
      continue;
    }
    const size_t index = std::stoul(text.substr(at + 1, end - at - 1));
    out += index < names->size() ? (*names)[index] : text.substr(at, end - at);
    at = end - 1;
  }
  return out;
}

std::string DurationSql(int64_t ms) {
  struct Unit {
    int64_t ms;
    const char* name;
  };
  for (Unit unit : {Unit{86400000, "DAY"}, Unit{3600000, "HOUR"}, Unit{60000, "MINUTE"},
                    Unit{1000, "SECOND"}}) {
    if (ms != 0 && ms % unit.ms == 0) return std::to_string(ms / unit.ms) + " " + unit.name;
  }
  return std::to_string(ms) + " MILLISECOND";
}

std::string Joined(const std::vector<std::unique_ptr<Expression>>& expressions,
                   const Names& names) {
  std::string out;
  for (const auto& expression : expressions) {
    if (!out.empty()) out += ", ";
    out += Named(*expression, &names);
  }
  return out;
}

namespace {

std::string Watermark(int64_t allow_latency_ms, int64_t idle_timeout_ms) {
  std::string out = "watermark: max event time per partition";
  if (allow_latency_ms > 0) out += " - " + DurationSql(allow_latency_ms);
  out += idle_timeout_ms > 0
             ? ", a partition idle for " + DurationSql(idle_timeout_ms) + " stops holding it back"
             : ", no idle timeout";
  return out;
}

}  // namespace

std::string SourceDetails(const SourceSpec& source) {
  std::string out = "relation " + source.relation + "; store " + source.store_type;
  auto store = source.properties.find("store");
  if (store != source.properties.end() && store->second != source.store_type) {
    out += " '" + store->second + "'";
  }
  if (source.store_type != "datagen") {
    out += "; topic '" + source.topic + "', " + std::to_string(source.partitions) + " partition" +
           (source.partitions == 1 ? "" : "s");
  }
  out += "; format " + source.value_format + "; reads ";
  for (size_t column_idx = 0; column_idx < source.columns.size(); ++column_idx) {
    if (column_idx > 0) out += ", ";
    out += source.relation_schema.field(static_cast<size_t>(source.columns[column_idx])).name;
  }
  if (source.columns.empty()) out += "no columns";
  if (!source.key_columns.empty()) {
    out += "; primary key ";
    for (size_t key_idx = 0; key_idx < source.key_columns.size(); ++key_idx) {
      if (key_idx > 0) out += ", ";
      out += source.relation_schema.field(static_cast<size_t>(source.key_columns[key_idx])).name;
    }
  }
  out += "; event time: ";
  out += source.timestamp_column < 0
             ? std::string("the record timestamp")
             : "column " +
                   source.relation_schema.field(static_cast<size_t>(source.timestamp_column)).name;
  out += "; starts at ";
  out += source.start_timestamp_ms >= 0 ? "timestamp " + std::to_string(source.start_timestamp_ms)
         : source.start_at_earliest     ? std::string("earliest")
                                        : std::string("latest");
  out += source.end_at_latest ? "; ends at the log's end as of the start" : "; unbounded";
  if (source.emit_deletes) out += "; versioned (deletes kept)";
  if (source.error_handling != ErrorHandling::kTerminate) {
    out += "; bad records: " + std::string(ErrorHandlingName(source.error_handling));
  }
  return out;
}

namespace {

std::string CallText(const AggregateCall& call, const Names& input) {
  if (call.function == AggregateFunction::kCountStar) return "count(*)";
  return std::string(AggregateFunctionName(call.function)) + "(" +
         (call.distinct ? "DISTINCT " : "") + Named(*call.argument, &input) + ")";
}

}  // namespace

Names AggregateOutputNames(const PhysicalAggregate& aggregate, const Names& input) {
  Names names = NamesOf(aggregate.schema);
  const size_t first_call = names.size() - aggregate.aggregates.size();
  for (size_t call_idx = 0; call_idx < aggregate.aggregates.size(); ++call_idx) {
    names[first_call + call_idx] = CallText(aggregate.aggregates[call_idx], input);
  }
  return names;
}

std::string AggregateDetails(const PhysicalAggregate& aggregate, const Names& input) {
  std::string out;
  switch (aggregate.window.type) {
    case WindowType::kNone: out = "no window"; break;
    case WindowType::kTumble:
      out = "TUMBLE window, size " + DurationSql(aggregate.window.size_ms);
      break;
    case WindowType::kHop:
      out = "HOP window, size " + DurationSql(aggregate.window.size_ms) + ", advance " +
            DurationSql(aggregate.window.advance_ms);
      break;
    case WindowType::kSession:
      out = "SESSION window, gap " + DurationSql(aggregate.window.gap_ms);
      break;
    case WindowType::kUpstream: out = "the upstream query's windows"; break;
  }
  out += "; group by " +
         (aggregate.keys.empty()
              ? std::string(aggregate.window.type == WindowType::kNone ? "nothing (one group)"
                                                                       : "the window only")
              : Joined(aggregate.keys, input));
  out += "; aggregates ";
  for (size_t call_idx = 0; call_idx < aggregate.aggregates.size(); ++call_idx) {
    if (call_idx > 0) out += ", ";
    out += CallText(aggregate.aggregates[call_idx], input);
  }
  if (aggregate.aggregates.empty()) out += "none";
  const Names output = AggregateOutputNames(aggregate, input);
  if (aggregate.having) out += "; having " + Named(*aggregate.having, &output);
  if (!aggregate.changelog_key.empty()) {
    out += "; changelog input: a key's previous row is retracted";
    if (aggregate.changelog_filter) {
      out += ", filter " + Named(*aggregate.changelog_filter, &input);
    }
  }
  out += aggregate.emit_changes ? "; emits every change" : "; emits each window once, when final";
  if (aggregate.window.type != WindowType::kNone &&
      aggregate.window.type != WindowType::kUpstream) {
    out += "; " + Watermark(aggregate.allow_latency_ms, aggregate.idle_timeout_ms);
  }
  return out + "; state: groups by key";
}

std::string JoinDetails(const PhysicalJoin& join, const Names& left, const Names& right) {
  std::string out =
      std::string(join.strategy == JoinStrategy::kInterval ? "interval" : "temporal") + " " +
      std::string(JoinTypeName(join.type)) + " join on ";
  for (size_t key_idx = 0; key_idx < join.left_keys.size(); ++key_idx) {
    if (key_idx > 0) out += " AND ";
    out +=
        Named(*join.left_keys[key_idx], &left) + " = " + Named(*join.right_keys[key_idx], &right);
  }
  if (join.left_keys.empty()) out += "no key equality";
  if (join.condition) {
    const Names both = Concat(left, right);
    out += "; condition " + Named(*join.condition, &both);
  }
  if (join.filters[0]) out += "; left filter " + Named(*join.filters[0], &left);
  if (join.filters[1]) out += "; right filter " + Named(*join.filters[1], &right);
  if (join.strategy == JoinStrategy::kInterval) {
    out += "; right time within [left time - " + DurationSql(join.before_ms) + ", left time + " +
           DurationSql(join.after_ms) + "]";
  } else {
    out += "; each left row meets the right row of its key as of its event time";
  }
  out += "; left " + Watermark(join.allow_latency_ms[0], join.idle_timeout_ms[0]);
  out += "; right " + Watermark(join.allow_latency_ms[1], join.idle_timeout_ms[1]);
  return out + (join.strategy == JoinStrategy::kInterval
                    ? "; state: buffered rows of both sides by key"
                    : "; state: the changelog's versions by key, stream rows until its watermark");
}

std::string ProjectDetails(const PhysicalProject& project, const Names& input) {
  std::string out;
  const Schema& output = project.output_schema();
  for (size_t column_idx = 0; column_idx < project.expressions().size(); ++column_idx) {
    if (column_idx > 0) out += ", ";
    std::string text = Named(*project.expressions()[column_idx], &input);
    const std::string& name = output.field(column_idx).name;
    out += text == name ? text : text + " AS " + name;
  }
  return out;
}

std::string SinkDetails(const SinkSpec& sink) {
  std::string out;
  switch (sink.kind) {
    case SinkKind::kCollect: return "rows to this client";
    case SinkKind::kDiscard: return "rows counted and dropped";
    case SinkKind::kView:
      out = "materialized view " + sink.relation +
            ": its store (rows by primary key) and its changelog topic '" + sink.topic + "'";
      break;
    case SinkKind::kLocalLog:
    case SinkKind::kKafka:
      out = "relation " + sink.relation + "; store " +
            (sink.kind == SinkKind::kKafka ? "kafka" : "local") + "; topic '" + sink.topic + "'";
      break;
  }
  out += ", " + std::to_string(sink.partitions) + " partition" + (sink.partitions == 1 ? "" : "s");
  out += "; format " + sink.value_format;
  if (!sink.key_columns.empty()) {
    out += "; keyed by ";
    for (size_t key_idx = 0; key_idx < sink.key_columns.size(); ++key_idx) {
      if (key_idx > 0) out += ", ";
      out += sink.schema.field(static_cast<size_t>(sink.key_columns[key_idx])).name;
    }
  }
  return out;
}

Names Qualified(const PhysicalPlan& plan, const Names& names, bool right) {
  auto short_name = [](const std::string& relation) {
    return relation.substr(relation.rfind('.') + 1);
  };
  const std::string left_name = short_name(plan.source.relation);
  const std::string right_name = short_name(plan.join_source->relation);
  std::string label = right ? right_name : left_name;
  if (left_name == right_name) label = right ? "right" : "left";
  Names qualified;
  for (const std::string& name : names) qualified.push_back(label + "." + name);
  return qualified;
}

}  // namespace sluice::explain
