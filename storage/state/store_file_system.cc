#include "storage/state/store_file_system.h"

#include <fcntl.h>
#include <rocksdb/file_system.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include "storage/state/lazy_threads_env.h"
#include "storage/state/memory_file.h"

namespace sluice {
namespace {

std::string_view BaseName(std::string_view path) {
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

std::string_view DirName(std::string_view path) {
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? std::string_view() : path.substr(0, slash);
}

bool IsOptionsFile(std::string_view path) { return BaseName(path).starts_with("OPTIONS-"); }

// What RocksDB 7.8 names the files store_file_system.h lists: the temporary files are renamed
// into place (IDENTITY is written as 000000.dbtmp, OPTIONS as OPTIONS-<n>.dbtmp, the first
// CURRENT as 000001.dbtmp, the temporary file of the MANIFEST number it names).
constexpr std::string_view kIdentityTemp = "000000.dbtmp";
constexpr std::string_view kFirstManifest = "MANIFEST-000001";
constexpr std::string_view kFirstCurrentTemp = "000001.dbtmp";

using Contents = MemoryFileContents;

// What LockFile hands RocksDB for the store's LOCK file: the directory's flock stands for it.
class DirectoryLock final : public rocksdb::FileLock {};

// Skips a directory fsync when nothing changed the directory's entries on disk (through the
// store's file system) since its last one: RocksDB syncs the directory after every rename,
// renames into in-memory files included, which change no entry.
class StoreDirectory final : public rocksdb::FSDirectoryWrapper {
 public:
  StoreDirectory(std::unique_ptr<rocksdb::FSDirectory> target, std::string name,
                 StoreFileSystem* fs)
      : rocksdb::FSDirectoryWrapper(std::move(target)), name_(std::move(name)), fs_(fs) {}
  rocksdb::IOStatus Fsync(const rocksdb::IOOptions& options, rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus FsyncWithDirOptions(const rocksdb::IOOptions& options,
                                        rocksdb::IODebugContext* dbg,
                                        const rocksdb::DirFsyncOptions& fsync_options) override;

 private:
  const std::string name_;
  StoreFileSystem* fs_;
};

}  // namespace

class StoreFileSystem final : public rocksdb::FileSystemWrapper {
 public:
  explicit StoreFileSystem(std::shared_ptr<rocksdb::FileSystem> base)
      : rocksdb::FileSystemWrapper(std::move(base)) {}
  const char* Name() const override { return "SluiceStoreFileSystem"; }

  void BeginCreate(const std::string& dir) {
    std::lock_guard<std::mutex> lock(mutex_);
    creating_dir_ = dir;
  }

  Status LockDirectory(const std::string& dir) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (locked_fd_ >= 0) return Status::Internal("the store directory is locked already");
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return Status::FromErrno("cannot open state directory " + dir, errno);
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      ::close(fd);
      return Status::Storage("cannot open the state store in " + dir +
                             ": it is in use (is another worker of this query still running?)");
    }
    locked_fd_ = fd;
    locked_dir_ = dir;
    return Status::OK();
  }

  ~StoreFileSystem() override {
    if (locked_fd_ >= 0) ::close(locked_fd_);
  }

  rocksdb::IOStatus LockFile(const std::string& path, const rocksdb::IOOptions& options,
                             rocksdb::FileLock** lock, rocksdb::IODebugContext* dbg) override {
    {
      std::lock_guard<std::mutex> guard(mutex_);
      if (locked_fd_ >= 0 && BaseName(path) == "LOCK" && DirName(path) == locked_dir_) {
        *lock = new DirectoryLock();
        return rocksdb::IOStatus::OK();
      }
    }
    return target()->LockFile(path, options, lock, dbg);
  }

  rocksdb::IOStatus UnlockFile(rocksdb::FileLock* lock, const rocksdb::IOOptions& options,
                               rocksdb::IODebugContext* dbg) override {
    if (dynamic_cast<DirectoryLock*>(lock) != nullptr) {
      delete lock;
      return rocksdb::IOStatus::OK();
    }
    return target()->UnlockFile(lock, options, dbg);
  }

  Status EndCreate(const std::string& dir) {
    std::lock_guard<std::mutex> lock(mutex_);
    creating_dir_.clear();
    const std::string current = dir + "/CURRENT";
    const bool current_in_memory = files_.contains(current);
    for (std::string_view name : {std::string_view("CURRENT"), kFirstManifest, kFirstCurrentTemp}) {
      files_.erase(dir + "/" + std::string(name));
    }
    if (!current_in_memory) return Status::OK();
    return Status::Internal("the state store's open in " + dir +
                            " did not write its CURRENT file to disk (an unexpected RocksDB "
                            "version?): the store cannot be used");
  }

  rocksdb::IOStatus NewWritableFile(const std::string& path, const rocksdb::FileOptions& options,
                                    std::unique_ptr<rocksdb::FSWritableFile>* result,
                                    rocksdb::IODebugContext* dbg) override {
    auto contents = std::make_shared<std::string>();
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (!IsMemoryName(path)) {
        contents.reset();
      } else {
        files_[path] = contents;
      }
    }
    if (contents == nullptr) {
      NoteEntryChange(path);
      return target()->NewWritableFile(path, options, result, dbg);
    }
    *result = std::make_unique<MemoryWritableFile>(std::move(contents));
    return rocksdb::IOStatus::OK();
  }

  // Other calls that may create or change an entry.
  rocksdb::IOStatus ReopenWritableFile(const std::string& path, const rocksdb::FileOptions& options,
                                       std::unique_ptr<rocksdb::FSWritableFile>* result,
                                       rocksdb::IODebugContext* dbg) override {
    NoteEntryChange(path);
    return target()->ReopenWritableFile(path, options, result, dbg);
  }
  rocksdb::IOStatus ReuseWritableFile(const std::string& path, const std::string& old_path,
                                      const rocksdb::FileOptions& options,
                                      std::unique_ptr<rocksdb::FSWritableFile>* result,
                                      rocksdb::IODebugContext* dbg) override {
    NoteEntryChange(path);
    NoteEntryChange(old_path);
    return target()->ReuseWritableFile(path, old_path, options, result, dbg);
  }
  rocksdb::IOStatus NewRandomRWFile(const std::string& path, const rocksdb::FileOptions& options,
                                    std::unique_ptr<rocksdb::FSRandomRWFile>* result,
                                    rocksdb::IODebugContext* dbg) override {
    NoteEntryChange(path);
    return target()->NewRandomRWFile(path, options, result, dbg);
  }
  rocksdb::IOStatus LinkFile(const std::string& from, const std::string& to,
                             const rocksdb::IOOptions& options,
                             rocksdb::IODebugContext* dbg) override {
    NoteEntryChange(to);
    return target()->LinkFile(from, to, options, dbg);
  }

  rocksdb::IOStatus NewSequentialFile(const std::string& path, const rocksdb::FileOptions& options,
                                      std::unique_ptr<rocksdb::FSSequentialFile>* result,
                                      rocksdb::IODebugContext* dbg) override {
    if (Contents contents = Find(path)) {
      *result = std::make_unique<MemorySequentialFile>(std::move(contents));
      return rocksdb::IOStatus::OK();
    }
    return target()->NewSequentialFile(path, options, result, dbg);
  }

  rocksdb::IOStatus NewRandomAccessFile(const std::string& path,
                                        const rocksdb::FileOptions& options,
                                        std::unique_ptr<rocksdb::FSRandomAccessFile>* result,
                                        rocksdb::IODebugContext* dbg) override {
    if (Contents contents = Find(path)) {
      *result = std::make_unique<MemoryRandomAccessFile>(std::move(contents));
      return rocksdb::IOStatus::OK();
    }
    return target()->NewRandomAccessFile(path, options, result, dbg);
  }

  rocksdb::IOStatus FileExists(const std::string& path, const rocksdb::IOOptions& options,
                               rocksdb::IODebugContext* dbg) override {
    if (Find(path)) return rocksdb::IOStatus::OK();
    return target()->FileExists(path, options, dbg);
  }

  rocksdb::IOStatus GetFileSize(const std::string& path, const rocksdb::IOOptions& options,
                                uint64_t* size, rocksdb::IODebugContext* dbg) override {
    if (Contents contents = Find(path)) {
      *size = contents->size();
      return rocksdb::IOStatus::OK();
    }
    return target()->GetFileSize(path, options, size, dbg);
  }

  rocksdb::IOStatus DeleteFile(const std::string& path, const rocksdb::IOOptions& options,
                               rocksdb::IODebugContext* dbg) override {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (files_.erase(path) > 0) return rocksdb::IOStatus::OK();
    }
    NoteEntryChange(path);
    return target()->DeleteFile(path, options, dbg);
  }

  rocksdb::IOStatus RenameFile(const std::string& from, const std::string& to,
                               const rocksdb::IOOptions& options,
                               rocksdb::IODebugContext* dbg) override {
    Contents contents;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      auto found = files_.find(from);
      if (found != files_.end()) {
        contents = std::move(found->second);
        files_.erase(found);
      }
      if (contents && IsMemoryTarget(to)) {
        // Only the newest OPTIONS file is kept (RocksDB deletes older ones from what it lists
        // on disk, which these are not).
        if (IsOptionsFile(to)) {
          std::erase_if(files_, [](const auto& file) { return IsOptionsFile(file.first); });
        }
        files_[to] = std::move(contents);
        return rocksdb::IOStatus::OK();
      }
      files_.erase(to);  // the disk's file replaces it
    }
    if (contents) {
      // Not one of ours after all: the temporary file goes to disk, synced, before the rename.
      rocksdb::IOStatus written =
          rocksdb::WriteStringToFile(target(), *contents, from, /*should_sync=*/true);
      if (!written.ok()) return written;
    }
    NoteEntryChange(from);
    NoteEntryChange(to);
    return target()->RenameFile(from, to, options, dbg);
  }

  rocksdb::IOStatus NewDirectory(const std::string& name, const rocksdb::IOOptions& options,
                                 std::unique_ptr<rocksdb::FSDirectory>* result,
                                 rocksdb::IODebugContext* dbg) override {
    std::unique_ptr<rocksdb::FSDirectory> directory;
    rocksdb::IOStatus status = target()->NewDirectory(name, options, &directory, dbg);
    if (!status.ok()) return status;
    *result = std::make_unique<StoreDirectory>(std::move(directory), name, this);
    return rocksdb::IOStatus::OK();
  }

  // Directory entry changes on disk, counted per directory, and the count each directory's last
  // fsync covered. A change's count is taken before the fsync starts, so one made during it is
  // not taken as covered.
  uint64_t EntryChanges(std::string_view dir) {
    std::lock_guard<std::mutex> lock(mutex_);
    return entry_changes_[std::string(TrimSlash(dir))];
  }
  bool Synced(std::string_view dir) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto synced = synced_changes_.find(TrimSlash(dir));
    return synced != synced_changes_.end() &&
           synced->second == entry_changes_[std::string(TrimSlash(dir))];
  }
  void NoteSynced(std::string_view dir, uint64_t changes) {
    std::lock_guard<std::mutex> lock(mutex_);
    synced_changes_[std::string(TrimSlash(dir))] = changes;
  }

  // The in-memory file at `path`, or null.
  Contents Find(const std::string& path) const {
    std::lock_guard<std::mutex> lock(mutex_);
    auto found = files_.find(path);
    return found == files_.end() ? nullptr : found->second;
  }

 private:
  bool Creating(std::string_view path) const {
    return !creating_dir_.empty() && DirName(path) == creating_dir_;
  }
  // Files buffered in memory from their creation.
  // REQUIRES: mutex_ held.
  bool IsMemoryName(std::string_view path) const {
    const std::string_view name = BaseName(path);
    if (IsMemoryTarget(path) || IsOptionsFile(path) || name == kIdentityTemp) return true;
    return Creating(path) && (name == kFirstManifest || name == kFirstCurrentTemp);
  }
  // Names an in-memory file keeps when renamed to them.
  // REQUIRES: mutex_ held.
  bool IsMemoryTarget(std::string_view path) const {
    const std::string_view name = BaseName(path);
    if (name == "IDENTITY" || (IsOptionsFile(path) && !name.ends_with(".dbtmp"))) return true;
    return Creating(path) && (name == "CURRENT" || name == kFirstManifest);
  }

  static std::string_view TrimSlash(std::string_view dir) {
    while (dir.size() > 1 && dir.back() == '/') dir.remove_suffix(1);
    return dir;
  }
  void NoteEntryChange(std::string_view path) {
    std::lock_guard<std::mutex> lock(mutex_);
    ++entry_changes_[std::string(TrimSlash(DirName(path)))];
  }

  mutable std::mutex mutex_;
  std::map<std::string, Contents, std::less<>> files_;
  std::map<std::string, uint64_t, std::less<>> entry_changes_;
  std::map<std::string, uint64_t, std::less<>> synced_changes_;
  std::string creating_dir_;  // the store being created (BeginCreate), or empty
  // The flock()ed store directory (LockDirectory), released when this file system goes.
  int locked_fd_ = -1;
  std::string locked_dir_;
};

rocksdb::IOStatus StoreDirectory::Fsync(const rocksdb::IOOptions& options,
                                        rocksdb::IODebugContext* dbg) {
  return FsyncWithDirOptions(options, dbg, rocksdb::DirFsyncOptions());
}

rocksdb::IOStatus StoreDirectory::FsyncWithDirOptions(
    const rocksdb::IOOptions& options, rocksdb::IODebugContext* dbg,
    const rocksdb::DirFsyncOptions& fsync_options) {
  if (fs_->Synced(name_)) return rocksdb::IOStatus::OK();
  const uint64_t changes = fs_->EntryChanges(name_);
  rocksdb::IOStatus synced =
      rocksdb::FSDirectoryWrapper::FsyncWithDirOptions(options, dbg, fsync_options);
  if (synced.ok()) fs_->NoteSynced(name_, changes);
  return synced;
}

StoreEnv::StoreEnv(std::shared_ptr<rocksdb::FileSystem> base)
    : fs_(std::make_shared<StoreFileSystem>(std::move(base))),
      env_(std::make_unique<LazyThreadsEnv>(rocksdb::NewCompositeEnv(fs_))) {}
StoreEnv::~StoreEnv() = default;

Status StoreEnv::LockDirectory(const std::string& dir) { return fs_->LockDirectory(dir); }

void StoreEnv::BeginCreate(const std::string& dir) { fs_->BeginCreate(dir); }

Status StoreEnv::EndCreate(const std::string& dir) { return fs_->EndCreate(dir); }

}  // namespace sluice
