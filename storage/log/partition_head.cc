#include "storage/log/partition_head.h"

#include <fcntl.h>
#include <sys/file.h>

#include <cerrno>
#include <cstring>

#include "storage/log/crc32c.h"
#include "storage/log/segment.h"

namespace sluice {
namespace {

constexpr uint32_t kHeadMagic = 0x44484c53;  // "SLHD"
constexpr size_t kHeadBytes = 48;            // magic, crc, five int64 fields
constexpr size_t kChecksummedFrom = 8;

}  // namespace

Result<PartitionHead> PartitionHead::OpenForWriter(const std::string& partition_dir) {
  std::string path = HeadPath(partition_dir);
  ASSIGN_OR_RETURN(UniqueFd fd, OpenFile(path, O_RDWR | O_CREAT));
  return PartitionHead(std::move(path), std::move(fd));
}

Result<PartitionHead> PartitionHead::OpenForReader(const std::string& partition_dir) {
  std::string path = HeadPath(partition_dir);
  // No head yet (a writer creating the partition): the frames are all there is to go by.
  ASSIGN_OR_RETURN(UniqueFd fd, OpenIfExists(path, O_RDONLY));
  return PartitionHead(std::move(path), std::move(fd));
}

Result<std::optional<HeadState>> PartitionHead::Read() const {
  if (!fd_.valid()) return std::optional<HeadState>();
  char bytes[kHeadBytes];
  ASSIGN_OR_RETURN(size_t got, PreadUpTo(fd_.get(), bytes, kHeadBytes, 0, path_));
  if (got != kHeadBytes) return std::optional<HeadState>();
  uint32_t magic;
  uint32_t crc;
  std::memcpy(&magic, bytes, 4);
  std::memcpy(&crc, bytes + 4, 4);
  if (magic != kHeadMagic ||
      crc != Crc32c(bytes + kChecksummedFrom, kHeadBytes - kChecksummedFrom)) {
    return std::optional<HeadState>();
  }
  HeadState state;
  int64_t fields[5];
  std::memcpy(fields, bytes + kChecksummedFrom, sizeof(fields));
  state.base_offset = fields[0];
  state.end_position = fields[1];
  state.next_offset = fields[2];
  state.index_bytes = fields[3];
  state.last_indexed_position = fields[4];
  return std::optional<HeadState>(state);
}

Status PartitionHead::Write(const HeadState& state) {
  char bytes[kHeadBytes];
  const int64_t fields[5] = {state.base_offset, state.end_position, state.next_offset,
                             state.index_bytes, state.last_indexed_position};
  std::memcpy(bytes + kChecksummedFrom, fields, sizeof(fields));
  const uint32_t crc = Crc32c(bytes + kChecksummedFrom, kHeadBytes - kChecksummedFrom);
  std::memcpy(bytes, &kHeadMagic, 4);
  std::memcpy(bytes + 4, &crc, 4);
  return PwriteAll(fd_.get(), bytes, kHeadBytes, 0, path_);
}

Status PartitionHead::Lock() {
  while (::flock(fd_.get(), LOCK_EX) != 0) {
    if (errno != EINTR) return Status::FromErrno("cannot lock " + path_, errno);
  }
  return Status::OK();
}

Status PartitionHead::Unlock() {
  if (::flock(fd_.get(), LOCK_UN) != 0) return Status::FromErrno("cannot unlock " + path_, errno);
  return Status::OK();
}

}  // namespace sluice
