// JoinRowStore's spill file: the oldest chunks of an interval join side move out of memory once
// the resident rows pass the budget. The file is unlinked from the start (it is a cache of rows
// that checkpoints persist elsewhere), so nothing is left behind by a crash. A spilled chunk is
// its live rows back to back, each as
//   slot (4) | time (8) | hash (8) | key size (4) | row size (4) | matched (1) | key | row
// and leaves the file (a punched hole) when it leaves the store.

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "runtime/operator/join_row_store.h"
#include "runtime/operator/raw_bytes.h"

namespace sluice {
namespace {

constexpr size_t kRowHeader = 4 + 8 + 8 + 4 + 4 + 1;

// Five probes per hash from two halves of it (double hashing): with 16 bits per row about one
// chunk in 500 that lacks a key is read anyway, which matters when every row of a large side
// probes the other side's spilled chunks.
template <typename Fn>
void ForEachBloomBit(uint64_t hash, size_t bits, Fn&& fn) {
  const uint64_t step = (hash >> 32) | 1;
  uint64_t bit = hash;
  for (int probe = 0; probe < 5; ++probe, bit += step) fn(bit & (bits - 1));
}

Status IoError(const std::string& what, int error) {
  return Status::Storage("join state: " + what + ": " + std::strerror(error) +
                         " (the query's state directory needs free space for state larger than "
                         "memory)");
}

}  // namespace

bool JoinRowStore::BloomMayContain(const Chunk& chunk, uint64_t hash) {
  bool all = true;
  ForEachBloomBit(hash, kBloomWords * 64, [&](uint64_t bit) {
    if ((chunk.bloom[bit / 64] & (uint64_t{1} << (bit % 64))) == 0) all = false;
  });
  return all;
}

Status JoinRowStore::SpillOverBudget() {
  if (spill_dir_.empty()) return Status::OK();
  while (resident_bytes_ > budget_) {
    // The chunk being filled stays; a spilled chunk is always a full one.
    const size_t first = static_cast<size_t>((resident_base_ - base_) / kChunkRows);
    if (first + 1 >= chunks_.size()) break;
    RETURN_NOT_OK(SpillFront());
  }
  return Status::OK();
}

Status JoinRowStore::SpillFront() {
  Chunk& chunk = *chunks_[static_cast<size_t>((resident_base_ - base_) / kChunkRows)];
  const int64_t first = resident_base_;
  std::string& image = spill_buffer_;
  image.clear();
  image.reserve(chunk.bytes);
  chunk.bloom.assign(kBloomWords, 0);
  chunk.min_time = INT64_MAX;
  chunk.max_time = INT64_MIN;
  for (size_t slot_idx = 0; slot_idx < chunk.slots.size(); ++slot_idx) {
    const Slot& slot = chunk.slots[slot_idx];
    if (!slot.alive) continue;
    AppendRaw<uint32_t>(static_cast<uint32_t>(slot_idx), image);
    AppendRaw<int64_t>(slot.time, image);
    AppendRaw<uint64_t>(slot.hash, image);
    AppendRaw<uint32_t>(slot.key_size, image);
    AppendRaw<uint32_t>(slot.row_size, image);
    AppendRaw<uint8_t>(slot.matched ? 1 : 0, image);
    image.append(slot.bytes, slot.key_size + slot.row_size);
    chunk.min_time = std::min(chunk.min_time, slot.time);
    chunk.max_time = std::max(chunk.max_time, slot.time);
    ForEachBloomBit(slot.hash, kBloomWords * 64,
                    [&](uint64_t bit) { chunk.bloom[bit / 64] |= uint64_t{1} << (bit % 64); });
    // The key index and the time order keep resident rows only.
    JoinKeyIndex::Entry* rows = by_hash_.Find(slot.hash);
    if (rows != nullptr && --rows->live == 0) by_hash_.Erase(rows);
  }
  if (!image.empty()) {
    if (spill_fd_ < 0) {
      spill_fd_ = ::open(spill_dir_.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
      if (spill_fd_ < 0) {
        // O_TMPFILE needs filesystem support: fall back to a named file, unlinked at once.
        std::string path = spill_dir_ + "/join-spill-XXXXXX";
        spill_fd_ = ::mkostemp(path.data(), O_CLOEXEC);
        if (spill_fd_ < 0) return IoError("cannot create a spill file in " + spill_dir_, errno);
        ::unlink(path.c_str());
      }
    }
    for (size_t done = 0; done < image.size();) {
      const ssize_t wrote = ::pwrite(spill_fd_, image.data() + done, image.size() - done,
                                     static_cast<off_t>(spill_end_ + done));
      if (wrote < 0 && errno == EINTR) continue;
      if (wrote <= 0) return IoError("cannot write the spill file", wrote < 0 ? errno : ENOSPC);
      done += static_cast<size_t>(wrote);
    }
  }
  chunk.file_offset = spill_end_;
  chunk.file_size = image.size();
  spill_end_ += image.size();
  chunk.spilled = true;
  resident_bytes_ -= chunk.bytes;
  chunk.bytes = 0;
  std::vector<Slot>().swap(chunk.slots);
  std::vector<std::unique_ptr<char[]>>().swap(chunk.blocks);
  resident_base_ = first + kChunkRows;
  while (chunks_.size() > 1 && chunks_.front()->live == 0) ReleaseFront();
  return Status::OK();
}

Status JoinRowStore::Load(const Chunk& chunk) {
  spill_buffer_.resize(chunk.file_size);
  for (size_t done = 0; done < chunk.file_size;) {
    const ssize_t got = ::pread(spill_fd_, spill_buffer_.data() + done, chunk.file_size - done,
                                static_cast<off_t>(chunk.file_offset + done));
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return IoError("cannot read the spill file", got < 0 ? errno : EIO);
    done += static_cast<size_t>(got);
  }
  return Status::OK();
}

Status JoinRowStore::ScanLoaded(const Chunk& chunk, int64_t first, const RowVisitor& visit,
                                uint64_t only_hash, int64_t low, int64_t high) {
  // The visitor may load another chunk: iterate over a copy of the bytes' owner.
  const std::string image = std::move(spill_buffer_);
  spill_buffer_.clear();
  const char* at = image.data();
  const char* end = at + image.size();
  while (at + kRowHeader <= end) {
    const uint32_t slot = LoadRaw<uint32_t>(at);
    const int64_t time = LoadRaw<int64_t>(at + 4);
    const uint64_t hash = LoadRaw<uint64_t>(at + 12);
    const uint32_t key_size = LoadRaw<uint32_t>(at + 20);
    const uint32_t row_size = LoadRaw<uint32_t>(at + 24);
    bool matched = at[28] != 0;
    const char* bytes = at + kRowHeader;
    at = bytes + key_size + row_size;
    if (at > end) break;
    if ((only_hash != 0 && hash != only_hash) || time < low || time > high) continue;
    if (!chunk.matched.empty() && (chunk.matched[slot / 64] & (uint64_t{1} << (slot % 64)))) {
      matched = true;
    }
    RETURN_NOT_OK(visit(first + slot, time, std::string_view(bytes, key_size),
                        std::string_view(bytes + key_size, row_size), matched));
  }
  if (at != end) return Status::Storage("join state: a spilled chunk of rows is malformed");
  return Status::OK();
}

Status JoinRowStore::ProbeSpilled(uint64_t hash, int64_t low, int64_t high,
                                  const RowVisitor& visit) {
  for (int64_t first = base_; first < resident_base_; first += kChunkRows) {
    const Chunk& owner = *chunk(first);
    if (owner.live == 0 || owner.max_time < low || owner.min_time > high ||
        !BloomMayContain(owner, hash)) {
      continue;
    }
    RETURN_NOT_OK(Load(owner));
    RETURN_NOT_OK(ScanLoaded(owner, first, visit, hash, low, high));
  }
  return Status::OK();
}

Status JoinRowStore::ExpireSpilled(int64_t limit, const RowVisitor& visit) {
  while (base_ < resident_base_) {
    Chunk& front = *chunks_.front();
    if (front.live > 0) {
      if (front.max_time > limit) break;
      RETURN_NOT_OK(Load(front));
      RETURN_NOT_OK(ScanLoaded(front, base_, visit, 0, INT64_MIN, INT64_MAX));
      live_rows_ -= static_cast<size_t>(front.live);
      front.live = 0;
    }
    if (front.file_size > 0) {
      // Give the disk space back; a failure only leaves it allocated.
      (void)::fallocate(spill_fd_, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
                        static_cast<off_t>(front.file_offset), static_cast<off_t>(front.file_size));
    }
    ReleaseFront();
    if (chunks_.empty()) break;
  }
  return Status::OK();
}

}  // namespace sluice
