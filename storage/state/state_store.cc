#include "storage/state/state_store.h"

#include <rocksdb/db.h>
#include <rocksdb/table.h>
#include <rocksdb/utilities/write_batch_with_index.h>
#include <sys/stat.h>

#include <filesystem>
#include <system_error>

#include "storage/state/checkpoint_manifest_json.h"
#include "storage/state/pending_checkpoint.h"
#include "storage/state/state_table_options.h"
#include "storage/state/worker_open_options.h"

namespace sluice {
namespace {

// The manifest lives in the default column family; tables get their own families with a prefix,
// so no table name (not even "default") can collide with it.
constexpr std::string_view kManifestKey = "sluice.checkpoint.manifest";
constexpr std::string_view kTablePrefix = "table.";
// WriteBatch::GetDataSize() counts a fixed header even when empty.
constexpr size_t kWriteBatchHeaderBytes = 12;

Status FromRocks(const rocksdb::Status& status, std::string_view what) {
  return Status::Storage(std::string(what) + ": " + status.ToString());
}

rocksdb::Slice ToSlice(std::string_view bytes) { return {bytes.data(), bytes.size()}; }

}  // namespace

struct StateStore::Impl {
  std::string dir;
  StateStoreOptions options;
  rocksdb::ColumnFamilyOptions family_options;  // for tables created later
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

  ~Impl() {
    if (db == nullptr) return;
    for (rocksdb::ColumnFamilyHandle* handle : handles) {
      (void)db->DestroyColumnFamilyHandle(handle);
    }
    (void)db->Close();
  }
};

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
  rocksdb::Options db_options;
  db_options.create_if_missing = true;
  db_options.create_missing_column_families = true;
  // State is small per query; keep the background footprint small (2 cores are shared).
  db_options.max_background_jobs = 1;
  db_options.keep_log_file_num = 2;
  ApplyWorkerOpenOptions(dir, db_options);
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

  std::vector<std::string> names;
  rocksdb::Status listed = rocksdb::DB::ListColumnFamilies(db_options, dir, &names);
  if (!listed.ok() || names.empty()) names = {rocksdb::kDefaultColumnFamilyName};
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const std::string& name : names) {
    descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions(db_options));
  }

  auto impl = std::make_unique<Impl>();
  impl->dir = dir;
  impl->options = options;
  impl->family_options = rocksdb::ColumnFamilyOptions(db_options);
  rocksdb::DB* raw_db = nullptr;
  rocksdb::Status opened = rocksdb::DB::Open(db_options, dir, descriptors, &impl->handles, &raw_db);
  if (!opened.ok()) {
    return FromRocks(opened, "cannot open the state store in " + dir +
                                 " (is another worker of this query still running?)");
  }
  impl->db.reset(raw_db);

  std::unique_ptr<StateStore> store(new StateStore(std::move(impl)));
  Impl& self = *store->impl_;
  for (size_t family_idx = 0; family_idx < names.size(); ++family_idx) {
    const std::string& name = names[family_idx];
    if (name.rfind(kTablePrefix, 0) != 0) continue;
    self.tables.emplace(
        name.substr(kTablePrefix.size()),
        std::unique_ptr<StateTable>(new StateTable(store.get(), self.handles[family_idx])));
  }

  std::string manifest_json;
  rocksdb::Status read =
      self.db->Get(rocksdb::ReadOptions(), self.handles[0], ToSlice(kManifestKey), &manifest_json);
  if (read.ok()) {
    ASSIGN_OR_RETURN(CheckpointManifest manifest, CheckpointManifestFromJson(manifest_json));
    self.last_checkpoint = std::move(manifest);
  } else if (!read.IsNotFound()) {
    return FromRocks(read, "cannot read the checkpoint manifest in " + dir);
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

Result<StateTable*> StateStore::Table(std::string_view name) {
  auto found = impl_->tables.find(name);
  if (found != impl_->tables.end()) return found->second.get();
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

Status StateTable::CheckReadable() const {
  if (unindexed_write_commit_ != store_->commits()) return Status::OK();
  return Status::Internal(
      "operator state read before the commit of its unindexed writes "
      "(WriteWithoutReadsUntilCommit)");
}

void StateTable::WriteWithoutReadsUntilCommit() { unindexed_commit_ = store_->commits(); }

bool StateTable::WriteUnindexed() {
  if (unindexed_commit_ != store_->commits()) return false;
  unindexed_write_commit_ = unindexed_commit_;
  return true;
}

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

Result<bool> StateTable::Get(std::string_view key, std::string* value) {
  RETURN_NOT_OK(CheckReadable());
  StateStore::Impl& impl = *store_->impl_;
  rocksdb::Status status = impl.batch.GetFromBatchAndDB(
      impl.db.get(), rocksdb::ReadOptions(), static_cast<rocksdb::ColumnFamilyHandle*>(handle_),
      ToSlice(key), value);
  if (status.IsNotFound()) return false;
  if (!status.ok()) return FromRocks(status, "cannot read operator state");
  return true;
}

Status StateTable::Put(std::string_view key, std::string_view value) {
  auto* handle = static_cast<rocksdb::ColumnFamilyHandle*>(handle_);
  rocksdb::WriteBatchWithIndex& batch = store_->impl_->batch;
  rocksdb::Status status;
  if (WriteUnindexed()) {
    // Appended to the batch behind the index's back: the index only holds offsets of earlier
    // entries, which an append leaves valid, and Commit writes the whole batch in order.
    status = batch.GetWriteBatch()->Put(handle, ToSlice(key), ToSlice(value));
  } else {
    status = batch.Put(handle, ToSlice(key), ToSlice(value));
  }
  if (!status.ok()) return FromRocks(status, "cannot write operator state");
  return Status::OK();
}

Status StateTable::Delete(std::string_view key) {
  auto* handle = static_cast<rocksdb::ColumnFamilyHandle*>(handle_);
  rocksdb::WriteBatchWithIndex& batch = store_->impl_->batch;
  rocksdb::Status status;
  if (WriteUnindexed()) {
    status = batch.GetWriteBatch()->Delete(handle, ToSlice(key));
  } else {
    status = batch.Delete(handle, ToSlice(key));
  }
  if (!status.ok()) return FromRocks(status, "cannot delete operator state");
  return Status::OK();
}

Status StateTable::DeleteRange(std::string_view begin, std::string_view end) {
  if (WriteUnindexed()) {
    rocksdb::Status status = store_->impl_->batch.GetWriteBatch()->DeleteRange(
        static_cast<rocksdb::ColumnFamilyHandle*>(handle_), ToSlice(begin), ToSlice(end));
    if (!status.ok()) return FromRocks(status, "cannot delete operator state");
    return Status::OK();
  }
  // WriteBatchWithIndex cannot index range tombstones, so the range becomes point deletes of the
  // keys that exist; window purges delete what they scanned anyway.
  std::vector<std::string> keys;
  RETURN_NOT_OK(Scan(begin, end, [&](std::string_view key, std::string_view) {
    keys.emplace_back(key);
    return true;
  }));
  for (const std::string& key : keys) RETURN_NOT_OK(Delete(key));
  return Status::OK();
}

Status StateTable::Scan(
    std::string_view begin, std::string_view end,
    const std::function<bool(std::string_view key, std::string_view value)>& visit) {
  RETURN_NOT_OK(CheckReadable());
  StateStore::Impl& impl = *store_->impl_;
  auto* handle = static_cast<rocksdb::ColumnFamilyHandle*>(handle_);
  rocksdb::ReadOptions read_options;
  std::unique_ptr<rocksdb::Iterator> iterator(
      impl.batch.NewIteratorWithBase(handle, impl.db->NewIterator(read_options, handle)));
  for (iterator->Seek(ToSlice(begin)); iterator->Valid(); iterator->Next()) {
    rocksdb::Slice key = iterator->key();
    std::string_view key_view(key.data(), key.size());
    if (!end.empty() && key_view >= end) break;
    rocksdb::Slice value = iterator->value();
    if (!visit(key_view, std::string_view(value.data(), value.size()))) break;
  }
  if (!iterator->status().ok()) return FromRocks(iterator->status(), "cannot scan operator state");
  return Status::OK();
}

}  // namespace sluice
