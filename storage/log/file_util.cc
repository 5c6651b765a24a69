#include "storage/log/file_util.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <system_error>

namespace sluice {

UniqueFd& UniqueFd::operator=(UniqueFd&& other) noexcept {
  if (this != &other) {
    Reset(other.fd_);
    other.fd_ = -1;
  }
  return *this;
}

void UniqueFd::Reset(int fd) {
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
}

Result<UniqueFd> OpenFile(const std::string& path, int flags, mode_t mode) {
  int fd;
  do {
    fd = ::open(path.c_str(), flags | O_CLOEXEC, mode);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) return Status::FromErrno("cannot open " + path, errno);
  return UniqueFd(fd);
}

Result<UniqueFd> OpenIfExists(const std::string& path, int flags) {
  int fd;
  do {
    fd = ::open(path.c_str(), flags | O_CLOEXEC);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0 && errno == ENOENT) return UniqueFd();
  if (fd < 0) return Status::FromErrno("cannot open " + path, errno);
  return UniqueFd(fd);
}

Result<size_t> PreadUpTo(int fd, char* buf, size_t size, int64_t pos, std::string_view path) {
  size_t done = 0;
  while (done < size) {
    ssize_t n = ::pread(fd, buf + done, size - done, pos + static_cast<int64_t>(done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::FromErrno("cannot read " + std::string(path), errno);
    }
    if (n == 0) break;
    done += static_cast<size_t>(n);
  }
  return done;
}

Result<size_t> PreadSome(int fd, char* buf, size_t size, int64_t pos, std::string_view path) {
  for (;;) {
    ssize_t n = ::pread(fd, buf, size, pos);
    if (n >= 0) return static_cast<size_t>(n);
    if (errno != EINTR) return Status::FromErrno("cannot read " + std::string(path), errno);
  }
}

Status PwriteAll(int fd, const char* buf, size_t size, int64_t pos, std::string_view path) {
  size_t done = 0;
  while (done < size) {
    ssize_t n = ::pwrite(fd, buf + done, size - done, pos + static_cast<int64_t>(done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::FromErrno("cannot write " + std::string(path), errno);
    }
    done += static_cast<size_t>(n);
  }
  return Status::OK();
}

Result<int64_t> FileSize(int fd, std::string_view path) {
  struct stat st;
  if (::fstat(fd, &st) != 0) return Status::FromErrno("cannot stat " + std::string(path), errno);
  return static_cast<int64_t>(st.st_size);
}

Status SyncDir(const std::string& path) {
  ASSIGN_OR_RETURN(UniqueFd dir, OpenFile(path, O_RDONLY | O_DIRECTORY));
  if (::fsync(dir.get()) != 0) return Status::FromErrno("cannot fsync " + path, errno);
  return Status::OK();
}

Result<std::vector<std::string>> ListDir(const std::string& dir) {
  DIR* handle = ::opendir(dir.c_str());
  if (handle == nullptr) return Status::FromErrno("cannot list " + dir, errno);
  std::vector<std::string> names;
  errno = 0;
  while (struct dirent* entry = ::readdir(handle)) {
    std::string_view name = entry->d_name;
    if (name != "." && name != "..") names.emplace_back(name);
  }
  int err = errno;
  ::closedir(handle);
  if (err != 0) return Status::FromErrno("cannot list " + dir, err);
  return names;
}

Result<bool> PathExists(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) == 0) return true;
  if (errno == ENOENT) return false;
  return Status::FromErrno("cannot stat " + path, errno);
}

Status RemoveTree(const std::string& path) {
  std::error_code ec;
  std::filesystem::remove_all(path, ec);
  if (ec) return Status::Storage("cannot remove " + path + ": " + ec.message());
  return Status::OK();
}

}  // namespace sluice
