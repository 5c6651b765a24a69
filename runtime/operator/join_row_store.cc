#include "runtime/operator/join_row_store.h"

#include <unistd.h>

#include <cstring>

namespace sluice {

JoinRowStore::~JoinRowStore() {
  if (spill_fd_ >= 0) ::close(spill_fd_);
  if (direct_fd_ >= 0) ::close(direct_fd_);
}

char* JoinRowStore::Chunk::Allocate(size_t size) {
  if (size > kBlockBytes / 4) {
    // A big row gets a block of its own, before the current one, whose free space stays usable.
    auto block = std::unique_ptr<char[]>(new char[size]);
    char* ptr = block.get();
    blocks.insert(blocks.empty() ? blocks.end() : blocks.end() - 1, std::move(block));
    bytes += size;
    return ptr;
  }
  if (blocks.empty() || kBlockBytes - block_used < size) {
    blocks.push_back(std::unique_ptr<char[]>(new char[kBlockBytes]));  // not zero-filled
    block_used = 0;
    bytes += kBlockBytes;
  }
  char* ptr = blocks.back().get() + block_used;
  block_used += size;
  return ptr;
}

int64_t JoinRowStore::Add(std::string_view key, uint64_t hash, std::string_view row, int64_t time) {
  if (chunks_.empty() || chunks_.back()->spilled ||
      chunks_.back()->slots.size() == static_cast<size_t>(kChunkRows)) {
    if (chunks_.empty()) resident_base_ = base_ = end_;
    chunks_.push_back(std::make_unique<Chunk>());
    chunks_.back()->slots.reserve(kChunkRows);
    chunk_refs_.push_back(ChunkRef{chunks_.back().get(), chunks_.back()->slots.data()});
    chunks_.back()->bytes = kChunkRows * sizeof(Slot);
    resident_bytes_ += chunks_.back()->bytes;
  }
  Chunk& chunk = *chunks_.back();
  const int64_t index = end_++;
  Slot slot;
  slot.time = time;
  slot.hash = hash;
  const size_t bytes_before = chunk.bytes;
  char* bytes = chunk.Allocate(key.size() + row.size());
  resident_bytes_ += chunk.bytes - bytes_before;
  std::memcpy(bytes, key.data(), key.size());
  std::memcpy(bytes + key.size(), row.data(), row.size());
  slot.bytes = bytes;
  slot.key_size = static_cast<uint32_t>(key.size());
  slot.row_size = static_cast<uint32_t>(row.size());
  JoinKeyIndex::Entry& rows = by_hash_.FindOrAdd(hash);
  slot.older = rows.newest;
  rows.newest = index;
  ++rows.live;
  if (time >= in_order_time_) {
    slot.in_order = true;
    in_order_time_ = time;
  } else {
    late_.emplace(time, index);
  }
  chunk.slots.push_back(slot);
  ++chunk.live;
  ++live_rows_;
  if (tracking_) {
    unsaved_bytes_ += key.size() + row.size() + 8;
    chunk.unsaved += key.size() + row.size() + 8;
    // A full chunk of a durable spill file is checkpointed as its image, written to the file
    // and not held for the commit: it does not count towards an early checkpoint.
    if (durable() && chunk.slots.size() == static_cast<size_t>(kChunkRows)) {
      unsaved_bytes_ -= chunk.unsaved;
      chunk.unsaved = 0;
    }
  }
  MarkChunkDirty(chunk, index - (index - base_) % kChunkRows);
  return index;
}

int64_t JoinRowStore::OldestInOrder() {
  cursor_ = std::max(cursor_, resident_base_);
  while (cursor_ < end_) {
    const Slot& slot = at(cursor_);
    if (slot.in_order && slot.alive) return cursor_;
    ++cursor_;
  }
  return -1;
}

int64_t JoinRowStore::OldestLate() {
  // Entries of rows that were spilled since: their chunk leaves whole (ExpireSpilled).
  while (!late_.empty() && late_.top().second < resident_base_) late_.pop();
  return late_.empty() ? -1 : late_.top().second;
}

int64_t JoinRowStore::Oldest() {
  const int64_t in_order = OldestInOrder();
  const int64_t late = OldestLate();
  if (in_order < 0) return late;
  if (late < 0) return in_order;
  const int64_t in_order_time = at(in_order).time;
  const int64_t late_time = late_.top().first;
  if (late_time != in_order_time) return late_time < in_order_time ? late : in_order;
  return std::min(late, in_order);
}

void JoinRowStore::RemoveOldest(int64_t index) {
  if (index < 0) return;
  if (!late_.empty() && late_.top().second == index) {
    late_.pop();
  } else {
    ++cursor_;
  }
  Slot& slot = at(index);
  slot.alive = false;
  --live_rows_;
  JoinKeyIndex::Entry* rows = by_hash_.Find(slot.hash);
  if (rows != nullptr && --rows->live == 0) by_hash_.Erase(rows);
  Chunk& owner = *chunk(index);
  --owner.live;
  MarkChunkDirty(owner, index - (index - base_) % kChunkRows);
  // Give back the memory of leading chunks whose rows are all gone (the last, still filling,
  // stays).
  while (chunks_.size() > 1 && chunks_.front()->live == 0) ReleaseFront();
  if (chunks_.size() == 1 && chunks_.front()->live == 0 &&
      chunks_.front()->slots.size() == static_cast<size_t>(kChunkRows)) {
    ReleaseFront();
  }
}

void JoinRowStore::MarkMatched(int64_t index) {
  Chunk& owner = *chunk(index);
  if (!owner.spilled) {
    at(index).matched = true;
    return;
  }
  if (owner.matched.empty()) owner.matched.assign(kChunkRows / 64, 0);
  const int64_t slot = (index - base_) % kChunkRows;
  owner.matched[static_cast<size_t>(slot / 64)] |= uint64_t{1} << (slot % 64);
}

void JoinRowStore::ReleaseFront() {
  Chunk& front = *chunks_.front();
  if (front.written) released_.push_back(base_);
  if (front.imaged) FreeImage(front);
  if (!front.spilled) resident_bytes_ -= front.bytes;
  chunks_.pop_front();
  chunk_refs_.erase(chunk_refs_.begin());  // a few dozen pointers, once per kChunkRows rows
  base_ += kChunkRows;
  resident_base_ = std::max(resident_base_, base_);
}

Status JoinRowStore::ForEachLive(int64_t first, const RowVisitor& visit) {
  const Chunk& owner = *chunk(first);
  if (owner.spilled) {
    RETURN_NOT_OK(Load(owner));
    return ScanLoaded(owner, first, visit, 0, INT64_MIN, INT64_MAX);
  }
  const int64_t end = std::min(first + kChunkRows, end_);
  for (int64_t index = first; index < end; ++index) {
    const Slot& slot = at(index);
    if (!slot.alive) continue;
    RETURN_NOT_OK(visit(index, slot.time, slot.key(), slot.row(), slot.matched));
  }
  return Status::OK();
}

std::vector<int64_t> JoinRowStore::TakeDirty() {
  std::vector<int64_t> dirty;
  unsaved_bytes_ = 0;
  for (int64_t first : dirty_) {
    if (!Contains(first)) continue;
    chunk(first)->dirty = false;
    chunk(first)->unsaved = 0;
    dirty.push_back(first);
  }
  dirty_.clear();
  return dirty;
}

std::vector<int64_t> JoinRowStore::TakeReleased() {
  std::vector<int64_t> released;
  released.swap(released_);
  return released;
}

}  // namespace sluice
