#include "runtime/operator/join_row_store.h"

#include <cstring>

namespace sluice {

char* JoinRowStore::Chunk::Allocate(size_t size) {
  if (size > kBlockBytes / 4) {
    // A big row gets a block of its own, before the current one, whose free space stays usable.
    auto block = std::unique_ptr<char[]>(new char[size]);
    char* ptr = block.get();
    blocks.insert(blocks.empty() ? blocks.end() : blocks.end() - 1, std::move(block));
    return ptr;
  }
  if (blocks.empty() || kBlockBytes - block_used < size) {
    blocks.push_back(std::unique_ptr<char[]>(new char[kBlockBytes]));  // not zero-filled
    block_used = 0;
  }
  char* ptr = blocks.back().get() + block_used;
  block_used += size;
  return ptr;
}

int64_t JoinRowStore::Add(std::string_view key, uint64_t hash, std::string_view row, int64_t time) {
  if (chunks_.empty() || chunks_.back()->slots.size() == static_cast<size_t>(kChunkRows)) {
    chunks_.push_back(std::make_unique<Chunk>());
    chunks_.back()->slots.reserve(kChunkRows);
  }
  Chunk& chunk = *chunks_.back();
  const int64_t index = end_++;
  Slot slot;
  slot.time = time;
  slot.hash = hash;
  char* bytes = chunk.Allocate(key.size() + row.size());
  std::memcpy(bytes, key.data(), key.size());
  std::memcpy(bytes + key.size(), row.data(), row.size());
  slot.bytes = bytes;
  slot.key_size = static_cast<uint32_t>(key.size());
  slot.row_size = static_cast<uint32_t>(row.size());
  JoinKeyIndex::Entry& rows = by_hash_.FindOrAdd(hash);
  slot.older = rows.newest;
  rows.newest = index;
  ++rows.live;
  chunk.slots.push_back(slot);
  ++chunk.live;
  MarkChunkDirty(chunk, index - (index - base_) % kChunkRows);
  by_time_.emplace(time, index);
  return index;
}

void JoinRowStore::RemoveOldest() {
  const int64_t index = by_time_.top().second;
  by_time_.pop();
  Slot& slot = at(index);
  slot.alive = false;
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

void JoinRowStore::ReleaseFront() {
  if (chunks_.front()->written) released_.push_back(base_);
  chunks_.pop_front();
  base_ += kChunkRows;
}

std::vector<int64_t> JoinRowStore::TakeDirty() {
  std::vector<int64_t> dirty;
  for (int64_t first : dirty_) {
    if (!Contains(first)) continue;
    chunk(first)->dirty = false;
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
