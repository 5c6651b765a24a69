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
//
// Memory stays bounded when a spill directory is set: once the rows held in memory pass a budget,
// the oldest chunks move to a file there (join_row_spill.cc), keeping in memory only a chunk's
// time range and a Bloom filter of its key hashes (2 bytes per row). A full chunk's image in the
// file never changes; rows that leave or match later are bits beside it. With a durable file
// (SetDurableSpill) checkpoints reference a full chunk's image instead of writing its rows again
// (join_row_image.cc), so each row reaches the disk once. The key index and
// the time order then cover the resident rows only; a probe walks the resident chain and reads
// the spilled chunks whose time range and filter it may hit, and a spilled chunk leaves whole once
// the watermark passes its newest row. Rows mostly arrive in event-time order, so the time order
// is a cursor over in-order rows plus a heap of the rows that came late, not a heap entry per row.

#include <cstdint>
#include <cstdlib>
#include <deque>
#include <functional>
#include <memory>
#include <queue>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/prefetch.h"
#include "common/status.h"
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
    bool in_order = false;  // no earlier row had a later time (the cursor's rows)

    std::string_view key() const { return {bytes, key_size}; }
    std::string_view row() const { return {bytes + key_size, row_size}; }
  };

  JoinRowStore() = default;
  ~JoinRowStore();
  JoinRowStore(const JoinRowStore&) = delete;
  JoinRowStore& operator=(const JoinRowStore&) = delete;

  static uint64_t Hash(std::string_view key) { return JoinKeyIndex::Hash(key); }

  // Buffers a row (copying `key` and `row`); returns its index. Indexes grow by one per row.
  int64_t Add(std::string_view key, uint64_t hash, std::string_view row, int64_t time);
  // REQUIRES: Resident(index).
  Slot& at(int64_t index) {
    const auto offset = static_cast<uint64_t>(index - base_);
    return chunk_refs_[offset / kChunkRows].slots[offset % kChunkRows];
  }
  // False for indexes of rows whose chunk is gone (all of them were removed).
  bool Contains(int64_t index) const { return index >= base_ && index < end_; }
  // True for rows held in memory (at() may read them); false for gone and spilled rows.
  bool Resident(int64_t index) const { return index >= resident_base_ && index < end_; }
  // The newest resident row with key hash `hash`, or -1. Walk on with Slot::older while
  // Resident(), skipping rows that are not alive and rows whose key() differs (a hash collision);
  // then ProbeSpilled for the spilled rows.
  int64_t Newest(uint64_t hash) {
    const JoinKeyIndex::Entry* entry = by_hash_.Find(hash);
    return entry == nullptr ? -1 : entry->newest;
  }
  // Starts loading what Add or Newest for `hash` reads first (batch-at-a-time callers).
  void Prefetch(uint64_t hash) const { by_hash_.Prefetch(hash); }
  // Starts loading a row's slot, or (reading the slot) its key and row bytes; nothing unless
  // Resident(index).
  void PrefetchSlot(int64_t index) {
    if (Resident(index)) PrefetchLine(&at(index));
  }
  void PrefetchBytes(int64_t index) {
    if (Resident(index)) PrefetchLine(at(index).bytes);
  }
  // The live resident row with the smallest time (ties: the first added), or -1 when none.
  int64_t Oldest();
  // Removes the row Oldest() returned.
  void RemoveOldest() { RemoveOldest(Oldest()); }
  // The same, for a caller that holds what Oldest() returned. REQUIRES: index == Oldest().
  void RemoveOldest(int64_t index);
  // Marks a row (resident or spilled) matched.
  void MarkMatched(int64_t index);

  // Live rows, resident and spilled.
  size_t size() const { return live_rows_; }
  // Live rows of the chunk starting at `first`.
  int64_t live(int64_t first) { return chunk(first)->live; }
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
  // Bytes of the rows added since the last TakeDirty (what the next checkpoint writes, roughly).
  size_t unsaved_bytes() const { return unsaved_bytes_; }
  // Records that the chunk starting at `first` was written (true) or deleted (false).
  void SetWritten(int64_t first, bool written) { chunk(first)->written = written; }
  bool written(int64_t first) { return chunk(first)->written; }
  // The first indexes of written chunks released since the last call (all their rows gone).
  std::vector<int64_t> TakeReleased();
  // Visits the live rows of the chunk starting at `first` (resident or spilled).
  using RowVisitor = std::function<Status(int64_t index, int64_t time, std::string_view key,
                                          std::string_view row, bool matched)>;
  [[nodiscard]] Status ForEachLive(int64_t first, const RowVisitor& visit);

  // Spilling (join_row_spill.cc). Until SetSpill every row stays in memory. The file is
  // unlinked (a cache) until SetDurableSpill names it.
  void SetSpill(std::string dir, size_t resident_budget_bytes) {
    spill_dir_ = std::move(dir);
    budget_ = resident_budget_bytes;
  }
  // Keeps the spill file as `name` in the spill directory, across restarts: checkpoints may then
  // reference chunk images in it (Image, ImageRef, ReadImage). REQUIRES: SetSpill, before the
  // first row.
  void SetDurableSpill(std::string name) { durable_name_ = std::move(name); }
  bool durable() const { return !spill_dir_.empty() && !durable_name_.empty(); }
  // Moves the oldest resident chunks (never the one being filled) to the spill file until the
  // resident rows fit the budget.
  [[nodiscard]] Status SpillOverBudget();
  // Visits the live spilled rows with hash `hash` and time in [low, high] (key not compared).
  [[nodiscard]] Status ProbeSpilled(uint64_t hash, int64_t low, int64_t high,
                                    const RowVisitor& visit);
  // Visits (unless `visit` is empty), then removes, the rows of the spilled chunks whose newest
  // row is at or before `limit`, oldest chunk first.
  [[nodiscard]] Status ExpireSpilled(int64_t limit, const RowVisitor& visit);
  // Bytes the resident rows take (slots and row bytes); spilled chunks' metadata is not counted.
  size_t resident_bytes() const { return resident_bytes_; }
  int64_t spilled_chunks() const { return (resident_base_ - base_) / kChunkRows; }
  // Live rows in spilled chunks and the bytes of those chunks' images (a walk over the spilled
  // chunks: for reports, not per row).
  int64_t spilled_live_rows() const;
  int64_t spilled_bytes() const;
  // Spilled chunks read back from the file so far (probes, outer rows expiring, checkpoints).
  int64_t chunks_read() const { return chunks_read_; }

  // Chunk images in a durable spill file (join_row_image.cc). A chunk may be imaged once it is
  // full (or spilled, which images it); its image then stands for its rows at checkpoints.
  bool Imageable(int64_t first) {
    const Chunk& owner = *chunk(first);
    return durable() && (owner.imaged || owner.slots.size() == static_cast<size_t>(kChunkRows));
  }
  // Writes the chunk's image to the file unless it has one. REQUIRES: Imageable(first).
  [[nodiscard]] Status Image(int64_t first);
  // What a checkpoint writes for an imaged chunk: where its image lies and which of its slots
  // left or matched since it was written (a bitmap each, empty when none).
  struct ImageRef {
    uint64_t offset = 0;
    uint64_t size = 0;
    std::vector<uint64_t> dead;
    std::vector<uint64_t> matched;
  };
  ImageRef RefOf(int64_t first);
  // Restore: visits the rows of an image a checkpoint referenced (slot, time, key, row, matched
  // as written); the range is freed once the next checkpoint no longer references it.
  using ImageVisitor = std::function<Status(uint32_t slot, int64_t time, std::string_view key,
                                            std::string_view row, bool matched)>;
  [[nodiscard]] Status ReadImage(uint64_t offset, uint64_t size, const ImageVisitor& visit);
  // After the last ReadImage of a restore: frees what the file holds that no image read
  // references (written after the checkpoint, or freed before a crash).
  [[nodiscard]] Status FinishRestore();
  // The checkpoint barrier: makes the images written so far durable, and frees the file ranges
  // of chunks that left before the previous barrier (no committed checkpoint references them).
  // REQUIRES: the previous barrier's checkpoint committed (a failed commit stops the pipeline).
  [[nodiscard]] Status SyncSpill();
  // Bytes the spill file holds (allocated blocks, holes excluded), for tests.
  uint64_t spill_file_bytes() const;
  // Whether images go to the durable file with direct I/O (false once it was refused), for tests.
  bool direct_io() const { return durable() && direct_io_; }

 private:
  static constexpr size_t kBlockBytes = 64 * 1024;
  static constexpr size_t kBloomWords = kChunkRows * 16 / 64;  // 16 bits per row
  struct Chunk {
    std::vector<Slot> slots;
    std::vector<std::unique_ptr<char[]>> blocks;
    size_t block_used = kBlockBytes;  // of blocks.back()
    size_t bytes = 0;                 // memory of slots and blocks
    int64_t live = 0;
    bool dirty = false;
    bool written = false;
    size_t unsaved = 0;  // of unsaved_bytes_: rows added since TakeDirty, not imaged yet
    // An imaged chunk: the rows live when it was imaged at [file_offset, + file_size) of the
    // spill file; a spilled chunk is always imaged.
    bool imaged = false;
    bool spilled = false;
    uint64_t file_offset = 0;
    uint64_t file_size = 0;
    uint64_t file_span = 0;  // the bytes the image takes in the file: its size, padded (durable)
    int64_t min_time = 0;
    int64_t max_time = 0;
    std::vector<uint64_t> bloom;    // kBloomWords, over the rows' hashes
    std::vector<uint64_t> matched;  // a spilled chunk's rows matched, a bit per slot (lazy)
    std::vector<uint64_t> dead;     // a spilled chunk's rows gone before the spill (lazy)
    char* Allocate(size_t size);
  };
  using TimeAndIndex = std::pair<int64_t, int64_t>;

  Chunk* chunk(int64_t index) {
    return chunk_refs_[static_cast<uint64_t>(index - base_) / kChunkRows].chunk;
  }
  void MarkChunkDirty(Chunk& chunk, int64_t first) {
    if (chunk.dirty || !tracking_) return;
    chunk.dirty = true;
    dirty_.push_back(first);
  }
  void ReleaseFront();
  // Oldest(): the cursor's row or the heap's, whichever is older (-1: none).
  int64_t OldestInOrder();
  int64_t OldestLate();
  // Spill file I/O (join_row_spill.cc, join_row_image.cc).
  Status SpillFront();
  Status ImageChunk(Chunk& chunk);
  Status OpenSpill(bool create = true);
  Status WriteAt(const char* bytes, size_t size, uint64_t offset);
  Status ReadAt(uint64_t offset, uint64_t size, std::string& out);
  // Gives a released image's file range back: at once for an unlinked file, after the next
  // barrier's checkpoint for a durable one.
  void FreeImage(const Chunk& chunk);
  void Punch(uint64_t offset, uint64_t size);
  Status Load(const Chunk& chunk);  // into spill_buffer_
  Status ScanLoaded(const Chunk& chunk, int64_t first, const RowVisitor& visit, uint64_t only_hash,
                    int64_t low, int64_t high);
  static bool BloomMayContain(const Chunk& chunk, uint64_t hash);

  std::deque<std::unique_ptr<Chunk>> chunks_;
  // chunks_[i] and its slots.data() (reserved whole, so it never moves; stale once spilled, when
  // at() no longer reads it): at() and chunk() on every probe and purge are two loads instead of
  // a walk through the deque, the chunk and its vector.
  struct ChunkRef {
    Chunk* chunk;
    Slot* slots;
  };
  std::vector<ChunkRef> chunk_refs_;
  int64_t base_ = 0;  // index of chunks_.front()->slots[0]
  int64_t end_ = 0;
  int64_t resident_base_ = 0;  // chunks before it are spilled
  size_t live_rows_ = 0;
  JoinKeyIndex by_hash_;  // resident rows only
  // Time order: rows with in_order set by index (cursor_ is the first that may be live), and the
  // rest in a heap.
  int64_t cursor_ = 0;
  int64_t in_order_time_ = INT64_MIN;
  std::priority_queue<TimeAndIndex, std::vector<TimeAndIndex>, std::greater<>> late_;
  size_t resident_bytes_ = 0;
  size_t budget_ = 0;
  std::string spill_dir_;
  std::string durable_name_;
  int spill_fd_ = -1;
  // A durable file's images are written with direct I/O (O_DIRECT), past the page cache: copying
  // a spilling join's rows into the page cache cost more CPU than building them (Nexmark q7
  // writes 1.4 GB). So its images start at kDirectAlign boundaries and are padded to one. A
  // file system without direct I/O (tmpfs) gets buffered writes: direct_io_ turns false.
  static constexpr uint64_t kDirectAlign = 4096;
  int direct_fd_ = -1;
  bool direct_io_ = true;
  uint64_t spill_end_ = 0;
  bool unsynced_ = false;  // images written since the last SyncSpill
  std::string spill_buffer_;
  struct FreeDelete {
    void operator()(char* bytes) const { std::free(bytes); }
  };
  std::unique_ptr<char[], FreeDelete> image_buffer_;  // ImageChunk's, kDirectAlign-aligned
  size_t image_capacity_ = 0;
  uint64_t opened_end_ = 0;  // the durable file's size when opened (what a restore may reference)
  // A durable file's released ranges: since the last barrier, and since the one before.
  std::vector<std::pair<uint64_t, uint64_t>> freed_;
  std::vector<std::pair<uint64_t, uint64_t>> sealed_;
  bool tracking_ = false;
  std::vector<int64_t> dirty_;
  size_t unsaved_bytes_ = 0;
  std::vector<int64_t> released_;
  int64_t chunks_read_ = 0;
};

}  // namespace sluice
