#include "engine/execute/statement_executor.h"

namespace sluice {

Status StatementExecutor::Execute(const Statement& statement) {
  Status status = Dispatch(statement);
  // A "did you mean" hint must not name an object the session cannot see.
  return status.ok() ? status : HideHint(status);
}

Status StatementExecutor::Dispatch(const Statement& statement) {
  if (statement.kind != StatementKind::kUseRole)
    RETURN_NOT_OK(RecheckChosenRole(statement.position));
  switch (statement.kind) {
    case StatementKind::kCreateDatabase:
      return CreateDatabase(statement.As<CreateDatabaseStatement>());
    case StatementKind::kCreateSchema: return CreateSchema(statement.As<CreateSchemaStatement>());
    case StatementKind::kUseDatabase: return UseDatabase(statement.As<UseDatabaseStatement>());
    case StatementKind::kUseSchema: return UseSchema(statement.As<UseSchemaStatement>());
    case StatementKind::kDrop: return Drop(statement.As<DropStatement>());
    case StatementKind::kShow: return Show(statement.As<ShowStatement>());
    case StatementKind::kDescribe: return Describe(statement.As<DescribeStatement>());
    case StatementKind::kCreateRelation:
      return CreateRelation(statement.As<CreateRelationStatement>());
    case StatementKind::kCreateRelationAsSelect:
      return CreateRelationAsSelect(statement.As<CreateRelationAsSelectStatement>());
    case StatementKind::kCreateStore: return CreateStore(statement.As<CreateStoreStatement>());
    case StatementKind::kAlterStore: return AlterStore(statement.As<AlterStoreStatement>());
    case StatementKind::kInsertValues: return InsertValues(statement.As<InsertValuesStatement>());
    case StatementKind::kInsertSelect: return InsertSelect(statement.As<InsertSelectStatement>());
    case StatementKind::kSelect: return Select(statement.As<SelectStatement>());
    case StatementKind::kTerminateQuery:
      return TerminateQuery(statement.As<TerminateQueryStatement>());
    case StatementKind::kRestartQuery: return RestartQuery(statement.As<RestartQueryStatement>());
    case StatementKind::kFlush: return Flush(statement.As<FlushStatement>());
    case StatementKind::kPrintTopic: return PrintTopic(statement.As<PrintTopicStatement>());
    case StatementKind::kCreateRole: return CreateRole(statement.As<CreateRoleStatement>());
    case StatementKind::kCreateUser: return CreateUser(statement.As<CreateUserStatement>());
    case StatementKind::kDropRole: return DropRole(statement.As<DropRoleStatement>());
    case StatementKind::kGrantRole: return GrantRole(statement.As<GrantRoleStatement>());
    case StatementKind::kGrantPrivileges:
      return GrantPrivileges(statement.As<GrantPrivilegesStatement>());
    case StatementKind::kUseRole: return UseRole(statement.As<UseRoleStatement>());
    case StatementKind::kShowGovernance:
      return ShowGovernance(statement.As<ShowGovernanceStatement>());
    case StatementKind::kAlterUser: return AlterUser(statement.As<AlterUserStatement>());
    case StatementKind::kCanI: return CanI(statement.As<CanIStatement>());
    case StatementKind::kExplain: return Explain(statement.As<ExplainStatement>());
  }
  return Status::Internal("unknown statement kind");
}

Status StatementExecutor::EmitRows(const Schema& schema,
                                   const std::vector<std::vector<Value>>& rows) {
  RecordBatch batch(schema);
  for (const auto& row : rows) {
    for (size_t column_idx = 0; column_idx < row.size(); ++column_idx) {
      batch.column(column_idx).AppendValue(row[column_idx]);
    }
    batch.meta().emplace_back();
    batch.keys().emplace_back();
  }
  handler_.OnResultStart(schema);
  RETURN_NOT_OK(handler_.OnRows(batch));
  handler_.OnResultEnd(static_cast<int64_t>(rows.size()));
  return Status::OK();
}

}  // namespace sluice
