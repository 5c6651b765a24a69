#pragma once
// Ctrl-C handling shared by the script runner and the shell. SIGINT never kills the process:
// while a statement runs it cancels that statement (Session::Cancel, async-signal-safe); at the
// prompt it wakes the line editor through a self-pipe so the typed line can be discarded.

#include "engine/engine.h"

namespace sluice {

// Installs the SIGINT handler and creates the self-pipe. Call once, before any statement runs.
void InstallInterruptHandler();

// True when Ctrl-C was pressed since the last ClearInterrupt().
bool InterruptPending();
// Forgets a pending Ctrl-C and drains the self-pipe (the shell does this before each prompt).
void ClearInterrupt();
// Read end of the self-pipe: readable after each Ctrl-C. -1 before InstallInterruptHandler().
int InterruptFd();

// While alive, Ctrl-C cancels `session`'s running statement.
class RunningStatement {
 public:
  explicit RunningStatement(Session& session);
  ~RunningStatement();
  RunningStatement(const RunningStatement&) = delete;
  RunningStatement& operator=(const RunningStatement&) = delete;
};

}  // namespace sluice
