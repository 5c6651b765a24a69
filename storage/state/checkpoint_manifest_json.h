#pragma once
// JSON form of a CheckpointManifest: how Commit() stores it under the reserved key and how
// <state_dir>/checkpoint.json shows it to people. The format is documented in docs/checkpoints.md.

#include <string>
#include <string_view>

#include "common/status.h"
#include "storage/state/state_store.h"

namespace sluice {

std::string CheckpointManifestToJson(const CheckpointManifest& manifest);
[[nodiscard]] Result<CheckpointManifest> CheckpointManifestFromJson(std::string_view json);

}  // namespace sluice
