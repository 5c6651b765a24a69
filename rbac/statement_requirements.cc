#include "rbac/statement_requirements.h"

namespace sluice::rbac {

namespace {

const ObjectRef kOrg{ObjectKind::kOrganization, ""};

// USAGE on the database and schema that hold a relation: the path to reach it at all.
void AddReach(std::vector<Requirement>& out, const StatementTargets& targets) {
  out.push_back({Privilege::kUsage, {ObjectKind::kDatabase, targets.database}});
  out.push_back({Privilege::kUsage, {ObjectKind::kSchema, targets.schema}});
}

}  // namespace

std::string_view StatementKindName(StatementKind kind) {
  switch (kind) {
    case StatementKind::kSelect: return "SELECT";
    case StatementKind::kInsertValues: return "INSERT VALUES";
    case StatementKind::kCreateRelation: return "CREATE STREAM";
    case StatementKind::kCreateAsSelect: return "CREATE STREAM AS SELECT";
    case StatementKind::kInsertSelect: return "INSERT INTO ... SELECT";
    case StatementKind::kCreateSchema: return "CREATE SCHEMA";
    case StatementKind::kCreateDatabase: return "CREATE DATABASE";
    case StatementKind::kCreateStore: return "CREATE STORE";
    case StatementKind::kCreateRole: return "CREATE ROLE";
    case StatementKind::kCreateUser: return "CREATE USER";
    case StatementKind::kUseStore: return "USE STORE";
    case StatementKind::kTerminateQuery: return "TERMINATE QUERY";
    case StatementKind::kDescribeQuery: return "DESCRIBE QUERY";
    case StatementKind::kReadAuditLog: return "SELECT FROM sluice.sys.audit_log";
    case StatementKind::kDropRelation: return "DROP STREAM";
  }
  return "?";
}

std::vector<StatementKind> AllStatementKinds() {
  std::vector<StatementKind> kinds;
  for (int kind = 0; kind <= static_cast<int>(StatementKind::kDropRelation); ++kind) {
    kinds.push_back(static_cast<StatementKind>(kind));
  }
  return kinds;
}

std::vector<Requirement> RequiredPrivileges(StatementKind kind, const StatementTargets& targets) {
  std::vector<Requirement> out;
  ObjectRef relation{ObjectKind::kRelation, targets.relation};
  ObjectRef sink{ObjectKind::kRelation, targets.sink};
  ObjectRef schema{ObjectKind::kSchema, targets.schema};
  switch (kind) {
    case StatementKind::kSelect:
      AddReach(out, targets);
      out.push_back({Privilege::kSelect, relation});
      break;
    case StatementKind::kInsertValues:
      AddReach(out, targets);
      out.push_back({Privilege::kInsert, relation});
      break;
    case StatementKind::kCreateRelation:
      AddReach(out, targets);
      out.push_back({Privilege::kCreate, schema});
      break;
    case StatementKind::kCreateAsSelect:
      AddReach(out, targets);
      out.push_back({Privilege::kSelect, relation});
      out.push_back({Privilege::kCreate, schema});
      break;
    case StatementKind::kInsertSelect:
      AddReach(out, targets);
      out.push_back({Privilege::kSelect, relation});
      out.push_back({Privilege::kInsert, sink});
      break;
    case StatementKind::kCreateSchema:
      out.push_back({Privilege::kCreateSchema, {ObjectKind::kDatabase, targets.database}});
      break;
    case StatementKind::kCreateDatabase: out.push_back({Privilege::kCreateDatabase, kOrg}); break;
    case StatementKind::kCreateStore: out.push_back({Privilege::kCreateStore, kOrg}); break;
    case StatementKind::kCreateRole: out.push_back({Privilege::kCreateRole, kOrg}); break;
    case StatementKind::kCreateUser: out.push_back({Privilege::kCreateUser, kOrg}); break;
    case StatementKind::kUseStore:
      out.push_back({Privilege::kUsage, {ObjectKind::kStore, targets.store}});
      break;
    case StatementKind::kTerminateQuery:
      out.push_back({Privilege::kOperate, {ObjectKind::kQuery, targets.query}});
      break;
    case StatementKind::kDescribeQuery:
      out.push_back({Privilege::kMonitor, {ObjectKind::kQuery, targets.query}});
      break;
    case StatementKind::kReadAuditLog: out.push_back({Privilege::kReadAudit, kOrg}); break;
    case StatementKind::kDropRelation:
      AddReach(out, targets);
      out.push_back({Privilege::kOwnership, relation});
      break;
  }
  return out;
}

Status CheckStatement(const AccessControl& access, const std::string& role, StatementKind kind,
                      const StatementTargets& targets) {
  for (const Requirement& requirement : RequiredPrivileges(kind, targets)) {
    RETURN_NOT_OK(access.Require(role, requirement.privilege, requirement.object));
  }
  return Status::OK();
}

}  // namespace sluice::rbac
