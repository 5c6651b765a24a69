#pragma once
// StateStore: one persistent query's operator state, a RocksDB instance of its own in
// <state_dir>/rocksdb. Each stateful operator owns a StateTable (a column family). Writes made
// between checkpoints stay in an indexed in-memory batch that reads see; Commit() writes them
// together with the checkpoint manifest in one synced RocksDB write, so what is on disk is always
// exactly one checkpoint: a worker killed at any moment restarts from a consistent state.
//
// RocksDB headers stay in state_store.cc (pimpl): operators include this file on hot paths.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace sluice {

// What a checkpoint captures besides operator state. Stored inside the state store by Commit()
// (atomically with the state) and written out as <state_dir>/checkpoint.json for people; the
// format is documented in docs/checkpoints.md.
struct CheckpointManifest {
  int64_t checkpoint_id = 0;  // 1, 2, ... per query
  int64_t created_at_ms = 0;  // wall clock
  // Source topic -> next offset to read per partition.
  std::map<std::string, std::vector<int64_t>> source_positions;
  // Sink topic -> end offset per partition once this checkpoint's outputs are written.
  std::map<std::string, std::vector<int64_t>> sink_positions;
  // Operator or pipeline metadata by name (e.g. per-partition watermarks), as JSON text.
  std::map<std::string, std::string> metadata;
};

struct StateStoreOptions {
  // RocksDB memtable size per table; the WAL is capped at four times this.
  size_t write_buffer_bytes = 16u << 20;
};

class StateStore;

// One operator's key space. Keys and values are bytes; keys sort bytewise, so big-endian
// encodings (window start, then group key) make range scans and purges cheap.
// REQUIRES: used from the pipeline thread only.
class StateTable {
 public:
  // Sets *value and returns true when `key` exists (uncommitted writes included).
  [[nodiscard]] Result<bool> Get(std::string_view key, std::string* value);
  [[nodiscard]] Status Put(std::string_view key, std::string_view value);
  [[nodiscard]] Status Delete(std::string_view key);
  // Deletes every key in [begin, end).
  [[nodiscard]] Status DeleteRange(std::string_view begin, std::string_view end);
  // Visits the keys in [begin, end) in byte order, uncommitted writes included; an empty `end`
  // means to the end of the table. Stops early when `visit` returns false.
  [[nodiscard]] Status Scan(
      std::string_view begin, std::string_view end,
      const std::function<bool(std::string_view key, std::string_view value)>& visit);

  // For an operator's checkpoint writes, which it does not read back (its memory holds the
  // state they save): until the next Commit, this table's writes go to the commit's batch
  // without being indexed for reads (indexing every Put cost a window aggregate a third of its
  // CPU), and DeleteRange writes one range tombstone instead of a point delete per key. Get and
  // Scan fail with an INTERNAL error while such writes are uncommitted, since they could not see
  // them. After the Commit, writes are indexed again.
  void WriteWithoutReadsUntilCommit();

 private:
  friend class StateStore;
  StateTable(StateStore* store, void* handle) : store_(store), handle_(handle) {}
  // INTERNAL error when reads could miss this table's unindexed, uncommitted writes.
  Status CheckReadable() const;
  // Whether writes now skip the index (WriteWithoutReadsUntilCommit); notes that one did.
  bool WriteUnindexed();
  // Creates the store on disk if this is its first write (see StateStore::Open).
  Status CreateStore();
  StateStore* store_;
  void* handle_;  // rocksdb::ColumnFamilyHandle*; null until the store exists on disk
  // The store's commit count when WriteWithoutReadsUntilCommit was called, and when the table
  // last wrote unindexed (in effect, and pending, while it equals the store's).
  uint64_t unindexed_commit_ = UINT64_MAX;
  uint64_t unindexed_write_commit_ = UINT64_MAX;
};

class StateStore {
 public:
  // Opens (or creates) the store in `dir`. Whatever was written but not committed before a crash
  // is gone: the store is exactly its last checkpoint. Fails if another process has it open. A
  // store not on disk yet (no RocksDB instance in `dir`) is created by its first write or commit,
  // with every table asked for until then created in one go (one by one, each cost an OPTIONS
  // file); until then its reads find nothing.
  [[nodiscard]] static Result<std::unique_ptr<StateStore>> Open(const std::string& dir,
                                                                const StateStoreOptions& options);
  ~StateStore();
  StateStore(const StateStore&) = delete;
  StateStore& operator=(const StateStore&) = delete;

  // The table named `name` (created on first use; names are stable across restarts).
  [[nodiscard]] Result<StateTable*> Table(std::string_view name);
  // The manifest of the last committed checkpoint; nullopt for a fresh store.
  const std::optional<CheckpointManifest>& last_checkpoint() const;
  // Atomically and durably writes every uncommitted change together with `manifest` (and drops
  // the pending checkpoint a Prepare of it left).
  [[nodiscard]] Status Commit(const CheckpointManifest& manifest);
  // Two-phase commit, for a checkpoint that must commit atomically with something outside the
  // store (a Kafka transaction): durably saves every uncommitted change with `manifest` apart
  // from the state (pending_checkpoint.h), without applying it. Commit(manifest) then applies it;
  // a crash in between leaves it pending for the next Open.
  [[nodiscard]] Status Prepare(const CheckpointManifest& manifest);
  // The manifest of a checkpoint prepared before a crash and not committed: until
  // ResolvePending, the store is its last committed checkpoint and must not be read.
  const std::optional<CheckpointManifest>& pending_checkpoint() const;
  // Applies the pending checkpoint (`commit`: it becomes the last checkpoint) or drops it.
  [[nodiscard]] Status ResolvePending(bool commit);
  // Bytes written since the last Commit, held in memory until then (the pipeline checkpoints
  // early past its budget, CheckpointOptions::max_uncommitted_bytes).
  size_t uncommitted_bytes() const;
  // Approximate size of the committed state on disk (SST + WAL files, and operators' own
  // `.rows` files in dir(): a spilling join's rows).
  int64_t ApproximateSizeBytes() const;
  // The directory the store lives in (operators may keep spill files there).
  const std::string& dir() const;

 private:
  struct Impl;
  friend class StateTable;
  explicit StateStore(std::unique_ptr<Impl> impl);
  uint64_t commits() const;
  // Opens the RocksDB instance (creating it if missing) with the tables asked for so far.
  // REQUIRES: not open yet.
  Status OpenDatabase();
  std::unique_ptr<Impl> impl_;
};

}  // namespace sluice
