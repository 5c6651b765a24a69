#pragma once
// POSIX file helpers for the local log: an owning descriptor and I/O calls that loop over short
// reads and writes and turn errno into STORAGE errors naming the file.

#include <sys/types.h>

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace sluice {

// Owns a file descriptor and closes it on destruction.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  ~UniqueFd() { Reset(); }
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  UniqueFd& operator=(UniqueFd&& other) noexcept;
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  void Reset(int fd = -1);

 private:
  int fd_ = -1;
};

// open(2) with O_CLOEXEC added; the error names `path`.
Result<UniqueFd> OpenFile(const std::string& path, int flags, mode_t mode = 0644);

// Opens an existing file; an invalid fd when there is none (ENOENT). Checking existence after a
// failed open instead would race with a writer creating the file in between.
Result<UniqueFd> OpenIfExists(const std::string& path, int flags);

// Reads up to `size` bytes at `pos`, stopping early only at end of file.
Result<size_t> PreadUpTo(int fd, char* buf, size_t size, int64_t pos, std::string_view path);

// One pread(2) (retried on EINTR): may return fewer bytes than are in the file.
Result<size_t> PreadSome(int fd, char* buf, size_t size, int64_t pos, std::string_view path);

// Writes all `size` bytes at `pos` (loops over short writes).
Status PwriteAll(int fd, const char* buf, size_t size, int64_t pos, std::string_view path);

Result<int64_t> FileSize(int fd, std::string_view path);

// fsync of a directory, which makes the names created in it survive power loss.
Status SyncDir(const std::string& path);

// Names in `dir` (no "." or ".."), unsorted.
Result<std::vector<std::string>> ListDir(const std::string& dir);

// True if `path` exists; errors other than "not found" are reported.
Result<bool> PathExists(const std::string& path);

Status RemoveTree(const std::string& path);

}  // namespace sluice
