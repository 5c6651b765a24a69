#pragma once
// The rows one side of an interval join buffers, kept compactly: a row is its join key and its
// encoded bytes (JoinRowCodec: what a checkpoint writes, so it is encoded once) in a chunk's
// byte blocks, plus a fixed-size slot. Rows of one key hash are chained newest first, so a probe
// costs one hash lookup and a walk over that key's rows; rows leave in event-time order (a
// min-heap), and a chunk's memory goes back as soon as all of its rows are gone. No heap node or
// allocation per row, which is what made buffered rows cost ~1.4 KB each before.
//
// Checkpoints persist whole chunks (JoinRowStore tracks which changed): one state-table write per
// ~4096 rows instead of one per row.

#include <cstdint>
#include <deque>
#include <memory>
#include <queue>
#include <string_view>
#include <utility>
#include <vector>

#include "runtime/operator/join_key_index.h"

namespace sluice {

class JoinRowStore {
 public:
  struct Slot {
    int64_t time = 0;
    int64_t older = -1;  // index of the previous row with the same key hash, or -1
    uint64_t hash = 0;
    const char* bytes = nullptr;  // the key, then the encoded row
    uint32_t key_size = 0;
    uint32_t row_size = 0;
    bool alive = true;
    bool matched = false;

    std::string_view key() const { return {bytes, key_size}; }
    std::string_view row() const { return {bytes + key_size, row_size}; }
  };

  JoinRowStore() = default;
  JoinRowStore(const JoinRowStore&) = delete;
  JoinRowStore& operator=(const JoinRowStore&) = delete;

  static uint64_t Hash(std::string_view key) { return JoinKeyIndex::Hash(key); }

  // Buffers a row (copying `key` and `row`); returns its index. Indexes grow by one per row.
  int64_t Add(std::string_view key, uint64_t hash, std::string_view row, int64_t time);
  // REQUIRES: Contains(index).
  Slot& at(int64_t index) {
    const int64_t offset = index - base_;
    return chunks_[static_cast<size_t>(offset / kChunkRows)]->slots[offset % kChunkRows];
  }
  // False for indexes of rows whose chunk is gone (all of them were removed).
  bool Contains(int64_t index) const { return index >= base_ && index < end_; }
  // The newest row with key hash `hash`, or -1. Walk on with Slot::older while Contains(),
  // skipping rows that are not alive and rows whose key() differs (a hash collision).
  int64_t Newest(uint64_t hash) {
    const JoinKeyIndex::Entry* entry = by_hash_.Find(hash);
    return entry == nullptr ? -1 : entry->newest;
  }
  // Starts loading what Add or Newest for `hash` reads first (batch-at-a-time callers).
  void Prefetch(uint64_t hash) const { by_hash_.Prefetch(hash); }
  // The live row with the smallest time (ties: the first added), or -1 when empty.
  int64_t Oldest() const { return by_time_.empty() ? -1 : by_time_.top().second; }
  // Removes the row Oldest() returned.
  void RemoveOldest();

  size_t size() const { return by_time_.size(); }
  // Indexes [first(), end()) may be visited with at() (dead rows included); end() is the index
  // the next Add returns.
  int64_t first() const { return base_; }
  int64_t end() const { return end_; }

  // Checkpoint support. A chunk (kChunkRows consecutive indexes from a multiple of kChunkRows)
  // is dirty once a row was added to or removed from it, or MarkDirty named one of its rows.
  static constexpr int64_t kChunkRows = 4096;
  // Until this is called nothing is tracked (a join without a state table).
  void TrackChanges() { tracking_ = true; }
  void MarkDirty(int64_t index) {
    MarkChunkDirty(*chunk(index), index - (index - base_) % kChunkRows);
  }
  // The first indexes of the chunks dirty since the last call that are still held.
  std::vector<int64_t> TakeDirty();
  // Records that the chunk starting at `first` was written (true) or deleted (false).
  void SetWritten(int64_t first, bool written) { chunk(first)->written = written; }
  bool written(int64_t first) { return chunk(first)->written; }
  // The first indexes of written chunks released since the last call (all their rows gone).
  std::vector<int64_t> TakeReleased();

 private:
  static constexpr size_t kBlockBytes = 64 * 1024;
  struct Chunk {
    std::vector<Slot> slots;
    std::vector<std::unique_ptr<char[]>> blocks;
    size_t block_used = kBlockBytes;  // of blocks.back()
    int64_t live = 0;
    bool dirty = false;
    bool written = false;
    char* Allocate(size_t size);
  };
  using TimeAndIndex = std::pair<int64_t, int64_t>;

  Chunk* chunk(int64_t index) {
    return chunks_[static_cast<size_t>((index - base_) / kChunkRows)].get();
  }
  void MarkChunkDirty(Chunk& chunk, int64_t first) {
    if (chunk.dirty || !tracking_) return;
    chunk.dirty = true;
    dirty_.push_back(first);
  }
  void ReleaseFront();

  std::deque<std::unique_ptr<Chunk>> chunks_;
  int64_t base_ = 0;  // index of chunks_.front()->slots[0]
  int64_t end_ = 0;
  JoinKeyIndex by_hash_;
  std::priority_queue<TimeAndIndex, std::vector<TimeAndIndex>, std::greater<>> by_time_;
  bool tracking_ = false;
  std::vector<int64_t> dirty_;
  std::vector<int64_t> released_;
};

}  // namespace sluice
