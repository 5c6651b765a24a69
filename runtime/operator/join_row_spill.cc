// JoinRowStore's spill: the oldest chunks of an interval join side move out of memory once the
// resident rows pass the budget. A chunk's image (join_row_image.cc) holds its rows live when it
// was written, back to back, each as
//   slot (4) | time (8) | hash (8) | key size (4) | row size (4) | matched (1) | key | row
// and leaves the file (a punched hole) when the chunk leaves the store. Rows that leave or match
// after the image was written are bits beside it (Chunk::dead, Chunk::matched).

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

bool Bit(const std::vector<uint64_t>& bits, uint32_t slot) {
  return !bits.empty() && (bits[slot / 64] & (uint64_t{1} << (slot % 64))) != 0;
}

void SetBit(std::vector<uint64_t>& bits, size_t slot) {
  if (bits.empty()) bits.assign(JoinRowStore::kChunkRows / 64, 0);
  bits[slot / 64] |= uint64_t{1} << (slot % 64);
}

// Visits the rows of an image: fn(slot, time, hash, key, row, matched).
template <typename Fn>
Status ParseImage(std::string_view image, Fn&& fn) {
  const char* at = image.data();
  const char* end = at + image.size();
  while (at + kRowHeader <= end) {
    const auto slot = LoadRaw<uint32_t>(at);
    const auto time = LoadRaw<int64_t>(at + 4);
    const auto hash = LoadRaw<uint64_t>(at + 12);
    const auto key_size = LoadRaw<uint32_t>(at + 20);
    const auto row_size = LoadRaw<uint32_t>(at + 24);
    const bool matched = at[28] != 0;
    const char* bytes = at + kRowHeader;
    if (static_cast<size_t>(end - bytes) < static_cast<size_t>(key_size) + row_size ||
        slot >= JoinRowStore::kChunkRows) {
      break;
    }
    at = bytes + key_size + row_size;
    RETURN_NOT_OK(fn(slot, time, hash, std::string_view(bytes, key_size),
                     std::string_view(bytes + key_size, row_size), matched));
  }
  if (at != end) return Status::Storage("join state: a spilled chunk of rows is malformed");
  return Status::OK();
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

Status JoinRowStore::ImageChunk(Chunk& chunk) {
  size_t size = 0;
  for (const Slot& slot : chunk.slots) {
    if (slot.alive) size += kRowHeader + slot.key_size + slot.row_size;
  }
  // A durable file's image fills whole kDirectAlign blocks (direct I/O), zero-padded.
  const auto round_up = [](uint64_t bytes) {
    return (bytes + kDirectAlign - 1) & ~(kDirectAlign - 1);
  };
  const size_t span = durable() ? round_up(size) : size;
  if (image_capacity_ < span) {
    // Not zero-filled: every byte is written below.
    image_buffer_.reset(static_cast<char*>(std::aligned_alloc(kDirectAlign, round_up(span))));
    if (!image_buffer_) return Status::Storage("join state: out of memory for a chunk image");
    image_capacity_ = round_up(span);
  }
  if (span > size) std::memset(image_buffer_.get() + size, 0, span - size);
  if (durable()) spill_end_ = round_up(spill_end_);
  char* out = image_buffer_.get();
  chunk.bloom.assign(kBloomWords, 0);
  chunk.min_time = INT64_MAX;
  chunk.max_time = INT64_MIN;
  // Rows of one key often come in runs (every row of a window, in Nexmark q5): a run sets its
  // filter bits once, not five read-modify-writes of the same words per row.
  bool any_hashed = false;
  uint64_t last_hash = 0;
  for (size_t slot_idx = 0; slot_idx < chunk.slots.size(); ++slot_idx) {
    const Slot& slot = chunk.slots[slot_idx];
    if (!slot.alive) continue;
    const auto slot32 = static_cast<uint32_t>(slot_idx);
    std::memcpy(out, &slot32, 4);
    std::memcpy(out + 4, &slot.time, 8);
    std::memcpy(out + 12, &slot.hash, 8);
    std::memcpy(out + 20, &slot.key_size, 4);
    std::memcpy(out + 24, &slot.row_size, 4);
    out[28] = slot.matched ? 1 : 0;
    std::memcpy(out + kRowHeader, slot.bytes, slot.key_size + slot.row_size);
    out += kRowHeader + slot.key_size + slot.row_size;
    chunk.min_time = std::min(chunk.min_time, slot.time);
    chunk.max_time = std::max(chunk.max_time, slot.time);
    if (any_hashed && slot.hash == last_hash) continue;
    any_hashed = true;
    last_hash = slot.hash;
    ForEachBloomBit(slot.hash, kBloomWords * 64,
                    [&](uint64_t bit) { chunk.bloom[bit / 64] |= uint64_t{1} << (bit % 64); });
  }
  if (size > 0) RETURN_NOT_OK(WriteAt(image_buffer_.get(), span, spill_end_));
  chunk.imaged = true;
  chunk.file_offset = spill_end_;
  chunk.file_size = size;
  chunk.file_span = size > 0 ? span : 0;
  spill_end_ += chunk.file_span;
  if (durable()) {
    unsaved_bytes_ -= std::min(unsaved_bytes_, chunk.unsaved);
    chunk.unsaved = 0;
  }
  return Status::OK();
}

Status JoinRowStore::SpillFront() {
  Chunk& chunk = *chunks_[static_cast<size_t>((resident_base_ - base_) / kChunkRows)];
  const int64_t first = resident_base_;
  // A chunk imaged at a checkpoint spills without a write.
  if (!chunk.imaged) RETURN_NOT_OK(ImageChunk(chunk));
  // What changed since the image becomes bits; the key index and the time order keep resident
  // rows only. The index entries are prefetched a few rows ahead: each is a cache miss.
  constexpr size_t kAhead = 8;
  const size_t rows = chunk.slots.size();
  for (size_t slot_idx = 0; slot_idx < rows; ++slot_idx) {
    if (slot_idx + kAhead < rows) by_hash_.Prefetch(chunk.slots[slot_idx + kAhead].hash);
    const Slot& slot = chunk.slots[slot_idx];
    if (!slot.alive) {
      SetBit(chunk.dead, slot_idx);
      continue;
    }
    if (slot.matched) SetBit(chunk.matched, slot_idx);
    JoinKeyIndex::Entry* entry = by_hash_.Find(slot.hash);
    if (entry != nullptr && --entry->live == 0) by_hash_.Erase(entry);
  }
  chunk.spilled = true;
  resident_bytes_ -= chunk.bytes;
  chunk.bytes = 0;
  std::vector<Slot>().swap(chunk.slots);
  std::vector<std::unique_ptr<char[]>>().swap(chunk.blocks);
  resident_base_ = first + kChunkRows;
  while (chunks_.size() > 1 && chunks_.front()->live == 0) ReleaseFront();
  return Status::OK();
}

int64_t JoinRowStore::spilled_live_rows() const {
  int64_t rows = 0;
  for (int64_t idx = 0; idx < spilled_chunks(); ++idx) rows += chunks_[idx]->live;
  return rows;
}

int64_t JoinRowStore::spilled_bytes() const {
  int64_t bytes = 0;
  for (int64_t idx = 0; idx < spilled_chunks(); ++idx) {
    bytes += static_cast<int64_t>(chunks_[idx]->file_size);
  }
  return bytes;
}

Status JoinRowStore::Load(const Chunk& chunk) {
  ++chunks_read_;
  return ReadAt(chunk.file_offset, chunk.file_size, spill_buffer_);
}

Status JoinRowStore::ScanLoaded(const Chunk& chunk, int64_t first, const RowVisitor& visit,
                                uint64_t only_hash, int64_t low, int64_t high) {
  // The visitor may load another chunk: iterate over a copy of the bytes' owner.
  const std::string image = std::move(spill_buffer_);
  spill_buffer_.clear();
  return ParseImage(image,
                    [&](uint32_t slot, int64_t time, uint64_t hash, std::string_view key,
                        std::string_view row, bool matched) -> Status {
                      if ((only_hash != 0 && hash != only_hash) || time < low || time > high ||
                          Bit(chunk.dead, slot)) {
                        return Status::OK();
                      }
                      return visit(first + slot, time, key, row,
                                   matched || Bit(chunk.matched, slot));
                    });
}

Status JoinRowStore::ReadImage(uint64_t offset, uint64_t size, const ImageVisitor& visit) {
  if (!durable()) {
    return Status::Storage(
        "join state: the checkpoint references spilled rows but the join has no spill directory");
  }
  if (size == 0) return Status::OK();
  std::string image;
  RETURN_NOT_OK(ReadAt(offset, size, image));
  RETURN_NOT_OK(ParseImage(
      image,
      [&](uint32_t slot, int64_t time, uint64_t, std::string_view key, std::string_view row,
          bool matched) -> Status { return visit(slot, time, key, row, matched); }));
  freed_.emplace_back(offset, size);  // the restored rows are imaged anew
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
      // Without a visitor (an inner side) the rows are not read back at all.
      if (visit) {
        RETURN_NOT_OK(Load(front));
        RETURN_NOT_OK(ScanLoaded(front, base_, visit, 0, INT64_MIN, INT64_MAX));
      }
      live_rows_ -= static_cast<size_t>(front.live);
      front.live = 0;
    }
    ReleaseFront();  // gives the image's file range back
    if (chunks_.empty()) break;
  }
  return Status::OK();
}

}  // namespace sluice
