#include "runtime/plan/explain_plan.h"

#include "runtime/connector/kafka/kafka_transaction.h"
#include "runtime/plan/explain_details.h"
#include "runtime/plan/physical_aggregate.h"
#include "runtime/plan/physical_join.h"
#include "runtime/plan/repartition_plan.h"

namespace sluice {
namespace {

using explain::AggregateDetails;
using explain::AggregateOutputNames;
using explain::DurationSql;
using explain::JoinDetails;
using explain::Joined;
using explain::Named;
using explain::Names;
using explain::NamesOf;
using explain::ProjectDetails;
using explain::Qualified;
using explain::SinkDetails;
using explain::SourceDetails;

bool IsRepartitioned(const PhysicalPlan& plan) {
  if (!plan.repartition_topic.empty()) return true;
  return plan.parallelism > 1 && (FindAggregate(plan) >= 0 || plan.join_source.has_value());
}

// "through <topic> (N writers, N x N partitions)": the repartition topic `name` makes of the
// query's (a RepartitionXTopic; none: the first), named only once the query starts.
std::string RepartitionThrough(const PhysicalPlan& plan,
                               std::string (*name)(const std::string&) = nullptr) {
  const std::string topic =
      plan.repartition_topic.empty()
          ? "a new local topic, named when the query starts"
          : "topic '" + (name ? name(plan.repartition_topic) : plan.repartition_topic) + "'";
  return "through " + topic + " (" + std::to_string(plan.parallelism) + " writers, " +
         std::to_string(plan.parallelism * plan.parallelism) + " partitions)";
}

std::string QueryDetails(const PhysicalPlan& plan, bool persistent, bool stateful) {
  std::string out = persistent ? "persistent query" : "interactive SELECT";
  if (persistent && plan.query_id > 0) out += " " + std::to_string(plan.query_id);
  if (!persistent) {
    out += "; runs in the engine; rows go to this client; state: ";
    out += stateful ? "kept while it runs, dropped when it ends" : "none";
    if (plan.limit >= 0) out += "; stops after " + std::to_string(plan.limit) + " rows";
    return out;
  }
  // worker_count() once the repartition topic is named; the same count before (EXPLAIN).
  // Not plan.worker_groups(): EXPLAIN plans no repartition topic.
  const int32_t groups = IsRepartitioned(plan) ? plan.repartitioned_worker_groups() : 1;
  // A repartitioned view's one view worker applies the rows to its store (the last stage).
  const bool view_worker = groups > 1 && plan.sink.kind == SinkKind::kView;
  const int32_t workers = plan.parallelism * groups + (view_worker ? 1 : 0);
  out += "; parallelism " + std::to_string(plan.parallelism) + "; " + std::to_string(workers) +
         " worker process" + (workers == 1 ? "" : "es");
  const std::string n = std::to_string(plan.parallelism);
  const std::string view =
      view_worker ? ", stage " + std::to_string(groups == 4 ? 4 : 3) + ": 1 view worker" : "";
  if (groups == 2) out += " (stage 1: " + n + ", stage 2: " + n + view + ")";
  if (groups == 3) out += " (stage 1: " + n + " per side, stage 2: " + n + view + ")";
  if (groups == 4) {
    out += " (stage 1: " + n + " per side, stage 2: " + n + ", stage 3: " + n + view + ")";
  }
  auto guarantee = plan.sink.properties.find(kDeliveryGuaranteeProperty);
  out += "; delivery ";
  out += guarantee != plan.sink.properties.end() ? guarantee->second : "at_least_once";
  out += "; checkpoint every " + DurationSql(plan.checkpoint_interval_ms);
  out += "; state: ";
  if (!stateful) {
    out += plan.sink.kind == SinkKind::kView ? "the view store only" : "none (stateless)";
  } else {
    out += "kept in RocksDB, checkpointed with the source positions";
    int aggregate = FindAggregate(plan);
    if (aggregate >= 0 &&
        static_cast<const PhysicalAggregate&>(*plan.operators[static_cast<size_t>(aggregate)])
                .window.type == WindowType::kNone) {
      out += "; groups cached up to " + std::to_string(plan.state_cache_max_bytes) + " bytes";
      if (plan.state_ttl_ms > 0)
        out += "; groups idle for " + DurationSql(plan.state_ttl_ms) + " dropped";
    }
  }
  return out;
}

}  // namespace

Schema ExplainSchema() {
  return Schema({Field{"stage", DataType::Varchar()}, Field{"operator", DataType::Varchar()},
                 Field{"details", DataType::Varchar()}});
}

std::vector<ExplainRow> ExplainPlan(const PhysicalPlan& plan, bool persistent) {
  bool stateful = false;
  for (const auto& op : plan.operators) {
    stateful = stateful || op->kind() == PhysicalOperatorKind::kAggregate ||
               op->kind() == PhysicalOperatorKind::kJoin;
  }
  std::vector<ExplainRow> rows;
  rows.push_back({"query", "Query", QueryDetails(plan, persistent, stateful)});
  const bool repartitioned = persistent && IsRepartitioned(plan);
  const int aggregate = FindAggregate(plan);
  // Stage 1 runs the operators before the aggregate (a join: none), stage 2 the rest.
  const size_t first_stage2 =
      !repartitioned ? plan.operators.size()
                     : (plan.join_source ? 0 : static_cast<size_t>(std::max(aggregate, 0)));
  // A GROUP BY over a repartitioned join: the join's workers (stage 2) repartition its rows by
  // group key to stage 3, which runs the aggregate and what follows it.
  const bool join_group = repartitioned && plan.join_source && aggregate >= 0;
  const std::string left_stage = plan.join_source && repartitioned ? "1 (left)" : "1";
  rows.push_back({left_stage, "Source", SourceDetails(plan.source)});
  Names left = NamesOf(plan.source.batch_schema());
  Names right;
  if (plan.join_source) {
    rows.push_back({repartitioned ? "1 (right)" : "1", "Source", SourceDetails(*plan.join_source)});
    right = NamesOf(plan.join_source->batch_schema());
  }
  Names input = left;
  for (size_t op_idx = 0; op_idx < plan.operators.size(); ++op_idx) {
    const PhysicalOperator& op = *plan.operators[op_idx];
    if (repartitioned && op_idx == first_stage2) {
      if (op.kind() == PhysicalOperatorKind::kJoin) {
        const auto& join = static_cast<const PhysicalJoin&>(op);
        rows.push_back({"1 (left)", "Repartition",
                        "by " + Joined(join.left_keys, left) + " " + RepartitionThrough(plan)});
        rows.push_back({"1 (right)", "Repartition",
                        "by " + Joined(join.right_keys, right) + " " +
                            RepartitionThrough(plan, RepartitionRightTopic)});
      } else {
        rows.push_back({"1", "Repartition",
                        "by " + Joined(static_cast<const PhysicalAggregate&>(op).keys, input) +
                            " " + RepartitionThrough(plan)});
      }
    }
    if (join_group && op_idx == static_cast<size_t>(aggregate)) {
      rows.push_back({"2", "Repartition",
                      "by " + Joined(static_cast<const PhysicalAggregate&>(op).keys, input) + " " +
                          RepartitionThrough(plan, RepartitionGroupTopic)});
    }
    const std::string stage = join_group && op_idx >= static_cast<size_t>(aggregate) ? "3"
                              : repartitioned && op_idx >= first_stage2              ? "2"
                                                                                     : "1";
    switch (op.kind()) {
      case PhysicalOperatorKind::kFilter:
        rows.push_back(
            {stage, "Filter", Named(static_cast<const PhysicalFilter&>(op).predicate(), &input)});
        break;
      case PhysicalOperatorKind::kProject:
        rows.push_back(
            {stage, "Project", ProjectDetails(static_cast<const PhysicalProject&>(op), input)});
        break;
      case PhysicalOperatorKind::kAggregate:
        rows.push_back({stage, "Aggregate",
                        AggregateDetails(static_cast<const PhysicalAggregate&>(op), input)});
        break;
      case PhysicalOperatorKind::kJoin:
        rows.push_back({stage, "Join",
                        JoinDetails(static_cast<const PhysicalJoin&>(op),
                                    Qualified(plan, left, false), Qualified(plan, right, true))});
        break;
    }
    input = op.kind() == PhysicalOperatorKind::kAggregate
                ? AggregateOutputNames(static_cast<const PhysicalAggregate&>(op), input)
                : NamesOf(op.output_schema());
  }
  std::string last_stage = join_group ? "3" : repartitioned ? "2" : "1";
  if (plan.limit >= 0) rows.push_back({last_stage, "Limit", std::to_string(plan.limit) + " rows"});
  if (repartitioned && plan.sink.kind == SinkKind::kView) {
    // The last stage's workers send the view's rows to its one view worker, the store's writer.
    std::string keys;
    for (int column : plan.sink.key_columns) {
      keys += (keys.empty() ? "" : ", ") + plan.sink.schema.field(static_cast<size_t>(column)).name;
    }
    rows.push_back({last_stage, "Repartition",
                    "by " + keys + " " + RepartitionThrough(plan, RepartitionViewTopic) +
                        " to 1 view worker"});
    last_stage = join_group ? "4" : "3";
  }
  rows.push_back({last_stage, "Sink", SinkDetails(plan.sink)});
  return rows;
}

}  // namespace sluice
