#include "runtime/plan/physical_join.h"

#include <simdjson.h>

#include <string>

#include "runtime/expression/expression_json.h"

namespace sluice {

namespace {

using simdjson::dom::element;

Status JoinJsonError(std::string_view what) {
  return Status::Internal("malformed join in physical plan: " + std::string(what));
}

Result<int64_t> ReadInt(element object, std::string_view key) {
  int64_t value = 0;
  if (object[key].get(value) != simdjson::SUCCESS) return JoinJsonError(key);
  return value;
}

Result<std::vector<std::unique_ptr<Expression>>> ReadExpressions(element object,
                                                                 std::string_view key) {
  simdjson::dom::array items;
  if (object[key].get(items) != simdjson::SUCCESS) return JoinJsonError(key);
  std::vector<std::unique_ptr<Expression>> expressions;
  for (element item : items) {
    ASSIGN_OR_RETURN(auto expression, ExpressionFromJson(simdjson::minify(item)));
    expressions.push_back(std::move(expression));
  }
  return expressions;
}

void WriteExpressions(JsonWriter& writer, const std::vector<std::unique_ptr<Expression>>& list) {
  writer.BeginArray();
  for (const auto& expression : list) {
    std::string json;
    ExpressionToJson(*expression, json);
    writer.Raw(json);
  }
  writer.EndArray();
}

}  // namespace

std::string_view JoinTypeName(JoinType type) {
  switch (type) {
    case JoinType::kInner: return "inner";
    case JoinType::kLeft: return "left";
    case JoinType::kRight: return "right";
    case JoinType::kFull: return "full";
  }
  return "inner";
}

void WriteJoinJson(JsonWriter& writer, const PhysicalJoin& join) {
  writer.Key("kind").String("join");
  writer.Key("strategy").String(join.strategy == JoinStrategy::kInterval ? "interval" : "temporal");
  writer.Key("type").String(JoinTypeName(join.type));
  writer.Key("left_keys");
  WriteExpressions(writer, join.left_keys);
  writer.Key("right_keys");
  WriteExpressions(writer, join.right_keys);
  if (join.condition) {
    std::string json;
    ExpressionToJson(*join.condition, json);
    writer.Key("condition").Raw(json);
  }
  const char* filter_keys[2] = {"left_filter", "right_filter"};
  for (int side_idx = 0; side_idx < 2; ++side_idx) {
    if (!join.filters[side_idx]) continue;
    std::string json;
    ExpressionToJson(*join.filters[side_idx], json);
    writer.Key(filter_keys[side_idx]).Raw(json);
  }
  writer.Key("before_ms").Int(join.before_ms);
  writer.Key("after_ms").Int(join.after_ms);
  writer.Key("left_width").Int(static_cast<int64_t>(join.left_width));
  writer.Key("left_allow_latency_ms").Int(join.allow_latency_ms[0]);
  writer.Key("right_allow_latency_ms").Int(join.allow_latency_ms[1]);
  writer.Key("left_idle_timeout_ms").Int(join.idle_timeout_ms[0]);
  writer.Key("right_idle_timeout_ms").Int(join.idle_timeout_ms[1]);
}

Result<std::unique_ptr<PhysicalJoin>> ReadJoinJson(element op, Schema schema) {
  auto join = std::make_unique<PhysicalJoin>();
  join->schema = std::move(schema);
  std::string_view strategy;
  if (op["strategy"].get(strategy) != simdjson::SUCCESS) return JoinJsonError("strategy");
  if (strategy == "interval") {
    join->strategy = JoinStrategy::kInterval;
  } else if (strategy == "temporal") {
    join->strategy = JoinStrategy::kTemporal;
  } else {
    return JoinJsonError("strategy " + std::string(strategy));
  }
  std::string_view type;
  if (op["type"].get(type) != simdjson::SUCCESS) return JoinJsonError("type");
  bool known = false;
  for (JoinType candidate :
       {JoinType::kInner, JoinType::kLeft, JoinType::kRight, JoinType::kFull}) {
    if (JoinTypeName(candidate) == type) {
      join->type = candidate;
      known = true;
    }
  }
  if (!known) return JoinJsonError("type " + std::string(type));
  ASSIGN_OR_RETURN(join->left_keys, ReadExpressions(op, "left_keys"));
  ASSIGN_OR_RETURN(join->right_keys, ReadExpressions(op, "right_keys"));
  element condition;
  if (op.at_key("condition").get(condition) == simdjson::SUCCESS) {
    ASSIGN_OR_RETURN(join->condition, ExpressionFromJson(simdjson::minify(condition)));
  }
  const char* filter_keys[2] = {"left_filter", "right_filter"};
  for (int side_idx = 0; side_idx < 2; ++side_idx) {
    element filter;
    if (op.at_key(filter_keys[side_idx]).get(filter) != simdjson::SUCCESS) continue;
    ASSIGN_OR_RETURN(join->filters[side_idx], ExpressionFromJson(simdjson::minify(filter)));
  }
  ASSIGN_OR_RETURN(join->before_ms, ReadInt(op, "before_ms"));
  ASSIGN_OR_RETURN(join->after_ms, ReadInt(op, "after_ms"));
  ASSIGN_OR_RETURN(int64_t left_width, ReadInt(op, "left_width"));
  join->left_width = static_cast<size_t>(left_width);
  ASSIGN_OR_RETURN(join->allow_latency_ms[0], ReadInt(op, "left_allow_latency_ms"));
  ASSIGN_OR_RETURN(join->allow_latency_ms[1], ReadInt(op, "right_allow_latency_ms"));
  ASSIGN_OR_RETURN(join->idle_timeout_ms[0], ReadInt(op, "left_idle_timeout_ms"));
  ASSIGN_OR_RETURN(join->idle_timeout_ms[1], ReadInt(op, "right_idle_timeout_ms"));
  if (join->left_keys.empty() || join->left_keys.size() != join->right_keys.size()) {
    return JoinJsonError("keys");
  }
  return join;
}

}  // namespace sluice
