#include "planner/physical_planner.h"

#include <vector>

#include "planner/logical/logical_aggregate.h"
#include "planner/logical/logical_join.h"
#include "runtime/plan/physical_aggregate.h"
#include "runtime/plan/physical_join.h"

namespace sluice {

namespace {

Status BuildSource(const LogicalGet& get, SourceSpec& source) {
  source.store_type = get.store_type;
  source.relation = get.qualified_name;
  source.topic = get.topic;
  source.partitions = get.partitions;
  source.relation_schema = get.relation_schema;
  source.columns = get.columns;
  source.metadata = get.metadata;
  source.timestamp_column = get.timestamp_column;
  source.properties = get.store_properties;
  if (get.emit_deletes) {
    source.emit_deletes = true;
    source.key_columns = get.key_columns;
  }
  for (const auto& [key, value] : get.properties) {
    if (key == "value.format") {
      source.value_format = value;
    } else if (key == "starting.position") {
      RETURN_NOT_OK(ParseStartingPosition(value, source));
    } else if (key == "ending.position") {
      RETURN_NOT_OK(ParseEndingPosition(value, source));
    } else if (key == "source.deserialization.error.handling") {
      ASSIGN_OR_RETURN(source.error_handling, ParseErrorHandling(value));
    } else if (key == "source.deserialization.error.topic") {
      source.error_topic = value;
    }
  }
  if (source.error_handling == ErrorHandling::kIgnoreAndLog && source.error_topic.empty()) {
    source.error_topic = source.topic + "_errors";
  }
  return Status::OK();
}

}  // namespace

Result<std::unique_ptr<PhysicalPlan>> CreatePhysicalPlan(std::unique_ptr<LogicalOperator> logical) {
  auto plan = std::make_unique<PhysicalPlan>();
  // Walk from the root down to the scan, collecting operators; the pipeline runs them bottom-up.
  // A join's left scan continues the chain; its right scan becomes the plan's join source.
  std::vector<LogicalOperator*> chain;
  for (LogicalOperator* node = logical.get(); node != nullptr;
       node = node->children().empty() ? nullptr : node->children()[0].get()) {
    chain.push_back(node);
  }
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
    LogicalOperator& node = **it;
    switch (node.kind()) {
      case LogicalOperatorKind::kGet:
        RETURN_NOT_OK(BuildSource(node.As<LogicalGet>(), plan->source));
        break;
      case LogicalOperatorKind::kFilter:
        plan->operators.push_back(std::make_unique<PhysicalFilter>(
            std::move(node.As<LogicalFilter>().predicate), node.schema()));
        break;
      case LogicalOperatorKind::kProjection:
        plan->operators.push_back(std::make_unique<PhysicalProject>(
            std::move(node.As<LogicalProjection>().expressions), node.schema()));
        break;
      case LogicalOperatorKind::kAggregate: {
        auto& logical_aggregate = node.As<LogicalAggregate>();
        auto aggregate = std::make_unique<PhysicalAggregate>();
        aggregate->window = logical_aggregate.window;
        aggregate->keys = std::move(logical_aggregate.keys);
        aggregate->aggregates = std::move(logical_aggregate.aggregates);
        aggregate->having = std::move(logical_aggregate.having);
        aggregate->emit_changes = logical_aggregate.emit_changes;
        aggregate->allow_latency_ms = logical_aggregate.allow_latency_ms;
        aggregate->idle_timeout_ms = logical_aggregate.idle_timeout_ms;
        aggregate->changelog_key = logical_aggregate.changelog_key;
        aggregate->changelog_filter = std::move(logical_aggregate.changelog_filter);
        aggregate->schema = node.schema();
        plan->operators.push_back(std::move(aggregate));
        break;
      }
      case LogicalOperatorKind::kLimit: plan->limit = node.As<LogicalLimit>().limit; break;
      case LogicalOperatorKind::kJoin: {
        auto& logical_join = node.As<LogicalJoin>();
        plan->join_source.emplace();
        RETURN_NOT_OK(
            BuildSource(logical_join.children()[1]->As<LogicalGet>(), *plan->join_source));
        auto join = std::make_unique<PhysicalJoin>();
        join->strategy = logical_join.strategy;
        join->type = logical_join.type;
        join->left_keys = std::move(logical_join.left_keys);
        join->right_keys = std::move(logical_join.right_keys);
        join->condition = std::move(logical_join.condition);
        join->filters[0] = std::move(logical_join.filters[0]);
        join->filters[1] = std::move(logical_join.filters[1]);
        join->before_ms = logical_join.before_ms;
        join->after_ms = logical_join.after_ms;
        // The left source's batches: its decoded columns, then its row functions' columns.
        const auto& left_get = logical_join.children()[0]->As<LogicalGet>();
        join->left_width = left_get.schema().size() + left_get.metadata.size();
        for (int side_idx = 0; side_idx < 2; ++side_idx) {
          join->allow_latency_ms[side_idx] = logical_join.allow_latency_ms[side_idx];
          join->idle_timeout_ms[side_idx] = logical_join.idle_timeout_ms[side_idx];
        }
        if (logical_join.strategy == JoinStrategy::kTemporal) {
          plan->join_source->emit_deletes = true;
          plan->join_source->key_columns = logical_join.right_key_columns;
        }
        join->schema = node.schema();
        plan->operators.push_back(std::move(join));
        break;
      }
    }
  }
  plan->sink.kind = SinkKind::kCollect;
  plan->sink.schema = plan->output_schema();
  return plan;
}

}  // namespace sluice
