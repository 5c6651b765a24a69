// JoinRowStore's spill file and the checkpoint side of chunk images. An unlinked file is a cache
// of rows that checkpoints write elsewhere; a durable one (SetDurableSpill) is part of the
// checkpoint: a checkpoint syncs it (SyncSpill) before the commit that references its images,
// and a released image's range is punched only after a later commit stopped referencing it, so
// the file always holds every image of the last committed checkpoint. Images are appended past
// the file's end and never rewritten, so a crash leaves those intact; what it leaves unreferenced
// is freed by the restore (FinishRestore).

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "runtime/operator/join_row_store.h"

namespace sluice {
namespace {

Status IoError(const std::string& what, int error) {
  return Status::Storage("join state: " + what + ": " + std::strerror(error) +
                         " (the query's state directory needs free space for state larger than "
                         "memory)");
}

void SetBit(std::vector<uint64_t>& bits, size_t slot) {
  if (bits.empty()) bits.assign(JoinRowStore::kChunkRows / 64, 0);
  bits[slot / 64] |= uint64_t{1} << (slot % 64);
}

}  // namespace

Status JoinRowStore::OpenSpill(bool create) {
  if (spill_fd_ >= 0) return Status::OK();
  if (durable()) {
    const std::string path = spill_dir_ + "/" + durable_name_;
    spill_fd_ = ::open(path.c_str(), O_RDWR | O_CLOEXEC | (create ? O_CREAT : 0), 0600);
    if (spill_fd_ < 0 && !create && errno == ENOENT) return Status::OK();
    if (spill_fd_ < 0) return IoError("cannot open the spill file " + path, errno);
    struct stat info {};
    if (::fstat(spill_fd_, &info) != 0) return IoError("cannot stat the spill file " + path, errno);
    opened_end_ = spill_end_ = static_cast<uint64_t>(info.st_size);
    return Status::OK();
  }
  spill_fd_ = ::open(spill_dir_.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (spill_fd_ < 0) {
    // O_TMPFILE needs filesystem support: fall back to a named file, unlinked at once.
    std::string path = spill_dir_ + "/join-spill-XXXXXX";
    spill_fd_ = ::mkostemp(path.data(), O_CLOEXEC);
    if (spill_fd_ < 0) return IoError("cannot create a spill file in " + spill_dir_, errno);
    ::unlink(path.c_str());
  }
  return Status::OK();
}

Status JoinRowStore::WriteAt(const char* bytes, size_t size, uint64_t offset) {
  RETURN_NOT_OK(OpenSpill());
  size_t done = 0;
  const bool aligned = (offset | size | reinterpret_cast<uintptr_t>(bytes)) % kDirectAlign == 0;
  if (direct_io() && aligned) {
    if (direct_fd_ < 0) {
      const std::string path = spill_dir_ + "/" + durable_name_;
      direct_fd_ = ::open(path.c_str(), O_WRONLY | O_CLOEXEC | O_DIRECT);
      if (direct_fd_ < 0) direct_io_ = false;  // EINVAL: no direct I/O here; buffered below
    }
    while (direct_io_ && done < size) {
      const ssize_t wrote =
          ::pwrite(direct_fd_, bytes + done, size - done, static_cast<off_t>(offset + done));
      if (wrote < 0 && errno == EINTR) continue;
      if (wrote < 0 && errno == EINVAL) {
        direct_io_ = false;  // the rest (and every later image) buffered
        break;
      }
      if (wrote <= 0) return IoError("cannot write the spill file", wrote < 0 ? errno : ENOSPC);
      done += static_cast<size_t>(wrote);
      // A short write leaves an unaligned rest: buffered.
      if (done % kDirectAlign != 0) break;
    }
  }
  while (done < size) {
    const ssize_t wrote =
        ::pwrite(spill_fd_, bytes + done, size - done, static_cast<off_t>(offset + done));
    if (wrote < 0 && errno == EINTR) continue;
    if (wrote <= 0) return IoError("cannot write the spill file", wrote < 0 ? errno : ENOSPC);
    done += static_cast<size_t>(wrote);
  }
  unsynced_ = true;
  return Status::OK();
}

Status JoinRowStore::ReadAt(uint64_t offset, uint64_t size, std::string& out) {
  RETURN_NOT_OK(OpenSpill());
  out.resize(size);
  for (size_t done = 0; done < size;) {
    const ssize_t got =
        ::pread(spill_fd_, out.data() + done, size - done, static_cast<off_t>(offset + done));
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return IoError("cannot read the spill file", errno);
    if (got == 0) {
      return Status::Storage("join state: a chunk of rows lies past the end of the spill file " +
                             spill_dir_ + "/" + durable_name_ +
                             " (it was truncated or replaced: recreate the query)");
    }
    done += static_cast<size_t>(got);
  }
  return Status::OK();
}

void JoinRowStore::Punch(uint64_t offset, uint64_t size) {
  if (size == 0 || spill_fd_ < 0) return;
  // Gives the disk space back; a failure only leaves it allocated.
  (void)::fallocate(spill_fd_, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
                    static_cast<off_t>(offset), static_cast<off_t>(size));
}

void JoinRowStore::FreeImage(const Chunk& chunk) {
  if (chunk.file_span == 0) return;
  if (durable()) {
    freed_.emplace_back(chunk.file_offset, chunk.file_span);
  } else {
    Punch(chunk.file_offset, chunk.file_span);
  }
}

Status JoinRowStore::Image(int64_t first) {
  Chunk& owner = *chunk(first);
  if (owner.imaged) return Status::OK();
  return ImageChunk(owner);
}

JoinRowStore::ImageRef JoinRowStore::RefOf(int64_t first) {
  const Chunk& owner = *chunk(first);
  ImageRef ref;
  ref.offset = owner.file_offset;
  ref.size = owner.file_size;
  if (owner.spilled) {
    ref.dead = owner.dead;
    ref.matched = owner.matched;
    return ref;
  }
  for (size_t slot_idx = 0; slot_idx < owner.slots.size(); ++slot_idx) {
    const Slot& slot = owner.slots[slot_idx];
    if (!slot.alive) SetBit(ref.dead, slot_idx);
    if (slot.alive && slot.matched) SetBit(ref.matched, slot_idx);
  }
  return ref;
}

Status JoinRowStore::SyncSpill() {
  if (spill_fd_ >= 0 && unsynced_ && ::fdatasync(spill_fd_) != 0) {
    return IoError("cannot sync the spill file", errno);
  }
  unsynced_ = false;
  for (const auto& [offset, size] : sealed_) Punch(offset, size);
  sealed_ = std::move(freed_);
  freed_.clear();
  return Status::OK();
}

Status JoinRowStore::FinishRestore() {
  if (!durable()) return Status::OK();
  RETURN_NOT_OK(OpenSpill(/*create=*/false));  // a join that never spilled has no file
  if (spill_fd_ < 0) return Status::OK();
  // freed_ holds exactly the ranges the restored checkpoint references (ReadImage).
  std::vector<std::pair<uint64_t, uint64_t>> kept = freed_;
  std::sort(kept.begin(), kept.end());
  uint64_t at = 0;
  for (const auto& [offset, size] : kept) {
    if (offset > at) Punch(at, offset - at);
    at = std::max(at, offset + size);
  }
  if (opened_end_ > at) Punch(at, opened_end_ - at);
  return Status::OK();
}

uint64_t JoinRowStore::spill_file_bytes() const {
  struct stat info {};
  if (spill_fd_ < 0 || ::fstat(spill_fd_, &info) != 0) return 0;
  return static_cast<uint64_t>(info.st_blocks) * 512;
}

}  // namespace sluice
