#pragma once
// A prepared but not yet committed checkpoint of a StateStore: its manifest and the serialized
// RocksDB write batch holding the state changes, in one file next to the store. A stateful query
// whose output commits in a Kafka transaction writes it before committing the transaction and
// applies it (StateStore::Commit) after: a crash in between leaves the file, and the restarted
// worker applies it or drops it depending on whether the transaction committed
// (docs/checkpoints.md, "Two-phase commit with Kafka transactions").
//
// Format: magic "SLPC", CRC32C of the rest (u32), manifest JSON length (u32), the manifest JSON,
// the batch. Written to a temporary name, fsynced and renamed, so it is there whole or not at all.

#include <optional>
#include <string>

#include "common/status.h"

namespace sluice {

struct PendingCheckpoint {
  std::string manifest_json;
  std::string batch;  // rocksdb::WriteBatch::Data()
};

// The file's path for the store in `store_dir`.
std::string PendingCheckpointPath(const std::string& store_dir);
Status SavePendingCheckpoint(const std::string& path, const PendingCheckpoint& pending);
// nullopt when there is no file; a damaged file is a STORAGE error naming it.
Result<std::optional<PendingCheckpoint>> LoadPendingCheckpoint(const std::string& path);
Status RemovePendingCheckpoint(const std::string& path);

}  // namespace sluice
