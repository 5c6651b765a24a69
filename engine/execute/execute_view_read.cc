// Snapshot reads of materialized views: `SELECT ... FROM view [WHERE] [GROUP BY] [ORDER BY]
// [LIMIT]` returns the view's current contents at once instead of running a continuous query.
// The plan is the ordinary one (binder, physical planner, the runtime's operators and
// evaluator) over a bounded source that reads one consistent snapshot of the view store; a
// GROUP BY without a window emits its final rows once that source ends; ORDER BY is a sort of
// the collected result. WHERE comparing every key column to a constant becomes a point read: a
// Get of that key, no scan (DESCRIBE MATERIALIZED VIEW counts both).

#include <algorithm>
#include <mutex>
#include <numeric>

#include "engine/execute/statement_executor.h"
#include "engine/execute/view_reads.h"
#include "planner/binder/bind_scope.h"
#include "planner/binder/expression_binder.h"
#include "planner/binder/relation_schema.h"
#include "planner/physical_planner.h"
#include "runtime/operator/aggregate_accumulator.h"
#include "runtime/pipeline/pipeline.h"
#include "runtime/plan/physical_aggregate.h"
#include "runtime/worker/sandbox.h"
#include "storage/view/view_store.h"

namespace sluice {

namespace {

// Collects the snapshot's rows for sorting (or streams them when there is nothing to sort).
class SnapshotSink final : public Sink {
 public:
  SnapshotSink(const Schema& schema, ResultHandler* stream_to)
      : rows_(schema), handler_(stream_to) {}
  Status Write(const RecordBatch& batch) override {
    records_out_ += static_cast<int64_t>(batch.num_rows());
    if (handler_ != nullptr) return handler_->OnRows(batch);
    for (size_t column_idx = 0; column_idx < batch.num_columns(); ++column_idx) {
      for (size_t row = 0; row < batch.num_rows(); ++row) {
        rows_.column(column_idx).AppendFrom(batch.column(column_idx), row);
      }
    }
    for (size_t row = 0; row < batch.num_rows(); ++row) {
      rows_.meta().push_back(batch.meta()[row]);
      rows_.keys().emplace_back();
    }
    return Status::OK();
  }
  Status Flush() override { return Status::OK(); }
  int64_t records_out() const override { return records_out_; }
  RecordBatch& rows() { return rows_; }

 private:
  RecordBatch rows_;
  ResultHandler* handler_;  // null: collect
  int64_t records_out_ = 0;
};

// The SELECT without ORDER BY and LIMIT (applied after the sort instead), plus `hidden` items
// computing ORDER BY expressions the select list lacks (dropped after sorting).
std::unique_ptr<SelectStatement> WithoutOrder(const SelectStatement& select,
                                              const std::vector<const Expr*>& hidden) {
  auto copy = std::make_unique<SelectStatement>(select.position);
  copy->begin = select.begin;
  copy->end = select.end;
  copy->distinct = select.distinct;
  for (const SelectItem& item : select.items) {
    copy->items.push_back(SelectItem{item.expr->Clone(), item.alias, item.alias_position});
  }
  for (size_t hidden_idx = 0; hidden_idx < hidden.size(); ++hidden_idx) {
    copy->items.push_back(
        SelectItem{hidden[hidden_idx]->Clone(), "__order_" + std::to_string(hidden_idx), -1});
  }
  const auto& from = select.from->As<RelationRef>();
  auto relation = std::make_unique<RelationRef>(from.position);
  relation->alias = from.alias;
  relation->alias_position = from.alias_position;
  relation->name = from.name;
  relation->properties = from.properties;
  copy->from = std::move(relation);
  if (select.where) copy->where = select.where->Clone();
  for (const auto& key : select.group_by) copy->group_by.push_back(key->Clone());
  if (select.having) copy->having = select.having->Clone();
  copy->emit = select.emit;
  copy->emit_position = select.emit_position;
  return copy;
}

bool IsConstant(const Expression& expr) {
  if (expr.kind() == ExpressionKind::kColumnRef) return false;
  for (const auto& child : expr.children()) {
    if (!IsConstant(*child)) return false;
  }
  return true;
}

void CollectConjuncts(const Expression& expr, std::vector<const Expression*>& out) {
  if (expr.kind() == ExpressionKind::kAnd) {
    for (const auto& child : expr.children()) CollectConjuncts(*child, out);
    return;
  }
  out.push_back(&expr);
}

// The encoded view key when the plan's WHERE pins every key column to a constant of the column's
// own type (`k = 'x' AND w = 3`); nullopt otherwise (the read scans).
Result<std::optional<std::string>> PointKey(const PhysicalPlan& plan,
                                            const std::vector<int>& key_columns) {
  if (key_columns.empty() || plan.operators.empty() ||
      plan.operators[0]->kind() != PhysicalOperatorKind::kFilter) {
    return std::optional<std::string>();
  }
  std::vector<const Expression*> conjuncts;
  CollectConjuncts(static_cast<const PhysicalFilter&>(*plan.operators[0]).predicate(), conjuncts);
  EvalContext context;
  std::string key;
  for (int key_column : key_columns) {
    const DataType& type = plan.source.relation_schema.field(static_cast<size_t>(key_column)).type;
    std::optional<Value> pinned;
    for (const Expression* conjunct : conjuncts) {
      if (conjunct->kind() != ExpressionKind::kFunctionCall || conjunct->children().size() != 2 ||
          conjunct->As<FunctionCallExpression>().function().name != "=") {
        continue;
      }
      for (size_t side = 0; side < 2 && !pinned; ++side) {
        const Expression& column = conjunct->child(side);
        const Expression& constant = conjunct->child(1 - side);
        if (column.kind() != ExpressionKind::kColumnRef || !IsConstant(constant)) continue;
        const int batch_index = column.As<ColumnRefExpression>().index();
        if (batch_index < 0 || static_cast<size_t>(batch_index) >= plan.source.columns.size() ||
            plan.source.columns[static_cast<size_t>(batch_index)] != key_column) {
          continue;
        }
        if (!(column.type() == type) || !(constant.type() == type)) continue;
        ASSIGN_OR_RETURN(Value value, EvaluateScalar(constant, context));
        pinned = std::move(value);
      }
      if (pinned) break;
    }
    if (!pinned || pinned->is_null()) return std::optional<std::string>();
    Column cell(type);
    cell.AppendValue(*pinned);
    EncodeCell(cell, 0, key);
  }
  return std::optional<std::string>(std::move(key));
}

// Binds `expr` over the columns of a query result (ORDER BY n, ORDER BY n * 2 DESC).
Result<std::unique_ptr<Expression>> BindOverResult(const Schema& result, const Expr& expr) {
  BindScope scope;
  scope.AddRelation("", "", result);
  scope.MarkAllUsed(0);
  scope.AssignBatchLayout();
  ExpressionBinder binder(scope);
  return binder.Bind(expr);
}

// How to sort a view read: each ORDER BY item is an expression of the result's visible columns,
// or (SQL allows ordering by what is not selected) a hidden column the query computes.
struct SortSpec {
  size_t visible_columns = 0;
  std::vector<int> hidden_column;  // per ORDER BY item: its hidden column, or -1
};

// Sorts `rows` (visible then hidden columns of `schema`) by the ORDER BY items, applies LIMIT and
// returns only the visible columns.
Result<RecordBatch> SortRows(const SelectStatement& select, const SortSpec& spec,
                             const Schema& schema, RecordBatch rows) {
  Schema visible;
  for (size_t column_idx = 0; column_idx < spec.visible_columns; ++column_idx) {
    visible.Add(schema.field(column_idx));
  }
  EvalContext context;
  const size_t num_rows = rows.num_rows();
  std::vector<std::vector<std::string>> keys(num_rows);
  for (size_t item_idx = 0; item_idx < select.order_by.size(); ++item_idx) {
    const OrderByItem& item = select.order_by[item_idx];
    Column computed;
    const Column* values = nullptr;
    if (spec.hidden_column[item_idx] >= 0) {
      values = &rows.column(static_cast<size_t>(spec.hidden_column[item_idx]));
    } else {
      ASSIGN_OR_RETURN(std::unique_ptr<Expression> expr, BindOverResult(visible, *item.expr));
      RETURN_NOT_OK(Evaluate(*expr, rows, &computed, context));
      values = &computed;
    }
    // NULLs sort last ascending and first descending (PostgreSQL), unless NULLS FIRST/LAST.
    const bool nulls_first =
        item.nulls == NullsOrder::kDefault ? item.descending : item.nulls == NullsOrder::kFirst;
    for (size_t row = 0; row < num_rows; ++row) {
      const bool null = values->IsNull(row);
      // One byte for the NULL placement, then the value (inverted for DESC).
      std::string key(1, null == nulls_first ? '\0' : '\1');
      if (!null) {
        std::string cell;
        EncodeCell(*values, row, cell);
        // Encoded cells are prefix-free, so inverting every byte reverses their order.
        for (char c : cell) key.push_back(item.descending ? static_cast<char>(~c) : c);
      }
      keys[row].push_back(std::move(key));
    }
  }
  std::vector<size_t> order(num_rows);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return keys[a] < keys[b]; });
  size_t take = num_rows;
  if (select.limit) take = std::min<size_t>(take, static_cast<size_t>(*select.limit));
  RecordBatch sorted(visible);
  for (size_t rank = 0; rank < take; ++rank) {
    for (size_t column_idx = 0; column_idx < spec.visible_columns; ++column_idx) {
      sorted.column(column_idx).AppendFrom(rows.column(column_idx), order[rank]);
    }
    sorted.meta().push_back(rows.meta()[order[rank]]);
    sorted.keys().emplace_back();
  }
  return sorted;
}

}  // namespace

std::string ViewSecondaryDir(const std::string& data_dir, int64_t query_id) {
  // One engine process holds a data dir at a time (its LOCK), so one reader dir per view will do.
  return data_dir + "/views/" + std::to_string(query_id) + ".reader";
}

Result<ViewMaintainer> FindViewMaintainer(Catalog& catalog, const RelationInfo& view) {
  ASSIGN_OR_RETURN(std::vector<QueryDependency> dependencies,
                   catalog.ListQueryDependencies(view.id));
  for (const QueryDependency& dependency : dependencies) {
    if (!dependency.writes) continue;
    ASSIGN_OR_RETURN(QueryInfo query, catalog.GetQuery(dependency.query_id));
    return ViewMaintainer{query.id, query.state, query.state_reason};
  }
  return Status::Catalog("materialized view \"" + view.name + "\" has no maintaining query");
}

Status StatementExecutor::SelectFromView(const SelectStatement& statement) {
  std::unique_ptr<PhysicalPlan> plan;
  std::vector<int> key_columns;
  ViewMaintainer maintainer;
  SortSpec sort;
  {
    std::lock_guard<std::mutex> lock(engine_.catalog_mutex());
    Binder binder(engine_.catalog(), session_.current_database_, session_.current_schema_);
    ASSIGN_OR_RETURN(BoundRelation view,
                     binder.BindRelation(statement.from->As<RelationRef>().name));
    RETURN_NOT_OK(RequireSelectOnSources(binder, *statement.from));
    ASSIGN_OR_RETURN(maintainer, FindViewMaintainer(engine_.catalog(), view.relation));
    Schema columns = RelationColumns(view.relation);
    for (const std::string& name : view.relation.primary_key)
      key_columns.push_back(columns.IndexOf(name));
    std::unique_ptr<LogicalOperator> logical;
    if (statement.order_by.empty()) {
      ASSIGN_OR_RETURN(logical, binder.BindSelect(statement));
    } else {
      ASSIGN_OR_RETURN(logical, binder.BindSelect(*WithoutOrder(statement, {})));
      sort.visible_columns = logical->schema().size();
      std::vector<const Expr*> hidden;
      for (const OrderByItem& item : statement.order_by) {
        if (BindOverResult(logical->schema(), *item.expr).ok()) {
          sort.hidden_column.push_back(-1);
          continue;
        }
        sort.hidden_column.push_back(static_cast<int>(sort.visible_columns + hidden.size()));
        hidden.push_back(item.expr.get());
      }
      if (!hidden.empty()) {
        ASSIGN_OR_RETURN(logical, binder.BindSelect(*WithoutOrder(statement, hidden)));
      }
    }
    ASSIGN_OR_RETURN(plan, CreatePhysicalPlan(std::move(logical)));
  }
  for (size_t op_idx = 0; op_idx < plan->operators.size(); ++op_idx) {
    if (plan->operators[op_idx]->kind() != PhysicalOperatorKind::kAggregate) continue;
    auto& aggregate = static_cast<PhysicalAggregate&>(*plan->operators[op_idx]);
    // Over a snapshot a GROUP BY answers once, with its final rows, not as a changelog.
    if (aggregate.window.type == WindowType::kNone) aggregate.emit_changes = false;
    // A snapshot holds one row per key and no deletes: nothing to retract, so the view is read
    // as a plain input and its WHERE filters before the aggregate again.
    aggregate.changelog_key.clear();
    if (aggregate.changelog_filter) {
      Schema input =
          op_idx == 0 ? plan->source.batch_schema() : plan->operators[op_idx - 1]->output_schema();
      auto filter =
          std::make_unique<PhysicalFilter>(std::move(aggregate.changelog_filter), std::move(input));
      plan->operators.insert(plan->operators.begin() + static_cast<std::ptrdiff_t>(op_idx),
                             std::move(filter));
      ++op_idx;
    }
  }
  plan->source.emit_deletes = false;
  if (maintainer.state == QueryState::kFailed || maintainer.state == QueryState::kTerminated) {
    handler_.OnNotice("query " + std::to_string(maintainer.query_id) +
                      " maintaining this view is " + std::string(QueryStateName(maintainer.state)) +
                      (maintainer.reason.empty() ? "" : " (" + maintainer.reason + ")") +
                      ": showing the view as of its last update");
  }
  SourceSpec& source = plan->source;
  source.store_type = "view";
  source.start_at_earliest = true;
  source.properties.clear();
  source.properties["view.dir"] =
      ViewStoreDir(WorkerStateDir(engine_.data_dir(), maintainer.query_id));
  source.properties["view.secondary_dir"] =
      ViewSecondaryDir(engine_.data_dir(), maintainer.query_id);
  ASSIGN_OR_RETURN(std::optional<std::string> point, PointKey(*plan, key_columns));
  if (point) source.properties["view.point_key"] = *point;

  const Schema output = plan->output_schema();
  const bool sorted_read = !statement.order_by.empty();
  Schema visible = output;
  if (sorted_read) {
    visible = Schema();
    for (size_t column_idx = 0; column_idx < sort.visible_columns; ++column_idx) {
      visible.Add(output.field(column_idx));
    }
  }
  auto owned_sink = std::make_unique<SnapshotSink>(output, sorted_read ? nullptr : &handler_);
  SnapshotSink* sink = owned_sink.get();
  ASSIGN_OR_RETURN(std::unique_ptr<Pipeline> pipeline,
                   Pipeline::Create(std::move(plan), engine_.data_dir(), std::move(owned_sink)));
  handler_.OnResultStart(visible);
  while (true) {
    bool idle = false;
    bool finished = false;
    Status status = pipeline->Step(&idle, &finished);
    if (!status.ok()) {
      handler_.OnResultEnd(pipeline->progress().records_out);
      return status;
    }
    if (finished) break;
  }
  if (!sorted_read) {
    handler_.OnResultEnd(pipeline->progress().records_out);
    return Status::OK();
  }
  Result<RecordBatch> sorted = SortRows(statement, sort, output, std::move(sink->rows()));
  if (!sorted.ok()) {
    handler_.OnResultEnd(0);
    return sorted.status();
  }
  if (sorted->num_rows() > 0) RETURN_NOT_OK(handler_.OnRows(*sorted));
  handler_.OnResultEnd(static_cast<int64_t>(sorted->num_rows()));
  return Status::OK();
}

}  // namespace sluice
