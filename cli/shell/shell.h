#pragma once
// The interactive shell: reads statements with line editing, runs each once its ';' arrives, and
// handles meta-commands. Ctrl-C cancels the running statement (see cli/script/interrupt.h) or
// discards the line being typed; Ctrl-D or \q leave.

#include <string>
#include <string_view>

#include "cli/script/script_runner.h"
#include "engine/engine.h"

namespace sluice {

class Shell {
 public:
  // REQUIRES: stdin is a terminal; InstallInterruptHandler() was called.
  Shell(Session& session, ScriptRunner& runner) : session_(session), runner_(runner) {}

  // Runs until Ctrl-D or \q; returns the process exit code (0: errors were shown as they came).
  int Run();

 private:
  // "sluice:<db>.<schema>> ", so the prompt shows where unqualified names resolve.
  std::string Prompt() const;
  // Returns false when the shell should exit.
  bool RunMetaCommand(std::string_view line);

  Session& session_;
  ScriptRunner& runner_;
};

}  // namespace sluice
