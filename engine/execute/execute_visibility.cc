// No existence oracle: a statement that names an object the session's role cannot see (see
// rbac/visibility.h) fails with the words the binder uses for an object that does not exist, so
// "denied" never tells a role that something it may not see is there. The audit record keeps
// the real reason.

#include <algorithm>
#include <cctype>

#include "engine/execute/statement_executor.h"
#include "engine/governance/load_access_control.h"
#include "planner/binder/relation_schema.h"
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

Status StatementExecutor::HideHint(const Status& error) {
  static constexpr std::string_view kHint = " (did you mean \"";
  const std::string& message = error.message();
  const size_t hint = message.rfind(kHint);
  const size_t missing = message.rfind("\" does not exist", hint);
  if (hint == std::string::npos || missing == std::string::npos || message.back() != ')') {
    return error;
  }
  const std::string suggested =
      message.substr(hint + kHint.size(), message.size() - 3 - (hint + kHint.size()));
  // The word before the quoted missing name says what kind of object it is.
  const size_t open_quote = message.rfind('"', missing - 1);
  if (open_quote == std::string::npos || open_quote < 2) return error;
  const size_t word_start = message.rfind(' ', open_quote - 2);
  const std::string kind =
      message.substr(word_start == std::string::npos ? 0 : word_start + 1,
                     open_quote - 1 - (word_start == std::string::npos ? 0 : word_start + 1));
  if (kind != "database" && kind != "schema" && kind != "relation" && kind != "store") {
    return error;
  }
  std::lock_guard<std::mutex> lock(engine_.catalog_mutex());
  Catalog& catalog = engine_.catalog();
  ASSIGN_OR_RETURN(std::shared_ptr<const rbac::AccessControl> access, engine_.access_control());
  const std::string& role = session_.role();
  bool visible = false;
  if (kind == "store") {
    visible = rbac::CanSee(*access, role, {rbac::ObjectKind::kStore, suggested});
  } else {
    ASSIGN_OR_RETURN(std::vector<DatabaseInfo> databases, catalog.ListDatabases());
    for (const DatabaseInfo& database : databases) {
      if (kind == "database") {
        visible =
            visible || (database.name == suggested &&
                        rbac::CanSee(*access, role, {rbac::ObjectKind::kDatabase, suggested}));
        continue;
      }
      ASSIGN_OR_RETURN(std::vector<SchemaInfo> schemas, catalog.ListSchemas(database.id));
      for (const SchemaInfo& schema : schemas) {
        const std::string schema_name = database.name + "." + schema.name;
        if (kind == "schema") {
          visible =
              visible || (schema.name == suggested &&
                          rbac::CanSee(*access, role, {rbac::ObjectKind::kSchema, schema_name}));
          continue;
        }
        ASSIGN_OR_RETURN(std::optional<RelationInfo> relation,
                         catalog.FindRelation(schema.id, suggested));
        visible = visible || (relation && rbac::CanSee(*access, role,
                                                       {rbac::ObjectKind::kRelation,
                                                        schema_name + "." + suggested}));
      }
    }
  }
  if (visible) return error;
  return Status(error.category(), message.substr(0, hint), error.position());
}

Result<bool> StatementExecutor::CanReadTopic(const std::string& topic, bool select) {
  Catalog& catalog = engine_.catalog();
  ASSIGN_OR_RETURN(std::shared_ptr<const rbac::AccessControl> access, engine_.access_control());
  const std::string& role = session_.role();
  if (access->Check(role, rbac::Privilege::kManageGrants, {rbac::ObjectKind::kOrganization, ""})
          .allowed) {
    return true;
  }
  ASSIGN_OR_RETURN(StoreInfo local, catalog.GetStore("local"));
  ASSIGN_OR_RETURN(std::vector<RelationInfo> relations, catalog.ListRelationsUsingStore(local.id));
  for (const RelationInfo& relation : relations) {
    if (RelationTopic(relation) != topic) continue;
    ASSIGN_OR_RETURN(std::string name, catalog.QualifiedRelationName(relation.id));
    const bool allowed = select
                             ? access->RequireOnRelation(role, rbac::Privilege::kSelect, name).ok()
                             : rbac::CanSee(*access, role, {rbac::ObjectKind::kRelation, name});
    if (allowed) return true;
  }
  return false;
}

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
  ASSIGN_OR_RETURN(std::shared_ptr<const rbac::AccessControl> access, engine_.access_control());
  for (const rbac::ObjectRef& step : PathTo(object)) {
    if (!rbac::CanSee(*access, session_.role(), step)) {
      return MissingError(Concrete(object), step, WrittenName(position), position);
    }
  }
  return Status::OK();
}

}  // namespace sluice
