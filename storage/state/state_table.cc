// StateTable: one operator's key space in its store's RocksDB instance (state_store.h).
#include <rocksdb/db.h>
#include <rocksdb/utilities/write_batch_with_index.h>

#include <string>
#include <vector>

#include "storage/state/state_store.h"
#include "storage/state/state_store_impl.h"

namespace sluice {

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

Status StateTable::CreateStore() {
  if (handle_ != nullptr) return Status::OK();
  return store_->OpenDatabase();
}

Result<bool> StateTable::Get(std::string_view key, std::string* value) {
  RETURN_NOT_OK(CheckReadable());
  // A store not created yet holds nothing, not even uncommitted writes (they create it).
  if (handle_ == nullptr) return false;
  StateStore::Impl& impl = *store_->impl_;
  rocksdb::Status status = impl.batch.GetFromBatchAndDB(
      impl.db.get(), rocksdb::ReadOptions(), static_cast<rocksdb::ColumnFamilyHandle*>(handle_),
      ToSlice(key), value);
  if (status.IsNotFound()) return false;
  if (!status.ok()) return FromRocks(status, "cannot read operator state");
  return true;
}

Status StateTable::Put(std::string_view key, std::string_view value) {
  RETURN_NOT_OK(CreateStore());
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
  RETURN_NOT_OK(CreateStore());
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
  if (handle_ == nullptr) return Status::OK();  // nothing to delete in a store not created yet
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
  if (handle_ == nullptr) return Status::OK();  // see Get
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
