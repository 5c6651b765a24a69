#pragma once
// ScriptRunner: runs SQL text statement by statement on one session, for -c, -f, piped stdin,
// the shell and \i. Going one statement at a time (rather than one ExecuteScript call for the
// whole text) is what lets Ctrl-C stop a script between statements and \timing time each one.

#include <string>
#include <string_view>

#include "cli/script/cli_result_handler.h"
#include "engine/engine.h"

namespace sluice {

struct RunOutcome {
  bool failed = false;       // some statement failed
  bool interrupted = false;  // Ctrl-C: the script stopped early
};

class ScriptRunner {
 public:
  // `session`, `handler` and `timing_out` must outlive the runner.
  ScriptRunner(Session& session, CliResultHandler& handler, std::ostream& timing_out)
      : session_(session), handler_(handler), timing_out_(timing_out) {}

  bool timing() const { return timing_; }
  void set_timing(bool timing) { timing_ = timing; }
  CliResultHandler& handler() { return handler_; }

  // Runs the statements of `script` in order. Without `continue_on_error` it stops at the first
  // failure; a Ctrl-C always stops it. Errors were already reported through the handler.
  RunOutcome Run(std::string_view script, bool continue_on_error);

 private:
  Session& session_;
  CliResultHandler& handler_;
  std::ostream& timing_out_;
  bool timing_ = false;
};

// Length of the prefix of `buffer` that holds only finished statements (0 when none), so the shell
// runs "a; b;" now but keeps the unfinished "c" of "a; b; c" for the next line.
size_t CompleteStatementsEnd(std::string_view buffer);

}  // namespace sluice
