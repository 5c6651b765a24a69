#pragma once
// The file system a worker's RocksDB store runs on: the local one, except for files nothing ever
// reads back from disk, which it keeps in memory. On the benchmark VM each file creation costs
// about half a millisecond of kernel CPU (ext4 without a journal scans past recently deleted
// inodes) and each fsync a few tenths; a fresh store's open created 9 files with 15 syncs.
//
// - OPTIONS files: RocksDB writes one at every open and every new column family (a temporary
//   file, ~10 KB, fsync, read back and parsed, renamed, directory fsync). The engine never reads
//   them: it opens stores with options from code.
// - IDENTITY: written when a store is created. The store's id is kept in its MANIFEST instead
//   (the state store sets write_dbid_to_manifest).
// - LOCK: the store directory's flock (LockDirectory) stands for RocksDB's lock on this file.
// - While a store is created (BeginCreate .. EndCreate): the first MANIFEST-000001 and the CURRENT
//   naming it. The same DB::Open then writes a new MANIFEST from scratch (the whole state, not a
//   delta), syncs it, points CURRENT at it through a synced temporary file, a rename and a
//   directory fsync, all on disk, and deletes MANIFEST-000001. Until that CURRENT is on disk the
//   store does not exist and nothing was committed to it; a crash leaves a directory without
//   CURRENT, which the next open creates again.
//
// A directory fsync is skipped when no entry of that directory changed on disk through this file
// system since its last one (RocksDB syncs the directory after every rename, renames into
// in-memory files included, and after a new WAL's first sync, whose entry the CURRENT rename's
// fsync has often covered already).
//
// Everything recovery reads (CURRENT, MANIFEST, WAL, SST files) ends up on disk with the same
// file syncs as before. Reads of a name not in memory go to the disk, so a store written before
// keeps its IDENTITY. A file buffered in memory that is renamed to a name outside the list above is
// written, synced and renamed on disk then, as RocksDB asked.

#include <rocksdb/env.h>
#include <rocksdb/file_system.h>

#include <memory>
#include <string>

#include "common/status.h"

namespace sluice {

class StoreFileSystem;

// One store's file system (it holds that store's in-memory files) and the Env over it, which
// shares the default Env's background threads and starts them with the first job
// (lazy_threads_env.h). Must outlive the store's DB.
class StoreEnv {
 public:
  // `base`: the file system underneath (tests pass one that counts calls).
  explicit StoreEnv(std::shared_ptr<rocksdb::FileSystem> base = rocksdb::FileSystem::Default());
  ~StoreEnv();
  StoreEnv(const StoreEnv&) = delete;
  StoreEnv& operator=(const StoreEnv&) = delete;

  rocksdb::Env* env() const { return env_.get(); }

  // flock()s the store directory `dir` until this StoreEnv is destroyed (after the DB), so that
  // a second process cannot open the store even before the first has created it on disk; a
  // STORAGE error if another holds it. RocksDB's LOCK file in `dir` is then not created or
  // locked: the directory's lock stands for it.
  [[nodiscard]] Status LockDirectory(const std::string& dir);

  // Bracket the DB::Open that creates the store in `dir` (it has no CURRENT file), whether the
  // open succeeds or not. EndCreate fails with an INTERNAL error when the open left the store's
  // CURRENT in memory (a RocksDB whose open does not replace it): the DB must not be used.
  void BeginCreate(const std::string& dir);
  [[nodiscard]] Status EndCreate(const std::string& dir);

 private:
  std::shared_ptr<StoreFileSystem> fs_;
  std::unique_ptr<rocksdb::Env> env_;
};

}  // namespace sluice
