// No existence oracle: a statement that names an object the session's role cannot see (see
// rbac/visibility.h) fails with the words the binder uses for an object that does not exist, so
// "denied" never tells a role that something it may not see is there. The audit record keeps
// the real reason.

#include <algorithm>
#include <cctype>

#include "engine/execute/statement_executor.h"
#include "engine/governance/load_access_control.h"
#include "rbac/visibility.h"

namespace sluice {

namespace {

std::string Quote(const std::string& name) { return "\"" + name + "\""; }

// A schema-wide scope is seen as the schema or database it covers.
rbac::ObjectRef Concrete(const rbac::ObjectRef& object) {
  if (object.kind == rbac::ObjectKind::kAllRelationsInSchema)
    return {rbac::ObjectKind::kSchema, object.name};
  if (object.kind == rbac::ObjectKind::kAllSchemasInDatabase)
    return {rbac::ObjectKind::kDatabase, object.name};
  return object;
}

// The objects on the way to `named`: its database and schema, then itself.
std::vector<rbac::ObjectRef> PathTo(const rbac::ObjectRef& named) {
  const rbac::ObjectRef object = Concrete(named);
  std::vector<rbac::ObjectRef> path;
  const bool data =
      object.kind == rbac::ObjectKind::kSchema || object.kind == rbac::ObjectKind::kRelation;
  const size_t first_dot = object.name.find('.');
  const size_t last_dot = object.name.rfind('.');
  if (data && first_dot != std::string::npos) {
    path.push_back({rbac::ObjectKind::kDatabase, object.name.substr(0, first_dot)});
    if (object.kind == rbac::ObjectKind::kRelation && last_dot != first_dot) {
      path.push_back({rbac::ObjectKind::kSchema, object.name.substr(0, last_dot)});
    }
  }
  path.push_back(object);
  return path;
}

// How the binder reports `missing` when a statement names `named`, written as `written` (the
// binder's message quotes the relation name as written: "pv", "raw.pv" or "shop.raw.pv").
Status MissingError(const rbac::ObjectRef& named, const rbac::ObjectRef& missing,
                    const std::string& written, int64_t position) {
  const std::string& name = missing.name;
  const size_t dot = name.rfind('.');
  std::string message;
  switch (missing.kind) {
    case rbac::ObjectKind::kDatabase:
      message = "database " + Quote(name) + " does not exist";
      break;
    case rbac::ObjectKind::kSchema:
      message = "schema " + Quote(name.substr(dot + 1)) + " does not exist in database " +
                Quote(name.substr(0, dot));
      break;
    case rbac::ObjectKind::kRelation:
      return Status::Binder("relation " + Quote(name.substr(dot + 1)) + " does not exist",
                            position);
    case rbac::ObjectKind::kStore:
      return Status::Binder("store " + Quote(name) + " does not exist", position);
    case rbac::ObjectKind::kQuery:
      return Status::Catalog("query " + name + " does not exist", position);
    default: return Status::Binder(rbac::DescribeObject(missing) + " does not exist", position);
  }
  if (named.kind == rbac::ObjectKind::kRelation) {
    message =
        "relation " + Quote(written.empty() ? named.name : written) + " does not exist: " + message;
  }
  return Status::Binder(message, position);
}

}  // namespace

std::string StatementExecutor::WrittenName(int64_t position) const {
  // The dotted name at `position` in the statement text, folded as the parser folds it.
  std::string name;
  for (size_t index = static_cast<size_t>(std::max<int64_t>(position, 0)); index < text_.size();
       ++index) {
    const char c = text_[index];
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '.') break;
    name.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  return name;
}

Status StatementExecutor::HideInvisible(const rbac::AccessControl& access,
                                        const rbac::ObjectRef& object, const Status& denial,
                                        int64_t position) {
  if (denial.ok()) return denial;
  for (const rbac::ObjectRef& step : PathTo(object)) {
    if (!rbac::CanSee(access, session_.role(), step)) {
      return MissingError(Concrete(object), step, WrittenName(position), position);
    }
  }
  return denial.WithPosition(position);
}

Status StatementExecutor::RequireVisible(const rbac::ObjectRef& object, int64_t position) {
  ASSIGN_OR_RETURN(std::unique_ptr<rbac::AccessControl> access,
                   LoadAccessControl(engine_.catalog()));
  for (const rbac::ObjectRef& step : PathTo(object)) {
    if (!rbac::CanSee(*access, session_.role(), step)) {
      return MissingError(Concrete(object), step, WrittenName(position), position);
    }
  }
  return Status::OK();
}

}  // namespace sluice
