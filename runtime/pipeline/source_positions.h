#pragma once
// Where a persistent query left off: its source's next offset per partition, saved in the query's
// state dir each time its outputs are flushed, so a worker that starts again (engine restart,
// RESTART QUERY, a crash) resumes there instead of re-reading its source from the start.
//
// For a stateless query whose sink stages its outputs, the file is its commit record: the
// positions together with where the sink's outputs end (`sinks`), written before the outputs are
// published, so a restart cuts or publishes exactly the outputs of the positions (exactly-once,
// docs/checkpoints.md). Without a staging sink it is saved after the sink's flush
// (at-least-once).

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"

namespace sluice {

struct SourcePositions {
  std::string topic;
  std::vector<int64_t> positions;  // next offset per partition
  // Output topic -> end offset per partition of the outputs these positions produced; empty
  // when the sink does not stage (or the engine pinned start positions at CREATE).
  std::map<std::string, std::vector<int64_t>> sinks;
};

// <state_dir>/positions.json
std::string SourcePositionsPath(const std::string& state_dir);

// Writes atomically (temporary file, rename): a crash of the process leaves the old or the new
// file. With `sync` the file is fsynced before the rename, so a power loss does too; without it
// a power loss may leave the old file (or, on some file systems, an empty one, read as malformed).
Status SaveSourcePositions(const std::string& path, const SourcePositions& positions,
                           bool sync = true);

// nullopt when nothing was saved yet; a STORAGE error when the file is unreadable or malformed.
Result<std::optional<SourcePositions>> LoadSourcePositions(const std::string& path);

// The JSON text of the file, and back (`what` names the source of `text` in errors).
std::string SourcePositionsToJson(const SourcePositions& positions);
Result<SourcePositions> SourcePositionsFromJson(std::string_view text, const std::string& what);

}  // namespace sluice
