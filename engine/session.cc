#include <string>

#include "engine/engine.h"
#include "engine/engine_impl.h"
#include "engine/execute/statement_executor.h"
#include "parser/parser.h"
#include "rbac/audit_log.h"

namespace sluice {

Session::Session(Engine& engine) : engine_(engine) {
  current_database_ = std::string(kDefaultDatabase);
  current_schema_ = std::string(kDefaultSchema);
}

Session::~Session() = default;

namespace {

// Statements that read and change nothing: their successful records may wait for the audit
// log's group commit (rbac::AuditDurability::kGrouped); every other statement's record is on
// disk before the statement answers.
bool ReadsOnly(StatementKind kind) {
  switch (kind) {
    case StatementKind::kSelect:
    case StatementKind::kShow:
    case StatementKind::kDescribe:
    case StatementKind::kShowGovernance:
    case StatementKind::kCanI:
    case StatementKind::kExplain:
    case StatementKind::kPrintTopic: return true;
    default: return false;
  }
}

}  // namespace

Status Session::AuditStatement(std::string_view text, const Status& outcome, bool read_only) {
  rbac::AuditRecord record;
  record.user = user_;
  record.role = role_;
  record.client = "local";
  record.action = "statement";
  record.result = outcome.ok() ? "ok" : rbac::RedactSecrets("error: " + outcome.ToString());
  record.detail = rbac::RedactSecrets(std::string(text));
  Status appended = engine_.impl().audit_log().Append(
      std::move(record),
      read_only ? rbac::AuditDurability::kGrouped : rbac::AuditDurability::kSynced);
  // A statement that ran but could not be audited is reported: the log must not silently miss it.
  if (!appended.ok() && outcome.ok())
    return appended.WithContext("statement ran but was not audited");
  return outcome;
}

Status Session::ExecuteScript(std::string_view script, ResultHandler& handler,
                              const ScriptOptions& options) {
  Status first_error;
  for (std::string_view piece : SplitStatements(script)) {
    cancel_requested_.store(false, std::memory_order_relaxed);
    const int64_t offset = piece.data() - script.data();
    bool read_only = false;
    Status status = [&]() -> Status {
      ASSIGN_OR_RETURN(StatementPtr statement, ParseStatement(piece));
      read_only = ReadsOnly(statement->kind);
      StatementExecutor executor(engine_.impl(), *this, piece, handler);
      return executor.Execute(*statement);
    }();
    status = AuditStatement(piece, status, read_only);
    if (status.ok()) continue;
    // Positions are relative to the statement; the handler renders against the whole script.
    if (status.has_position()) {
      status = Status(status.category(), status.message(), status.position() + offset);
    }
    handler.OnError(status);
    if (first_error.ok()) first_error = status;
    if (!options.continue_on_error) break;
  }
  return first_error;
}

}  // namespace sluice
