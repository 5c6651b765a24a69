// See pending_checkpoint.h.

#include "storage/state/pending_checkpoint.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "storage/log/crc32c.h"
#include "storage/log/file_util.h"

namespace sluice {
namespace {

constexpr char kMagic[4] = {'S', 'L', 'P', 'C'};
constexpr size_t kHeaderBytes = 12;  // magic, CRC, manifest length

void PutU32(std::string& out, uint32_t value) {
  for (int shift = 0; shift < 32; shift += 8) out.push_back(static_cast<char>(value >> shift));
}

uint32_t GetU32(const std::string& in, size_t at) {
  uint32_t value = 0;
  for (int byte = 0; byte < 4; ++byte) {
    value |= static_cast<uint32_t>(static_cast<unsigned char>(in[at + byte])) << (8 * byte);
  }
  return value;
}

}  // namespace

std::string PendingCheckpointPath(const std::string& store_dir) {
  return store_dir + "/sluice-pending-checkpoint";
}

Status SavePendingCheckpoint(const std::string& path, const PendingCheckpoint& pending) {
  std::string body;
  PutU32(body, static_cast<uint32_t>(pending.manifest_json.size()));
  body += pending.manifest_json;
  body += pending.batch;
  std::string file(kMagic, sizeof(kMagic));
  PutU32(file, Crc32c(body));
  file += body;
  const std::string temporary = path + ".tmp";
  {
    ASSIGN_OR_RETURN(UniqueFd fd, OpenFile(temporary, O_WRONLY | O_CREAT | O_TRUNC));
    RETURN_NOT_OK(PwriteAll(fd.get(), file.data(), file.size(), 0, temporary));
    if (::fsync(fd.get()) != 0) {
      return Status::Storage("cannot sync " + temporary + ": " + std::strerror(errno));
    }
  }
  if (::rename(temporary.c_str(), path.c_str()) != 0) {
    return Status::Storage("cannot rename " + temporary + ": " + std::strerror(errno));
  }
  return SyncDir(std::filesystem::path(path).parent_path().string());
}

Result<std::optional<PendingCheckpoint>> LoadPendingCheckpoint(const std::string& path) {
  // A temporary file is a save that never completed: its transaction was not committed yet.
  std::error_code ignored;
  std::filesystem::remove(path + ".tmp", ignored);
  ASSIGN_OR_RETURN(bool exists, PathExists(path));
  if (!exists) return std::optional<PendingCheckpoint>();
  ASSIGN_OR_RETURN(UniqueFd fd, OpenFile(path, O_RDONLY));
  ASSIGN_OR_RETURN(int64_t size, FileSize(fd.get(), path));
  std::string file(static_cast<size_t>(size), '\0');
  ASSIGN_OR_RETURN(size_t read, PreadUpTo(fd.get(), file.data(), file.size(), 0, path));
  file.resize(read);
  const Status damaged = Status::Storage("the pending checkpoint " + path +
                                         " is damaged (it was written and synced whole, so the "
                                         "disk or another program changed it)");
  if (file.size() < kHeaderBytes || std::memcmp(file.data(), kMagic, sizeof(kMagic)) != 0) {
    return damaged;
  }
  const std::string body = file.substr(8);
  if (GetU32(file, 4) != Crc32c(body)) return damaged;
  const uint32_t manifest_bytes = GetU32(body, 0);
  if (manifest_bytes > body.size() - 4) return damaged;
  PendingCheckpoint pending;
  pending.manifest_json = body.substr(4, manifest_bytes);
  pending.batch = body.substr(4 + manifest_bytes);
  return std::optional<PendingCheckpoint>(std::move(pending));
}

Status RemovePendingCheckpoint(const std::string& path) {
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
    return Status::Storage("cannot remove " + path + ": " + std::strerror(errno));
  }
  return SyncDir(std::filesystem::path(path).parent_path().string());
}

}  // namespace sluice
