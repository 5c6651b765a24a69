#include <string>

#include "engine/engine.h"
#include "engine/engine_impl.h"
#include "engine/execute/statement_executor.h"
#include "parser/parser.h"

namespace sluice {

Session::Session(Engine& engine) : engine_(engine) {
  current_database_ = std::string(kDefaultDatabase);
  current_schema_ = std::string(kDefaultSchema);
}

Session::~Session() = default;

Status Session::ExecuteScript(std::string_view script, ResultHandler& handler,
                              const ScriptOptions& options) {
  Status first_error;
  for (std::string_view piece : SplitStatements(script)) {
    cancel_requested_.store(false, std::memory_order_relaxed);
    const int64_t offset = piece.data() - script.data();
    Status status = [&]() -> Status {
      ASSIGN_OR_RETURN(StatementPtr statement, ParseStatement(piece));
      StatementExecutor executor(engine_.impl(), *this, piece, handler);
      return executor.Execute(*statement);
    }();
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
