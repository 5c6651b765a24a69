// EXPLAIN: a query statement is bound, checked and planned exactly as running it would (so its
// errors are the same, with the same positions), but nothing is created, started or written; the
// plan comes back as rows (runtime/plan/explain_plan.h). EXPLAIN QUERY id renders the plan a
// persistent query was started with, as stored in the catalog.

#include "engine/execute/statement_executor.h"
#include "runtime/plan/explain_plan.h"

namespace sluice {

namespace {

std::vector<std::vector<Value>> ExplainValues(const std::vector<ExplainRow>& explained) {
  std::vector<std::vector<Value>> rows;
  for (const ExplainRow& row : explained) {
    rows.push_back({Value::Varchar(row.stage), Value::Varchar(row.operator_name),
                    Value::Varchar(row.details)});
  }
  return rows;
}

}  // namespace

Status StatementExecutor::Explain(const ExplainStatement& statement) {
  if (!statement.statement) return ExplainQuery(statement);
  const Statement& inner = *statement.statement;
  std::unique_ptr<PhysicalPlan> plan;
  if (inner.kind == StatementKind::kSelect) {
    const auto& select = inner.As<SelectStatement>();
    std::lock_guard<std::mutex> lock(engine_.catalog_mutex());
    Binder binder(engine_.catalog(), session_.current_database_, session_.current_schema_);
    if (IsAuditLogRead(select)) {
      return Status::Binder(
          "EXPLAIN does not cover reads of sluice.sys.audit_log: they are snapshot reads of the "
          "audit log, not planned queries",
          select.from->position);
    }
    if (select.from && select.from->kind == FromKind::kRelation) {
      Result<BoundRelation> from = binder.BindRelation(select.from->As<RelationRef>().name);
      if (from.ok() && from->relation.kind == CatalogRelationKind::kMaterializedView) {
        RETURN_NOT_OK(RequireSelectOnSources(binder, *select.from));
        RETURN_NOT_OK(binder.BindSelect(select).status());
        return EmitRows(
            ExplainSchema(),
            ExplainValues(
                {{"query", "Query",
                  "interactive SELECT; runs in the engine; rows go to this client"},
                 {"1", "ViewRead",
                  "a snapshot of materialized view " + from->qualified_name +
                      " read from its store (no source is consumed, no state is kept)"}}));
      }
    }
    ASSIGN_OR_RETURN(plan, PlanSelect(select));
    return EmitRows(ExplainSchema(), ExplainValues(ExplainPlan(*plan, /*persistent=*/false)));
  }
  // CREATE ... AS SELECT and INSERT INTO ... SELECT stop before they create or start anything.
  explained_plan_ = &plan;
  Status planned = inner.kind == StatementKind::kInsertSelect
                       ? InsertSelect(inner.As<InsertSelectStatement>())
                       : CreateRelationAsSelect(inner.As<CreateRelationAsSelectStatement>());
  explained_plan_ = nullptr;
  RETURN_NOT_OK(planned);
  if (!plan) return Status::OK();  // CREATE ... IF NOT EXISTS of an existing relation: no query
  return EmitRows(ExplainSchema(), ExplainValues(ExplainPlan(*plan, /*persistent=*/true)));
}

Status StatementExecutor::ExplainQuery(const ExplainStatement& statement) {
  std::unique_ptr<PhysicalPlan> plan;
  {
    std::lock_guard<std::mutex> lock(engine_.catalog_mutex());
    ASSIGN_OR_RETURN(QueryInfo query,
                     FindOperableQuery(statement.query_id, rbac::Privilege::kMonitor));
    Result<std::unique_ptr<PhysicalPlan>> stored = PhysicalPlanFromJson(query.plan);
    if (!stored.ok()) {
      return stored.status().WithContext("the stored plan of query " + std::to_string(query.id));
    }
    plan = std::move(stored).value();
    plan->query_id = query.id;
  }
  return EmitRows(ExplainSchema(), ExplainValues(ExplainPlan(*plan, /*persistent=*/true)));
}

}  // namespace sluice
