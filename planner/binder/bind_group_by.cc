// Binding of aggregating SELECTs: GROUP BY keys, aggregate calls, HAVING, EMIT and windowed FROM
// items. The select list and HAVING are bound over the aggregate's output: a subtree that is a
// group key or an aggregate call becomes a reference to the aggregate's column, and any other
// column reference there is an error (it is neither grouped nor aggregated).

#include <charconv>
#include <set>

#include "planner/binder/bind_aggregate_input.h"
#include "planner/binder/binder.h"
#include "planner/binder/expression_binder.h"
#include "planner/binder/relation_schema.h"
#include "planner/binder/select_output.h"
#include "planner/binder/upstream_window.h"
#include "planner/logical/logical_aggregate.h"
#include "runtime/function/function_registry.h"

namespace sluice {

namespace {

using ExpressionPtr = std::unique_ptr<Expression>;

bool IsAggregateCall(const Expr& expr) {
  if (expr.kind != ExprKind::kFunctionCall) return false;
  const std::string& name = expr.As<FunctionCallExpr>().name;
  return name == "count" || name == "sum" || name == "avg" || name == "min" || name == "max" ||
         name == "latest_by_offset" || name == "earliest_by_offset";
}

bool ContainsAggregate(const Expr& expr) {
  if (IsAggregateCall(expr)) return true;
  switch (expr.kind) {
    case ExprKind::kFunctionCall:
      for (const auto& arg : expr.As<FunctionCallExpr>().args) {
        if (ContainsAggregate(*arg)) return true;
      }
      return false;
    case ExprKind::kCast: return ContainsAggregate(*expr.As<CastExpr>().operand);
    case ExprKind::kUnary: return ContainsAggregate(*expr.As<UnaryExpr>().operand);
    case ExprKind::kBinary:
      return ContainsAggregate(*expr.As<BinaryExpr>().left) ||
             ContainsAggregate(*expr.As<BinaryExpr>().right);
    case ExprKind::kIsNull: return ContainsAggregate(*expr.As<IsNullExpr>().operand);
    case ExprKind::kCase: {
      const auto& case_expr = expr.As<CaseExpr>();
      if (case_expr.operand && ContainsAggregate(*case_expr.operand)) return true;
      for (const auto& when : case_expr.whens) {
        if (ContainsAggregate(*when.when) || ContainsAggregate(*when.then)) return true;
      }
      return case_expr.else_result && ContainsAggregate(*case_expr.else_result);
    }
    default: return false;
  }
}

bool IsWindowColumn(const Expr& expr) {
  if (expr.kind != ExprKind::kColumnRef) return false;
  const auto& parts = expr.As<ColumnRefExpr>().parts;
  return parts.size() == 1 && (parts[0] == "window_start" || parts[0] == "window_end");
}

std::string ToUpper(std::string text) {
  for (char& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return text;
}

bool IsIntegral(TypeId id) { return id == TypeId::kInteger || id == TypeId::kBigint; }

// Types the aggregate call and casts its argument where the runtime needs one physical kind.
Status TypeAggregate(const FunctionCallExpr& call, AggregateCall& aggregate) {
  const std::string upper = ToUpper(call.name);
  if (call.star_arg) {
    if (call.name != "count") {
      return Status::Binder(upper + "(*) is not valid; only COUNT takes *", call.position);
    }
    aggregate.function = AggregateFunction::kCountStar;
    aggregate.type = DataType::Bigint();
    return Status::OK();
  }
  if (call.args.size() != 1) {
    return Status::Binder(
        upper + " takes exactly one argument, got " + std::to_string(call.args.size()),
        call.position);
  }
  if (call.distinct && call.name != "count") {
    return Status::Binder("DISTINCT is only supported in COUNT(DISTINCT ...)", call.position);
  }
  aggregate.distinct = call.distinct;
  const DataType arg_type = aggregate.argument->type();
  const int64_t arg_position = call.args[0]->position;
  auto wrong_type = [&](std::string_view wants) {
    return Status::Binder(
        upper + " needs " + std::string(wants) + " argument, not " + arg_type.ToString(),
        arg_position);
  };
  if (call.name == "count") {
    aggregate.function = AggregateFunction::kCount;
    aggregate.type = DataType::Bigint();
  } else if (call.name == "sum" || call.name == "avg") {
    aggregate.function = call.name == "sum" ? AggregateFunction::kSum : AggregateFunction::kAvg;
    if (IsIntegral(arg_type.id())) {
      aggregate.type = call.name == "sum" ? DataType::Bigint() : DataType::Double();
    } else if (arg_type.id() == TypeId::kDouble || arg_type.id() == TypeId::kDecimal) {
      // DECIMAL sums run in DOUBLE: exact decimal accumulation is not implemented.
      if (arg_type.id() == TypeId::kDecimal) {
        ASSIGN_OR_RETURN(aggregate.argument,
                         MakeCast(std::move(aggregate.argument), DataType::Double(), arg_position));
      }
      aggregate.type = DataType::Double();
    } else if (arg_type.id() == TypeId::kNull) {
      aggregate.type = call.name == "sum" ? DataType::Bigint() : DataType::Double();
      ASSIGN_OR_RETURN(aggregate.argument,
                       MakeCast(std::move(aggregate.argument), aggregate.type, arg_position));
    } else {
      return wrong_type("a numeric");
    }
  } else if (call.name == "min" || call.name == "max") {
    aggregate.function = call.name == "min" ? AggregateFunction::kMin : AggregateFunction::kMax;
    if (arg_type.is_nested() || arg_type.id() == TypeId::kBoolean ||
        arg_type.id() == TypeId::kBytes || arg_type.id() == TypeId::kNull) {
      return wrong_type("a numeric, string, date or timestamp");
    }
    aggregate.type = arg_type;
  } else {
    aggregate.function = call.name == "latest_by_offset" ? AggregateFunction::kLatestByOffset
                                                         : AggregateFunction::kEarliestByOffset;
    aggregate.type = arg_type;
  }
  return Status::OK();
}

}  // namespace

bool IsAggregateQuery(const SelectStatement& select) {
  if (!select.group_by.empty() || select.having != nullptr) return true;
  if (select.from != nullptr && select.from->kind == FromKind::kWindow) return true;
  for (const SelectItem& item : select.items) {
    if (ContainsAggregate(*item.expr)) return true;
  }
  return false;
}

Result<std::unique_ptr<LogicalOperator>> Binder::BindAggregateSelect(
    const SelectStatement& select) {
  if (select.from == nullptr) {
    return Status::Binder("a query needs a FROM clause naming a stream or changelog",
                          select.position);
  }
  if (select.distinct) {
    return Status::Binder("SELECT DISTINCT is not supported with GROUP BY", select.position);
  }
  if (!select.order_by.empty()) {
    return Status::Binder("ORDER BY is not supported on streams",
                          select.order_by[0].expr->position);
  }
  const FromItem* from_item = select.from.get();
  WindowSpec window;
  if (from_item->kind == FromKind::kWindow) {
    const auto& window_ref = from_item->As<WindowRef>();
    switch (window_ref.window_kind) {
      case WindowKind::kTumble:
        window.type = WindowType::kTumble;
        window.size_ms = window_ref.size.millis;
        break;
      case WindowKind::kHop:
        window.type = WindowType::kHop;
        window.size_ms = window_ref.size.millis;
        window.advance_ms = window_ref.advance.millis;
        if (window.advance_ms <= 0 || window.advance_ms > window.size_ms) {
          return Status::Binder("HOP needs 0 < ADVANCE BY <= SIZE", window_ref.advance.position);
        }
        break;
      case WindowKind::kSession:
        window.type = WindowType::kSession;
        window.gap_ms = window_ref.gap.millis;
        if (window.gap_ms <= 0) {
          return Status::Binder("SESSION needs a positive GAP", window_ref.gap.position);
        }
        break;
    }
    if (window.type != WindowType::kSession && window.size_ms <= 0) {
      return Status::Binder("a window needs a positive SIZE", window_ref.size.position);
    }
    from_item = window_ref.input.get();
  }
  // Under a window function a changelog is read as appended rows (docs/windows.md).
  const bool window_function = window.type != WindowType::kNone;

  BindScope scope;
  ASSIGN_OR_RETURN(std::unique_ptr<AggregateInput> input,
                   PrepareAggregateInput(*from_item, select.from->alias, window_function, scope));
  ExpressionBinder input_binder(scope);

  // Without a window function, grouping by a stream's window_start and window_end groups by the
  // windows an upstream window aggregate wrote into its rows.
  std::optional<UpstreamWindow> upstream;
  if (window.type == WindowType::kNone) {
    ASSIGN_OR_RETURN(
        upstream, FindUpstreamWindow(
                      select, scope,
                      !input->join && input->bound.relation.kind == CatalogRelationKind::kStream));
    if (upstream) window.type = WindowType::kUpstream;
  }
  const bool windowed = window.type != WindowType::kNone;
  if (!windowed && select.emit == EmitMode::kFinal) {
    return Status::Binder(
        "EMIT FINAL needs a windowed aggregation (TUMBLE, HOP or SESSION, or GROUP BY the "
        "window_start and window_end of a stream written by one)",
        select.emit_position);
  }
  // 0 / 1 when `expr` is the window_start / window_end the aggregate outputs first, else -1.
  auto window_column = [&](const Expr& expr) {
    if (upstream) return UpstreamWindowColumn(expr, scope, *upstream);
    if (!windowed || !IsWindowColumn(expr)) return -1;
    return expr.As<ColumnRefExpr>().parts[0] == "window_start" ? 0 : 1;
  };

  // Pass 1: the columns the query reads. WHERE is collected before the hook exists: there,
  // window columns are unknown and aggregates are errors, as the default binder reports.
  if (select.where) RETURN_NOT_OK(input_binder.CollectColumns(*select.where));
  bool in_aggregate = false;
  input_binder.set_collect_hook([&](const Expr& expr) -> std::optional<Status> {
    if (!upstream && window_column(expr) >= 0) return Status::OK();
    if (!IsAggregateCall(expr)) return std::nullopt;
    if (in_aggregate) {
      return Status::Binder("aggregate function calls cannot be nested", expr.position);
    }
    in_aggregate = true;
    Status status = Status::OK();
    for (const auto& arg : expr.As<FunctionCallExpr>().args) {
      status = input_binder.CollectColumns(*arg);
      if (!status.ok()) break;
    }
    in_aggregate = false;
    return status;
  });
  for (const SelectItem& item : select.items) {
    if (item.expr->kind == ExprKind::kStar) {
      return Status::Binder(
          "SELECT * cannot be used with GROUP BY; list the group keys and "
          "aggregates",
          item.expr->position);
    }
    RETURN_NOT_OK(input_binder.CollectColumns(*item.expr));
  }
  for (const auto& key : select.group_by) {
    if (ContainsAggregate(*key)) {
      return Status::Binder("aggregate functions are not allowed in GROUP BY", key->position);
    }
    RETURN_NOT_OK(input_binder.CollectColumns(*key));
  }
  if (select.having) RETURN_NOT_OK(input_binder.CollectColumns(*select.having));
  input_binder.set_collect_hook(nullptr);

  auto aggregate_node = std::make_unique<LogicalAggregate>(Schema());
  // Over a join, what of WHERE may run below it goes there (join_pushdown.h).
  const Expr* where = select.where.get();
  if (input->join) input->join->where = where;
  ASSIGN_OR_RETURN(std::unique_ptr<LogicalOperator> plan,
                   FinishAggregateInput(*input, scope, *aggregate_node));
  if (input->join) where = input->join->residual_where;
  if (upstream) {
    window.start_column = scope.BatchIndex(upstream->start);
    window.end_column = scope.BatchIndex(upstream->end);
  }
  if (where != nullptr && input->changelog) {
    // Applied by the aggregate: an update that stops matching still retracts the key's old row.
    ASSIGN_OR_RETURN(aggregate_node->changelog_filter, input_binder.BindPredicate(*where, "WHERE"));
  } else if (where != nullptr) {
    ASSIGN_OR_RETURN(auto predicate, input_binder.BindPredicate(*where, "WHERE"));
    auto filter = std::make_unique<LogicalFilter>(plan->schema(), std::move(predicate));
    filter->children().push_back(std::move(plan));
    plan = std::move(filter);
  }

  // Group keys, bound over the input. window_start / window_end are implied by the window.
  const int window_columns = windowed ? 2 : 0;
  struct GroupKey {
    std::string sql;
    std::optional<ResolvedColumn> column;
  };
  std::vector<GroupKey> keys;
  Schema aggregate_schema;
  if (windowed) {
    aggregate_schema.Add(Field{"window_start", DataType::Timestamp()});
    aggregate_schema.Add(Field{"window_end", DataType::Timestamp()});
  }
  for (const auto& key_expr : select.group_by) {
    if (window_column(*key_expr) >= 0) continue;
    GroupKey key{ToSql(*key_expr), std::nullopt};
    if (key_expr->kind == ExprKind::kColumnRef) {
      const auto& ref = key_expr->As<ColumnRefExpr>();
      ASSIGN_OR_RETURN(ResolvedColumn column, scope.Resolve(ref.parts, ref.position));
      key.column = column;
    }
    ASSIGN_OR_RETURN(auto bound_key, input_binder.Bind(*key_expr));
    std::string name = key_expr->kind == ExprKind::kColumnRef
                           ? key_expr->As<ColumnRefExpr>().parts.back()
                           : "key_" + std::to_string(keys.size());
    aggregate_schema.Add(Field{std::move(name), bound_key->type()});
    aggregate_node->keys.push_back(std::move(bound_key));
    keys.push_back(std::move(key));
  }
  const int first_aggregate = window_columns + static_cast<int>(keys.size());

  // Pass 2 over the aggregate's output.
  std::vector<std::string> aggregate_sql;  // dedupes COUNT(*) used twice
  ExpressionBinder output_binder(scope);
  output_binder.set_bind_hook([&](const Expr& expr) -> std::optional<Result<ExpressionPtr>> {
    if (int index = window_column(expr); index >= 0) {
      return MakeColumnRef(index, DataType::Timestamp(), expr.position);
    }
    if (IsAggregateCall(expr)) {
      std::string sql = ToSql(expr);
      for (size_t agg_idx = 0; agg_idx < aggregate_sql.size(); ++agg_idx) {
        if (aggregate_sql[agg_idx] == sql) {
          return MakeColumnRef(first_aggregate + static_cast<int>(agg_idx),
                               aggregate_node->aggregates[agg_idx].type, expr.position);
        }
      }
      const auto& call = expr.As<FunctionCallExpr>();
      if (input->changelog &&
          (call.name == "latest_by_offset" || call.name == "earliest_by_offset")) {
        return Status::Binder(ToUpper(call.name) + " cannot be computed over changelog \"" +
                                  input->bound.qualified_name +
                                  "\": an update retracts the key's previous row, and the "
                                  "offset order of what remains is not kept; use MIN or MAX",
                              expr.position);
      }
      AggregateCall aggregate;
      if (!call.star_arg && call.args.size() == 1) {
        auto argument = input_binder.Bind(*call.args[0]);
        if (!argument.ok()) return argument.status();
        aggregate.argument = std::move(*argument);
      }
      Status typed = TypeAggregate(call, aggregate);
      if (!typed.ok()) return typed;
      DataType type = aggregate.type;
      aggregate_schema.Add(Field{"agg_" + std::to_string(aggregate_sql.size()), type});
      aggregate_node->aggregates.push_back(std::move(aggregate));
      aggregate_sql.push_back(std::move(sql));
      return MakeColumnRef(first_aggregate + static_cast<int>(aggregate_sql.size()) - 1, type,
                           expr.position);
    }
    if (expr.kind == ExprKind::kFunctionCall) {
      // Report an unknown function before its arguments' grouping errors.
      const std::string& name = expr.As<FunctionCallExpr>().name;
      if (name != "coalesce" && name != "nullif" && !RowMetadataFromName(name).has_value() &&
          FunctionRegistry::Global().Find(name) == nullptr) {
        auto unknown = MakeFunctionCall(name, {}, expr.position);
        if (!unknown.ok()) return unknown.status();
      }
    }
    std::string sql = ToSql(expr);
    std::optional<ResolvedColumn> column;
    if (expr.kind == ExprKind::kColumnRef) {
      const auto& ref = expr.As<ColumnRefExpr>();
      auto resolved = scope.Resolve(ref.parts, ref.position);
      if (!resolved.ok()) return resolved.status();
      column = *resolved;
    }
    for (size_t key_idx = 0; key_idx < keys.size(); ++key_idx) {
      const GroupKey& key = keys[key_idx];
      bool same_column = column && key.column && column->relation_idx == key.column->relation_idx &&
                         column->column_idx == key.column->column_idx &&
                         column->fields == key.column->fields;
      if (key.sql == sql || same_column) {
        return MakeColumnRef(
            window_columns + static_cast<int>(key_idx),
            aggregate_schema.field(static_cast<size_t>(window_columns) + key_idx).type,
            expr.position);
      }
    }
    if (expr.kind == ExprKind::kColumnRef) {
      return Status::Binder("column \"" + sql +
                                "\" must appear in the GROUP BY clause or be used in an "
                                "aggregate function",
                            expr.position);
    }
    return std::nullopt;
  });

  SelectOutput output;
  for (const SelectItem& item : select.items) {
    ASSIGN_OR_RETURN(auto expr, output_binder.Bind(*item.expr));
    RETURN_NOT_OK(output.AddItem(item, std::move(expr)));
  }
  if (select.having) {
    ASSIGN_OR_RETURN(aggregate_node->having, output_binder.BindPredicate(*select.having, "HAVING"));
  }

  aggregate_node->window = window;
  aggregate_node->emit_changes = !windowed || select.emit == EmitMode::kChanges;
  auto aggregate = std::make_unique<LogicalAggregate>(aggregate_schema);
  aggregate->window = aggregate_node->window;
  aggregate->keys = std::move(aggregate_node->keys);
  aggregate->aggregates = std::move(aggregate_node->aggregates);
  aggregate->having = std::move(aggregate_node->having);
  aggregate->emit_changes = aggregate_node->emit_changes;
  aggregate->allow_latency_ms = aggregate_node->allow_latency_ms;
  aggregate->idle_timeout_ms = aggregate_node->idle_timeout_ms;
  aggregate->changelog_key = std::move(aggregate_node->changelog_key);
  aggregate->changelog_filter = std::move(aggregate_node->changelog_filter);
  aggregate->children().push_back(std::move(plan));
  plan = std::move(aggregate);

  return output.Finish(std::move(plan), select);
}

}  // namespace sluice
