#pragma once
// The body of `sluice worker`: one persistent query in its own process. The supervisor set up
// fd 3 (control, engine -> worker) and fd 4 (status, worker -> engine); the worker reads its Start
// message, sandboxes itself, runs the pipeline and reports progress until told to stop, until the
// engine goes away (EOF on fd 3), or until the query fails.

namespace sluice {

// Returns the process exit code: 0 after a requested stop (or the engine's exit), 1 when the query
// failed (a Failed message with the reason was written to fd 4 first, if fd 4 was still open).
// REQUIRES: called from main() of a fresh process, before any other thread exists (the sandbox
// applies to the calling thread and those it creates afterwards).
int WorkerMain();

}  // namespace sluice
