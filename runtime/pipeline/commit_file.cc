#include "runtime/pipeline/commit_file.h"

#include <fcntl.h>

#include <cstring>

#include "storage/log/crc32c.h"
#include "storage/log/read_buffer.h"

namespace sluice {
namespace {

constexpr uint32_t kCommitMagic = 0x4d434c53;  // "SLCM"
constexpr size_t kHeaderBytes = 20;            // magic, crc, sequence, payload length
constexpr int64_t kSlotBytes = int64_t{1} << 20;

}  // namespace

Result<CommitFile> CommitFile::Open(const std::string& state_dir) {
  std::string path = state_dir + "/commit";
  ASSIGN_OR_RETURN(UniqueFd fd, OpenFile(path, O_RDWR | O_CREAT, 0600));
  return CommitFile(std::move(path), std::move(fd));
}

Result<std::optional<SourcePositions>> CommitFile::Load() {
  std::optional<SourcePositions> newest;
  ReadBuffer slot(static_cast<size_t>(kSlotBytes));
  for (int64_t slot_idx = 0; slot_idx < 2; ++slot_idx) {
    ASSIGN_OR_RETURN(size_t got,
                     PreadUpTo(fd_.get(), slot.data(), slot.size(), slot_idx * kSlotBytes, path_));
    if (got < kHeaderBytes) continue;
    uint32_t magic;
    uint32_t crc;
    uint64_t sequence;
    uint32_t length;
    std::memcpy(&magic, slot.data(), 4);
    std::memcpy(&crc, slot.data() + 4, 4);
    std::memcpy(&sequence, slot.data() + 8, 8);
    std::memcpy(&length, slot.data() + 16, 4);
    // A torn or never written slot: the other one holds the last complete commit.
    if (magic != kCommitMagic || length > got - kHeaderBytes ||
        crc != Crc32c(slot.data() + 8, kHeaderBytes - 8 + length)) {
      continue;
    }
    if (newest && sequence <= sequence_) continue;
    ASSIGN_OR_RETURN(
        SourcePositions positions,
        SourcePositionsFromJson(std::string_view(slot.data() + kHeaderBytes, length), path_));
    newest = std::move(positions);
    sequence_ = sequence;
  }
  return newest;
}

Status CommitFile::Save(const SourcePositions& positions) {
  const std::string payload = SourcePositionsToJson(positions);
  if (payload.size() > static_cast<size_t>(kSlotBytes) - kHeaderBytes) {
    return Status::Storage("commit record of " + std::to_string(payload.size()) +
                           " bytes does not fit " + path_);
  }
  const uint64_t sequence = sequence_ + 1;
  const auto length = static_cast<uint32_t>(payload.size());
  record_.assign(kHeaderBytes, '\0');
  record_ += payload;
  std::memcpy(record_.data(), &kCommitMagic, 4);
  std::memcpy(record_.data() + 8, &sequence, 8);
  std::memcpy(record_.data() + 16, &length, 4);
  const uint32_t crc = Crc32c(record_.data() + 8, record_.size() - 8);
  std::memcpy(record_.data() + 4, &crc, 4);
  // Slot by sequence parity: the slot overwritten is always the older commit.
  RETURN_NOT_OK(PwriteAll(fd_.get(), record_.data(), record_.size(),
                          static_cast<int64_t>(sequence % 2) * kSlotBytes, path_));
  sequence_ = sequence;
  return Status::OK();
}

}  // namespace sluice
