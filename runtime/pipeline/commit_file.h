#pragma once
// The commit record of a stateless query with a staging sink: <state_dir>/commit, holding its
// source positions and sink end offsets (SourcePositions as JSON). It is written at every flush,
// so it avoids what a temporary-file-and-rename costs on ext4 (a rename over a file forces block
// allocation of the new one, which stalls under load): two fixed slots written in turn, each with
// one pwrite of a checksummed record and a sequence number. A write torn by a killed process
// only damages the slot being written; Load() takes the valid slot with the higher sequence.
// Not fsynced: a power loss may lose the newest commits (docs/checkpoints.md).

#include <cstdint>
#include <optional>
#include <string>

#include "common/status.h"
#include "runtime/pipeline/source_positions.h"
#include "storage/log/file_util.h"

namespace sluice {

class CommitFile {
 public:
  // <state_dir>/commit, created if missing.
  static Result<CommitFile> Open(const std::string& state_dir);

  // The newest intact commit; nullopt when none was written.
  Result<std::optional<SourcePositions>> Load();
  Status Save(const SourcePositions& positions);

 private:
  CommitFile(std::string path, UniqueFd fd) : path_(std::move(path)), fd_(std::move(fd)) {}

  std::string path_;
  UniqueFd fd_;
  uint64_t sequence_ = 0;  // of the newest record written or loaded
  std::string record_;     // reused across saves
};

}  // namespace sluice
