#pragma once
// The files the state store's file system keeps in memory (store_file_system.h), as RocksDB's
// file objects: one writer appends, readers see what it wrote.

#include <rocksdb/file_system.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <string>

namespace sluice {

// A file's bytes, shared by the file system's map and the file objects open on it.
using MemoryFileContents = std::shared_ptr<std::string>;

// Single writer; nobody reads the file before the writer closed it (RocksDB's order).
class MemoryWritableFile final : public rocksdb::FSWritableFile {
 public:
  explicit MemoryWritableFile(MemoryFileContents contents) : contents_(std::move(contents)) {}
  using rocksdb::FSWritableFile::Append;
  rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions&,
                           rocksdb::IODebugContext*) override {
    contents_->append(data.data(), data.size());
    return rocksdb::IOStatus::OK();
  }
  rocksdb::IOStatus Close(const rocksdb::IOOptions&, rocksdb::IODebugContext*) override {
    return rocksdb::IOStatus::OK();
  }
  rocksdb::IOStatus Flush(const rocksdb::IOOptions&, rocksdb::IODebugContext*) override {
    return rocksdb::IOStatus::OK();
  }
  rocksdb::IOStatus Sync(const rocksdb::IOOptions&, rocksdb::IODebugContext*) override {
    return rocksdb::IOStatus::OK();
  }
  uint64_t GetFileSize(const rocksdb::IOOptions&, rocksdb::IODebugContext*) override {
    return contents_->size();
  }

 private:
  MemoryFileContents contents_;
};

class MemorySequentialFile final : public rocksdb::FSSequentialFile {
 public:
  explicit MemorySequentialFile(MemoryFileContents contents) : contents_(std::move(contents)) {}
  rocksdb::IOStatus Read(size_t n, const rocksdb::IOOptions&, rocksdb::Slice* result, char* scratch,
                         rocksdb::IODebugContext*) override {
    const size_t count = std::min(n, contents_->size() - offset_);
    std::memcpy(scratch, contents_->data() + offset_, count);
    offset_ += count;
    *result = rocksdb::Slice(scratch, count);
    return rocksdb::IOStatus::OK();
  }
  rocksdb::IOStatus Skip(uint64_t n) override {
    offset_ += std::min<uint64_t>(n, contents_->size() - offset_);
    return rocksdb::IOStatus::OK();
  }

 private:
  MemoryFileContents contents_;
  size_t offset_ = 0;
};

// RocksDB opens CURRENT or the MANIFEST for random reads once, to check the file options.
class MemoryRandomAccessFile final : public rocksdb::FSRandomAccessFile {
 public:
  explicit MemoryRandomAccessFile(MemoryFileContents contents) : contents_(std::move(contents)) {}
  rocksdb::IOStatus Read(uint64_t offset, size_t n, const rocksdb::IOOptions&,
                         rocksdb::Slice* result, char* scratch,
                         rocksdb::IODebugContext*) const override {
    const size_t begin = std::min<uint64_t>(offset, contents_->size());
    const size_t count = std::min(n, contents_->size() - begin);
    std::memcpy(scratch, contents_->data() + begin, count);
    *result = rocksdb::Slice(scratch, count);
    return rocksdb::IOStatus::OK();
  }

 private:
  MemoryFileContents contents_;
};

}  // namespace sluice
