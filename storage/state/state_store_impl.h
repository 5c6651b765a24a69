#pragma once
// StateStore's private state, shared by state_store.cc (the store) and state_table.cc (its
// tables). Nothing outside storage/state includes this: it pulls in the RocksDB headers.

#include <rocksdb/db.h>
#include <rocksdb/env.h>
#include <rocksdb/utilities/write_batch_with_index.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "storage/state/state_store.h"
#include "storage/state/store_file_system.h"

namespace sluice {

inline rocksdb::Slice ToSlice(std::string_view bytes) { return {bytes.data(), bytes.size()}; }

inline Status FromRocks(const rocksdb::Status& status, std::string_view what) {
  return Status::Storage(std::string(what) + ": " + status.ToString());
}

struct StateStore::Impl {
  std::string dir;
  StateStoreOptions options;
  // The store's file system (store_file_system.h), which holds the store directory's lock;
  // outlives the DB.
  std::unique_ptr<StoreEnv> env;
  rocksdb::Options db_options;                  // for the open, deferred or not
  rocksdb::ColumnFamilyOptions family_options;  // for tables created later
  // Null until the RocksDB instance is open: a store not on disk yet (no CURRENT file) is created
  // by its first write or commit, with the tables asked for until then
  // (StateStore::OpenDatabase).
  std::unique_ptr<rocksdb::DB> db;
  // Owned handles, default family first; released before the DB closes.
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  std::map<std::string, std::unique_ptr<StateTable>, std::less<>> tables;
  // overwrite_key = true: the batch keeps only the newest update per key, which is what
  // GetFromBatchAndDB and the base-delta iterator need to see one value per key.
  rocksdb::WriteBatchWithIndex batch{rocksdb::BytewiseComparator(), 0, true};
  std::optional<CheckpointManifest> last_checkpoint;
  // A checkpoint prepared before a crash (its batch), until ResolvePending.
  std::optional<CheckpointManifest> pending_checkpoint;
  std::string pending_batch;
  bool prepared = false;  // Prepare saved the current batch: Commit removes the file
  uint64_t commits = 0;   // successful Commit calls since Open

  ~Impl() { CloseDatabase(); }
  void CloseDatabase() {
    if (db == nullptr) return;
    for (rocksdb::ColumnFamilyHandle* handle : handles) {
      (void)db->DestroyColumnFamilyHandle(handle);
    }
    handles.clear();
    (void)db->Close();
    db.reset();
  }
};

}  // namespace sluice
