#pragma once
// Where a persistent query left off: its source's next offset per partition, saved in the query's
// state dir each time its outputs are flushed, so a worker that starts again (engine restart,
// RESTART QUERY, a crash) resumes there instead of re-reading its source from the start.
//
// Saving after the sink's flush means a crash between the two repeats at most the records of the
// last batch (at-least-once); checkpoints that commit positions with the output make it
// exactly-once (stateful streaming).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"

namespace sluice {

struct SourcePositions {
  std::string topic;
  std::vector<int64_t> positions;  // next offset per partition
};

// <state_dir>/positions.json
std::string SourcePositionsPath(const std::string& state_dir);

// Writes atomically (temporary file, fsync, rename): a crash leaves the old or the new file.
Status SaveSourcePositions(const std::string& path, const SourcePositions& positions);

// nullopt when nothing was saved yet; a STORAGE error when the file is unreadable or malformed.
Result<std::optional<SourcePositions>> LoadSourcePositions(const std::string& path);

}  // namespace sluice
