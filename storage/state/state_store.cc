#include "storage/state/state_store.h"

#include <fcntl.h>
#include <rocksdb/db.h>
#include <rocksdb/table.h>
#include <rocksdb/utilities/write_batch_with_index.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "storage/state/checkpoint_manifest_json.h"
#include "storage/state/pending_checkpoint.h"
#include "storage/state/state_store_impl.h"
#include "storage/state/state_table_options.h"
#include "storage/state/store_file_system.h"
#include "storage/state/worker_open_options.h"

namespace sluice {
namespace {

// The manifest lives in the default column family; tables get their own families with a prefix,
// so no table name (not even "default") can collide with it.
constexpr std::string_view kManifestKey = "sluice.checkpoint.manifest";
constexpr std::string_view kTablePrefix = "table.";
// WriteBatch::GetDataSize() counts a fixed header even when empty.
constexpr size_t kWriteBatchHeaderBytes = 12;

bool HasCurrentFile(const std::string& dir) {
  const std::string current = dir + "/CURRENT";
  return ::access(current.c_str(), F_OK) == 0;
}

rocksdb::Options DatabaseOptions(const std::string& dir, const StateStoreOptions& options,
                                 rocksdb::Env* env) {
  rocksdb::Options db_options;
  db_options.create_if_missing = true;
  db_options.create_missing_column_families = true;
  // State is small per query; keep the background footprint small (2 cores are shared).
  db_options.max_background_jobs = 1;
  db_options.keep_log_file_num = 2;
  ApplyWorkerOpenOptions(dir, db_options);
  // OPTIONS and IDENTITY files in memory (store_file_system.h); the store's id is kept in its
  // MANIFEST instead, so it stays the same across opens.
  db_options.env = env;
  db_options.write_dbid_to_manifest = true;
  // Bounded disk and memory: memtables flush at write_buffer_bytes, and the WAL (which the
  // rarely written default family would otherwise pin) is capped by forcing flushes, so closed
  // windows' deletes reach SST files, where compaction drops them with the data they delete.
  db_options.write_buffer_size = options.write_buffer_bytes;
  db_options.max_total_wal_size = 4 * options.write_buffer_bytes;
  db_options.level0_file_num_compaction_trigger = 4;
  db_options.max_bytes_for_level_base = 4 * options.write_buffer_bytes;
  db_options.target_file_size_base = options.write_buffer_bytes;
  // State is mostly short-lived (windows and intervals close, chunks are rewritten): compressing
  // every flush and compaction cost a join a fifth of its CPU. Only the deepest levels, where
  // long-lived state settles, are compressed.
  db_options.compression_per_level = {rocksdb::kNoCompression, rocksdb::kNoCompression,
                                      rocksdb::kNoCompression, rocksdb::kSnappyCompression};
  db_options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(StateTableOptions()));
  return db_options;
}

}  // namespace

StateStore::StateStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
StateStore::~StateStore() = default;

Result<std::unique_ptr<StateStore>> StateStore::Open(const std::string& dir,
                                                     const StateStoreOptions& options) {
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error) {
    return Status::Storage("cannot create state directory " + dir + ": " + error.message() +
                           " (check the data directory's permissions and free space)");
  }
  auto impl = std::make_unique<Impl>();
  impl->dir = dir;
  impl->options = options;
  impl->env = std::make_unique<StoreEnv>();
  // Two workers of one query must never both write the store, even before the first of them
  // has created it on disk.
  RETURN_NOT_OK(impl->env->LockDirectory(dir));
  impl->db_options = DatabaseOptions(dir, options, impl->env->env());
  impl->family_options = rocksdb::ColumnFamilyOptions(impl->db_options);
  std::unique_ptr<StateStore> store(new StateStore(std::move(impl)));
  Impl& self = *store->impl_;

  // Without a CURRENT file there is no RocksDB instance, so no checkpoint: the store is created
  // by its first write or commit (OpenDatabase). A crash before that leaves nothing to recover.
  if (HasCurrentFile(dir)) {
    RETURN_NOT_OK(store->OpenDatabase());
    std::string manifest_json;
    rocksdb::Status read = self.db->Get(rocksdb::ReadOptions(), self.handles[0],
                                        ToSlice(kManifestKey), &manifest_json);
    if (read.ok()) {
      ASSIGN_OR_RETURN(CheckpointManifest manifest, CheckpointManifestFromJson(manifest_json));
      self.last_checkpoint = std::move(manifest);
    } else if (!read.IsNotFound()) {
      return FromRocks(read, "cannot read the checkpoint manifest in " + dir);
    }
  }
  ASSIGN_OR_RETURN(std::optional<PendingCheckpoint> pending,
                   LoadPendingCheckpoint(PendingCheckpointPath(dir)));
  if (pending) {
    ASSIGN_OR_RETURN(CheckpointManifest manifest,
                     CheckpointManifestFromJson(pending->manifest_json));
    self.pending_checkpoint = std::move(manifest);
    self.pending_batch = std::move(pending->batch);
  }
  return store;
}

Status StateStore::OpenDatabase() {
  Impl& self = *impl_;
  std::vector<std::string> names;
  rocksdb::Status listed = rocksdb::DB::ListColumnFamilies(self.db_options, self.dir, &names);
  if (!listed.ok() || names.empty()) names = {rocksdb::kDefaultColumnFamilyName};
  // Tables asked for before the open that the store does not have yet: created together after
  // it. RocksDB 7.8 creates each family the open itself creates (create_missing_column_families)
  // with a CreateColumnFamily of its own, which serializes, writes and parses back every family's
  // options each time; CreateColumnFamilies does that once for all of them.
  std::vector<std::string> missing;
  for (const auto& [name, table] : self.tables) {
    std::string family = std::string(kTablePrefix) + name;
    if (std::find(names.begin(), names.end(), family) == names.end()) missing.push_back(family);
  }
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const std::string& name : names) descriptors.emplace_back(name, self.family_options);

  rocksdb::DB* raw_db = nullptr;
  const bool creating = !HasCurrentFile(self.dir);
  if (creating) self.env->BeginCreate(self.dir);
  rocksdb::Status opened =
      rocksdb::DB::Open(self.db_options, self.dir, descriptors, &self.handles, &raw_db);
  self.db.reset(raw_db);
  Status created = creating ? self.env->EndCreate(self.dir) : Status::OK();
  if (!opened.ok()) {
    return FromRocks(opened, "cannot open the state store in " + self.dir +
                                 " (is another worker of this query still running?)");
  }
  if (!created.ok()) {
    self.CloseDatabase();
    return created;
  }
  if (!missing.empty()) {
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::Status made = self.db->CreateColumnFamilies(self.family_options, missing, &handles);
    self.handles.insert(self.handles.end(), handles.begin(), handles.end());
    if (!made.ok()) {
      self.CloseDatabase();
      return FromRocks(made, "cannot create the state tables in " + self.dir);
    }
    names.insert(names.end(), missing.begin(), missing.end());
  }
  for (size_t family_idx = 0; family_idx < names.size(); ++family_idx) {
    const std::string& name = names[family_idx];
    if (name.rfind(kTablePrefix, 0) != 0) continue;
    std::unique_ptr<StateTable>& table = self.tables[name.substr(kTablePrefix.size())];
    if (table == nullptr) table.reset(new StateTable(this, nullptr));
    table->handle_ = self.handles[family_idx];
  }
  return Status::OK();
}

Result<StateTable*> StateStore::Table(std::string_view name) {
  auto found = impl_->tables.find(name);
  if (found != impl_->tables.end()) return found->second.get();
  if (impl_->db == nullptr) {
    // Created with the store (OpenDatabase).
    auto table = std::unique_ptr<StateTable>(new StateTable(this, nullptr));
    StateTable* result = table.get();
    impl_->tables.emplace(std::string(name), std::move(table));
    return result;
  }
  rocksdb::ColumnFamilyHandle* handle = nullptr;
  // Creating the family is durable at once; an empty family left by a crash is harmless.
  rocksdb::Status created = impl_->db->CreateColumnFamily(
      impl_->family_options, std::string(kTablePrefix) + std::string(name), &handle);
  if (!created.ok()) {
    return FromRocks(created, "cannot create state table \"" + std::string(name) + "\"");
  }
  impl_->handles.push_back(handle);
  auto table = std::unique_ptr<StateTable>(new StateTable(this, handle));
  StateTable* result = table.get();
  impl_->tables.emplace(std::string(name), std::move(table));
  return result;
}

const std::optional<CheckpointManifest>& StateStore::last_checkpoint() const {
  return impl_->last_checkpoint;
}

Status StateStore::Commit(const CheckpointManifest& manifest) {
  if (impl_->db == nullptr) RETURN_NOT_OK(OpenDatabase());
  const std::string json = CheckpointManifestToJson(manifest);
  rocksdb::Status put = impl_->batch.Put(impl_->handles[0], ToSlice(kManifestKey), ToSlice(json));
  if (!put.ok()) return FromRocks(put, "cannot stage the checkpoint manifest");
  rocksdb::WriteOptions write_options;
  write_options.sync = true;
  rocksdb::Status written = impl_->db->Write(write_options, impl_->batch.GetWriteBatch());
  if (!written.ok()) {
    // The batch stays as it was (manifest included); a retry of Commit overwrites the manifest.
    return FromRocks(written, "cannot commit checkpoint " + std::to_string(manifest.checkpoint_id) +
                                  " to " + impl_->dir + " (check free disk space)");
  }
  impl_->batch.Clear();
  impl_->last_checkpoint = manifest;
  ++impl_->commits;
  if (!impl_->prepared) return Status::OK();
  impl_->prepared = false;
  return RemovePendingCheckpoint(PendingCheckpointPath(impl_->dir));
}

Status StateStore::Prepare(const CheckpointManifest& manifest) {
  if (impl_->db == nullptr) RETURN_NOT_OK(OpenDatabase());
  const std::string json = CheckpointManifestToJson(manifest);
  rocksdb::Status put = impl_->batch.Put(impl_->handles[0], ToSlice(kManifestKey), ToSlice(json));
  if (!put.ok()) return FromRocks(put, "cannot stage the checkpoint manifest");
  RETURN_NOT_OK(SavePendingCheckpoint(PendingCheckpointPath(impl_->dir),
                                      PendingCheckpoint{json, impl_->batch.GetWriteBatch()->Data()})
                    .WithContext("checkpoint " + std::to_string(manifest.checkpoint_id)));
  impl_->prepared = true;
  return Status::OK();
}

const std::optional<CheckpointManifest>& StateStore::pending_checkpoint() const {
  return impl_->pending_checkpoint;
}

Status StateStore::ResolvePending(bool commit) {
  if (!impl_->pending_checkpoint) return Status::OK();
  if (commit) {
    if (impl_->db == nullptr) RETURN_NOT_OK(OpenDatabase());
    rocksdb::WriteBatch batch(impl_->pending_batch);
    rocksdb::WriteOptions write_options;
    write_options.sync = true;
    rocksdb::Status written = impl_->db->Write(write_options, &batch);
    if (!written.ok()) {
      return FromRocks(written, "cannot apply the pending checkpoint " +
                                    std::to_string(impl_->pending_checkpoint->checkpoint_id) +
                                    " to " + impl_->dir);
    }
    impl_->last_checkpoint = std::move(impl_->pending_checkpoint);
  }
  impl_->pending_checkpoint.reset();
  impl_->pending_batch.clear();
  return RemovePendingCheckpoint(PendingCheckpointPath(impl_->dir));
}

size_t StateStore::uncommitted_bytes() const {
  size_t size = impl_->batch.GetWriteBatch()->GetDataSize();
  return size > kWriteBatchHeaderBytes ? size - kWriteBatchHeaderBytes : 0;
}

const std::string& StateStore::dir() const { return impl_->dir; }

uint64_t StateStore::commits() const { return impl_->commits; }

int64_t StateStore::ApproximateSizeBytes() const {
  int64_t total = 0;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(impl_->dir, error)) {
    const std::string extension = entry.path().extension().string();
    if (extension == ".rows") {
      // An operator's own file of rows (a join's spill file, which its checkpoints reference):
      // sparse, so what it takes is its allocated blocks.
      struct stat info {};
      if (::stat(entry.path().c_str(), &info) == 0)
        total += static_cast<int64_t>(info.st_blocks) * 512;
      continue;
    }
    if (extension != ".sst" && extension != ".log") continue;
    std::error_code size_error;
    uintmax_t size = entry.file_size(size_error);
    if (!size_error) total += static_cast<int64_t>(size);
  }
  return total;
}

}  // namespace sluice
