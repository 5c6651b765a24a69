// CAN I <privilege> ON <object>: whether the session's current role holds it, and how. Reaching a
// relation also takes USAGE on its database and schema (as enforcement does), so each of those is
// a row too; the first row is the answer.

#include "catalog/name_suggestion.h"
#include "engine/execute/statement_executor.h"
#include "engine/governance/load_access_control.h"

namespace sluice {

namespace {

Value Text(std::string text) { return Value::Varchar(std::move(text)); }

std::string DescribeRequirement(const rbac::Requirement& requirement) {
  return std::string(rbac::PrivilegeName(requirement.privilege)) + " ON " +
         rbac::DescribeObject(requirement.object);
}

// The privileges the statement kinds check before `privilege` on `object` means anything.
std::vector<rbac::Requirement> Requirements(rbac::Privilege privilege,
                                            const rbac::ObjectRef& object) {
  std::vector<rbac::Requirement> out;
  const size_t first_dot = object.name.find('.');
  const size_t last_dot = object.name.rfind('.');
  if (object.kind == rbac::ObjectKind::kRelation && first_dot != last_dot) {
    out.push_back(
        {rbac::Privilege::kUsage, {rbac::ObjectKind::kDatabase, object.name.substr(0, first_dot)}});
    out.push_back(
        {rbac::Privilege::kUsage, {rbac::ObjectKind::kSchema, object.name.substr(0, last_dot)}});
  } else if (object.kind == rbac::ObjectKind::kSchema && privilege != rbac::Privilege::kUsage &&
             first_dot != std::string::npos) {
    out.push_back(
        {rbac::Privilege::kUsage, {rbac::ObjectKind::kDatabase, object.name.substr(0, first_dot)}});
  }
  out.push_back({privilege, object});
  return out;
}

}  // namespace

Status StatementExecutor::CanI(const CanIStatement& statement) {
  std::lock_guard<std::mutex> lock(engine_.catalog_mutex());
  ASSIGN_OR_RETURN(std::shared_ptr<const rbac::AccessControl> access, engine_.access_control());
  Result<rbac::Privilege> privilege = rbac::ParsePrivilege(statement.privilege.name);
  if (!privilege.ok()) {
    std::vector<std::string> known;
    for (int value = 0; value <= static_cast<int>(rbac::Privilege::kOwnership); ++value) {
      known.emplace_back(rbac::PrivilegeName(static_cast<rbac::Privilege>(value)));
    }
    return UnknownName("privilege", statement.privilege.name, known, statement.privilege.position);
  }
  ASSIGN_OR_RETURN(rbac::ObjectRef object, BindNamedObject(statement.object_kind, statement.object,
                                                           statement.object_position));
  if (*privilege != rbac::Privilege::kOwnership &&
      !rbac::PrivilegeAppliesTo(*privilege, object.kind)) {
    return Status::Binder("privilege " + statement.privilege.name + " does not apply to " +
                              std::string(rbac::ObjectKindName(object.kind)),
                          statement.privilege.position);
  }
  const std::string& role = session_.role();
  // An object the role cannot see is answered like a missing one: CAN I is no existence oracle.
  RETURN_NOT_OK(RequireVisible(object, statement.object.parts.empty() ? statement.object_position
                                                                      : statement.object.position));
  std::vector<std::vector<Value>> rows;
  bool allowed = true;
  for (const rbac::Requirement& requirement : Requirements(*privilege, object)) {
    rbac::AccessDecision decision = access->Check(role, requirement.privilege, requirement.object);
    std::string how;
    for (const std::string& step : decision.path) how += (how.empty() ? "" : "; ") + step;
    if (!decision.allowed) {
      how = "role \"" + role + "\" lacks " +
            std::string(rbac::PrivilegeName(requirement.privilege)) + " on " +
            rbac::DescribeObject(requirement.object);
    }
    allowed = allowed && decision.allowed;
    rows.push_back(
        {Text(decision.allowed ? "yes" : "no"), Text(DescribeRequirement(requirement)), Text(how)});
  }
  rows.insert(rows.begin(),
              std::vector<Value>{Text(allowed ? "yes" : "no"),
                                 Text(DescribeRequirement({*privilege, object})),
                                 Text("role \"" + role + "\" " + (allowed ? "may" : "may not"))});
  Schema schema;
  for (const char* name : {"answer", "privilege", "how"}) {
    schema.Add(Field{name, DataType::Varchar()});
  }
  return EmitRows(schema, rows);
}

}  // namespace sluice
