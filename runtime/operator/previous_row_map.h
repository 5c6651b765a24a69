#pragma once
// The previous rows of ChangelogAggregateOperator: encoded primary key -> the bytes the key's
// current row contributed, and the state chunk the key is saved in. Built for hundreds of
// thousands of short entries (Nexmark q4: an 18-byte key, a 26-byte row): each entry is ONE heap
// block holding its chunk id, both lengths, the key and the row, so an entry costs that block
// (64 bytes for q4), a pointer and its share of the index, against ~170 bytes for a map of
// std::string to std::string (two strings in the node and a heap block for each). The index is
// open addressing over 8-byte slots (the hash's high 32 bits and entry index + 1), linear probing,
// at most 3/4 full; entries are addressed by their index, which stays while the key lives (chunks
// list their members by index), even when a row of another length replaces its block.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <utility>
#include <vector>

#include "common/prefetch.h"
#include "runtime/operator/string_hash.h"

namespace sluice {

class PreviousRowMap {
 public:
  static constexpr uint32_t kNone = 0xFFFFFFFF;

  size_t size() const { return size_; }
  // The hash the map indexes `key` by (callers that look up a batch of keys compute it once).
  static uint64_t Hash(std::string_view key) { return MixedStringHash(key); }
  // The entry of `key`, or kNone.
  uint32_t Find(std::string_view key) const { return Find(key, Hash(key)); }
  // REQUIRES: hash == Hash(key).
  uint32_t Find(std::string_view key, uint64_t hash) const;
  // Starts loading the index slot a lookup of `hash` reads first.
  void Prefetch(uint64_t hash) const {
    if (!slots_.empty()) PrefetchLine(&slots_[SlotHome(hash)]);
  }
  // Starts loading the block of the entry a lookup of `hash` most likely finds (the one at its
  // home slot). Reads that slot: best after Prefetch(hash) had time to load it.
  void PrefetchEntry(uint64_t hash) const;
  // Adds (key, row) with chunk kNone unless `key` is present; returns the key's entry and whether
  // it was added.
  std::pair<uint32_t, bool> Insert(std::string_view key, std::string_view row) {
    return Insert(key, Hash(key), row);
  }
  // REQUIRES: hash == Hash(key).
  std::pair<uint32_t, bool> Insert(std::string_view key, uint64_t hash, std::string_view row);
  // Replaces the entry's row (in place when the length is the same).
  void SetRow(uint32_t entry, std::string_view row);
  // Frees the entry; its index may be reused by a later insert.
  void Erase(uint32_t entry);

  std::string_view key(uint32_t entry) const {
    const char* block = blocks_[entry].get();
    return {block + kHeader, Read(block, 1)};
  }
  std::string_view row(uint32_t entry) const {
    const char* block = blocks_[entry].get();
    return {block + kHeader + Read(block, 1), Read(block, 2)};
  }
  uint32_t chunk(uint32_t entry) const { return Read(blocks_[entry].get(), 0); }
  void set_chunk(uint32_t entry, uint32_t chunk) { Write(blocks_[entry].get(), 0, chunk); }

  // The estimated memory an entry of these lengths takes: its block as the allocator rounds it,
  // its pointer, its share of the index, and `extra` (what the caller keeps per entry).
  static size_t EntryBytes(size_t key_size, size_t row_size, size_t extra) {
    // glibc malloc: an 8-byte header, 16-byte granules, 32 bytes at least.
    const size_t block = ((kHeader + key_size + row_size + 8 + 15) & ~size_t{15});
    // The index is between 3/8 and 3/4 full: two slots per entry on average.
    return (block < 32 ? 32 : block) + sizeof(char*) + 2 * sizeof(uint64_t) + extra;
  }
  size_t EntryBytes(uint32_t entry, size_t extra) const {
    const char* block = blocks_[entry].get();
    return EntryBytes(Read(block, 1), Read(block, 2), extra);
  }

 private:
  // A block: chunk id, key length, row length (uint32 each, native order), key, row.
  static constexpr size_t kHeader = 3 * sizeof(uint32_t);
  static uint32_t Read(const char* block, size_t field);
  static void Write(char* block, size_t field, uint32_t value);
  static std::unique_ptr<char[]> NewBlock(std::string_view key, std::string_view row,
                                          uint32_t chunk);

  // The slot holding `key`, or the empty slot where it would go.
  size_t FindSlot(std::string_view key, uint64_t hash) const;
  // The home slot of a hash, or of the hash whose tag a slot holds (the high 32 bits).
  size_t SlotHome(uint64_t slot) const {
    return static_cast<size_t>(slot >> 32) & (slots_.size() - 1);
  }
  void Grow();

  std::vector<std::unique_ptr<char[]>> blocks_;  // by entry index; null: free
  std::vector<uint32_t> free_;                   // free entry indexes, for reuse
  std::vector<uint64_t> slots_;                  // power-of-two size, at most 3/4 full
  size_t size_ = 0;
};

}  // namespace sluice
