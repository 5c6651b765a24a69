#pragma once
// Fault injection for the system tests of checkpoints (docs/checkpoints.md): a test that writes
// `point` into <state_dir>/crash-at makes the worker SIGKILL itself the next time it reaches that
// point of a checkpoint, once (the file is removed first, so the restarted worker runs on). The
// points: the two-phase commit's 'prepared' and 'transaction_committed', and a staging sink's
// 'staged' (a commit due with outputs written since the last one: staged, not committed) and
// 'committed' (the commit saved, its outputs not yet published). Workers get an empty
// environment, hence a file rather than a variable. Costs one failed stat per point per
// checkpoint.

#include <string>

namespace sluice {

void MaybeCrashAt(const std::string& state_dir, const char* point);

}  // namespace sluice
