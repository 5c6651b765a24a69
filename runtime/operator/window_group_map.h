#pragma once
// The groups of one window (or HOP pane) of WindowAggregateOperator: a hash map from encoded group
// key to V, shaped like std::unordered_map<std::string, V> where the operator uses it, but flat.
// Entries live in chunks of doubling size, so their addresses never change (staged rows and the
// dirty list point at them); an open-addressing index of 8-byte slots (linear probing, at most half
// full) finds them. Compared to std::unordered_map a group costs no node allocation, next pointer
// or bucket, a lookup touches one slot array instead of chasing a bucket list, growing rehashes the
// slots only, and dropping a window frees chunks instead of every node.
//
// An entry's key is a view of the map's own key bytes, packed back to back in blocks: a key longer
// than std::string's inline 15 bytes (an id and a name) costs its length, not a heap block of 32+
// bytes plus a 32-byte std::string. The view must not be changed through an entry.
//
// Erasing (the group cache evicting) destroys the entry in place and reuses its storage for a
// later insert; iteration skips erased entries, in no particular order. Once erased keys' bytes
// outweigh the live ones', an erase packs the live keys into fresh blocks: entries stay where they
// are, but views of keys taken before an erase may dangle (entry->first is always current).
#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <new>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "common/prefetch.h"
#include "runtime/operator/string_hash.h"

namespace sluice {

template <typename V>
class WindowGroupMap {
 public:
  using value_type = std::pair<std::string_view, V>;

  template <bool kConst>
  class Iterator {
   public:
    using Map = std::conditional_t<kConst, const WindowGroupMap, WindowGroupMap>;
    using Entry = std::conditional_t<kConst, const value_type, value_type>;
    Iterator() = default;
    Iterator(Map* map, size_t index) : map_(map), index_(index) { SkipErased(); }
    Entry& operator*() const { return *map_->EntryAt(index_); }
    Entry* operator->() const { return map_->EntryAt(index_); }
    Iterator& operator++() {
      ++index_;
      SkipErased();
      return *this;
    }
    bool operator==(const Iterator& other) const { return index_ == other.index_; }
    bool operator!=(const Iterator& other) const { return index_ != other.index_; }
    size_t index() const { return index_; }

   private:
    void SkipErased() {
      while (index_ < map_->live_.size() && !map_->live_[index_]) ++index_;
    }
    Map* map_ = nullptr;
    size_t index_ = 0;
  };
  using iterator = Iterator<false>;
  using const_iterator = Iterator<true>;

  WindowGroupMap() = default;
  WindowGroupMap(const WindowGroupMap&) = delete;
  WindowGroupMap& operator=(const WindowGroupMap&) = delete;
  WindowGroupMap(WindowGroupMap&& other) noexcept { Swap(other); }
  WindowGroupMap& operator=(WindowGroupMap&& other) noexcept {
    if (this != &other) {
      Clear();
      Swap(other);
    }
    return *this;
  }
  ~WindowGroupMap() { Clear(); }

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  iterator begin() { return iterator(this, 0); }
  iterator end() { return iterator(this, live_.size()); }
  const_iterator begin() const { return const_iterator(this, 0); }
  const_iterator end() const { return const_iterator(this, live_.size()); }

  iterator find(std::string_view key) { return find_hashed(key, Hash(key)); }
  // find with the key's HashOf computed beforehand.
  iterator find_hashed(std::string_view key, uint64_t hash) {
    const size_t slot = FindSlot(key, hash);
    return slots_.empty() || slots_[slot] == 0 ? end() : iterator(this, EntryIndex(slots_[slot]));
  }
  size_t count(std::string_view key) const {
    return !slots_.empty() && slots_[FindSlot(key, Hash(key))] != 0 ? 1 : 0;
  }

  // Inserts (key, V(args...)) unless the key is present; returns the key's entry and whether it
  // was inserted.
  template <typename... Args>
  std::pair<iterator, bool> try_emplace(std::string_view key, Args&&... args) {
    return try_emplace_hashed(key, Hash(key), std::forward<Args>(args)...);
  }
  // try_emplace with the key's HashOf computed beforehand (a batch's keys hashed once, ahead).
  template <typename... Args>
  std::pair<iterator, bool> try_emplace_hashed(std::string_view key, uint64_t hash,
                                               Args&&... args) {
    if ((size_ + 1) * 2 > slots_.size()) Grow();
    const size_t slot = FindSlot(key, hash);
    if (slots_[slot] != 0) return {iterator(this, EntryIndex(slots_[slot])), false};
    size_t index = 0;
    if (!free_.empty()) {
      index = free_.back();
      free_.pop_back();
    } else {
      index = live_.size();
      if (index + kFirstChunk == (kFirstChunk << chunks_.size())) {
        const size_t entries = kFirstChunk << chunks_.size();
        chunks_.emplace_back(static_cast<Storage*>(::operator new(sizeof(Storage) * entries)));
      }
      live_.push_back(0);
    }
    new (StorageAt(index))
        value_type(std::piecewise_construct, std::forward_as_tuple(StoreKey(key)),
                   std::forward_as_tuple(std::forward<Args>(args)...));
    live_[index] = 1;
    slots_[slot] = MakeSlot(hash, index);
    ++size_;
    return {iterator(this, index), true};
  }
  template <typename Value>
  std::pair<iterator, bool> emplace(std::string_view key, Value&& value) {
    return try_emplace(key, std::forward<Value>(value));
  }

  // The hash lookups of `key` use, for a caller that hashes a batch of keys ahead of looking
  // them up.
  static uint64_t HashOf(std::string_view key) { return Hash(key); }
  // A lookup waits on up to three cache misses in turn: the slot, the entry it names, the
  // entry's key bytes. A caller looking up a batch of keys hides them by calling, some rows ahead
  // of each lookup, Prefetch(hash, 0), then 1, then 2: each step starts loading what the next
  // one (or the lookup) reads, and reads only what the step before loaded. Only a hint: it
  // changes nothing, and a slot that names another key (or none) just loads useless lines.
  void Prefetch(uint64_t hash, int step) const {
    if (slots_.empty()) return;
    const uint64_t* slot = &slots_[static_cast<size_t>(hash >> 32) & (slots_.size() - 1)];
    if (step == 0) {
      PrefetchLine(slot);
      return;
    }
    if (*slot == 0) return;
    const value_type* entry = EntryAt(EntryIndex(*slot));
    if (step == 1) {
      // The key's view and the value's first bytes: an entry of 100+ bytes starts anywhere in a
      // line, so its first 64 bytes may span two.
      PrefetchLine(entry);
      PrefetchLine(reinterpret_cast<const char*>(entry) + 63);
    } else {
      PrefetchLine(entry->first.data());
    }
  }

  // Erases the entry (its address may be reused by a later insert); returns the next one.
  iterator erase(iterator it) {
    const size_t index = it.index();
    value_type* entry = EntryAt(index);
    size_t slot = FindSlot(entry->first, Hash(entry->first));
    keys_.live_bytes -= entry->first.size();
    keys_.dead_bytes += entry->first.size();
    entry->~value_type();
    live_[index] = 0;
    free_.push_back(index);
    --size_;
    // Backward-shift deletion: later entries of the probe run move up, so no tombstones.
    const size_t mask = slots_.size() - 1;
    size_t next = (slot + 1) & mask;
    while (slots_[next] != 0) {
      const size_t home = SlotHome(slots_[next]);
      // The entry at `next` may fill `slot` if its home is not within (slot, next].
      if (((next - home) & mask) >= ((next - slot) & mask)) {
        slots_[slot] = slots_[next];
        slot = next;
      }
      next = (next + 1) & mask;
    }
    slots_[slot] = 0;
    if (keys_.dead_bytes > keys_.live_bytes + kKeyBlockMaxBytes) PackKeys();
    return iterator(this, index + 1);
  }

  // Bytes held besides what entries allocate themselves (long keys, accumulators' extras).
  size_t memory_bytes() const {
    const size_t entries = (kFirstChunk << chunks_.size()) - kFirstChunk;
    return entries * sizeof(Storage) + slots_.capacity() * sizeof(uint64_t) + live_.capacity() +
           free_.capacity() * sizeof(uint32_t) + keys_.block_bytes;
  }

 private:
  // Chunk c holds entries [16 * (2^c - 1), 16 * (2^(c+1) - 1)): a window of a few groups takes
  // little, a big one wastes at most its last chunk's unused (and so untouched, uncommitted) tail.
  static constexpr size_t kFirstChunk = 16;
  struct Storage {
    alignas(value_type) unsigned char bytes[sizeof(value_type)];
  };
  struct ChunkDelete {
    void operator()(Storage* chunk) const { ::operator delete(chunk); }
  };

  // Key blocks grow from kKeyBlockMinBytes, doubling, to kKeyBlockMaxBytes (or one key's size):
  // a window of a few groups takes little, a big one allocates a block per few thousand keys.
  static constexpr size_t kKeyBlockMinBytes = 256;
  static constexpr size_t kKeyBlockMaxBytes = 64 * 1024;

  static uint64_t Hash(std::string_view key) { return MixedStringHash(key); }

  // Copies `key` into the current key block (a new one when it does not fit); returns the copy.
  std::string_view StoreKey(std::string_view key) {
    keys_.live_bytes += key.size();
    if (key.empty()) return std::string_view("", 0);  // data() never null, as std::string's
    if (key.size() > keys_.left) {
      const size_t bytes = std::max(key.size(), keys_.next_block_bytes);
      keys_.next_block_bytes = std::min(keys_.next_block_bytes * 2, kKeyBlockMaxBytes);
      // Default-initialized: the bytes are written as keys arrive, not zeroed up front.
      keys_.blocks.emplace_back(new char[bytes]);
      keys_.block_bytes += bytes;
      keys_.next = keys_.blocks.back().get();
      keys_.left = bytes;
    }
    char* copy = keys_.next;
    std::memcpy(copy, key.data(), key.size());
    keys_.next += key.size();
    keys_.left -= key.size();
    return {copy, key.size()};
  }

  // Copies every live key into fresh blocks and frees the old ones (erased keys' bytes with them).
  void PackKeys() {
    KeyBlocks old = std::move(keys_);
    keys_ = KeyBlocks();
    keys_.next_block_bytes = std::clamp(old.live_bytes, kKeyBlockMinBytes, kKeyBlockMaxBytes);
    for (size_t index = 0; index < live_.size(); ++index) {
      if (live_[index]) EntryAt(index)->first = StoreKey(EntryAt(index)->first);
    }
  }

  // A slot: the hash's high 32 bits (a tag, and the home slot's source) and entry index + 1 (0:
  // empty).
  static uint64_t MakeSlot(uint64_t hash, size_t index) {
    return (hash & 0xffffffff00000000ULL) | static_cast<uint64_t>(index + 1);
  }
  static size_t EntryIndex(uint64_t slot) { return static_cast<size_t>(slot & 0xffffffffULL) - 1; }
  size_t SlotHome(uint64_t slot) const {
    return static_cast<size_t>(slot >> 32) & (slots_.size() - 1);
  }

  // The slot holding `key`, or the empty slot where it would go. REQUIRES: slots_ not full.
  size_t FindSlot(std::string_view key, uint64_t hash) const {
    if (slots_.empty()) return 0;
    const size_t mask = slots_.size() - 1;
    const uint64_t tag = hash & 0xffffffff00000000ULL;
    for (size_t slot = static_cast<size_t>(hash >> 32) & mask;; slot = (slot + 1) & mask) {
      const uint64_t entry = slots_[slot];
      if (entry == 0) return slot;
      if ((entry & 0xffffffff00000000ULL) == tag &&
          EncodedKeysEqual(EntryAt(EntryIndex(entry))->first, key)) {
        return slot;
      }
    }
  }

  void Grow() {
    std::vector<uint64_t> old = std::move(slots_);
    slots_.assign(old.empty() ? 16 : old.size() * 2, 0);
    const size_t mask = slots_.size() - 1;
    for (const uint64_t entry : old) {
      if (entry == 0) continue;
      size_t slot = static_cast<size_t>(entry >> 32) & mask;
      while (slots_[slot] != 0) slot = (slot + 1) & mask;
      slots_[slot] = entry;
    }
  }

  Storage* StorageAt(size_t index) const {
    const size_t shifted = index + kFirstChunk;
    const size_t chunk = static_cast<size_t>(std::bit_width(shifted)) - std::bit_width(kFirstChunk);
    return &chunks_[chunk].get()[shifted - (kFirstChunk << chunk)];
  }
  value_type* EntryAt(size_t index) const {
    return std::launder(reinterpret_cast<value_type*>(StorageAt(index)->bytes));
  }

  void Clear() {
    for (size_t index = 0; index < live_.size(); ++index) {
      if (live_[index]) EntryAt(index)->~value_type();
    }
    chunks_.clear();
    slots_.clear();
    live_.clear();
    free_.clear();
    size_ = 0;
    keys_ = KeyBlocks();
  }
  void Swap(WindowGroupMap& other) noexcept {
    std::swap(chunks_, other.chunks_);
    std::swap(slots_, other.slots_);
    std::swap(live_, other.live_);
    std::swap(free_, other.free_);
    std::swap(size_, other.size_);
    std::swap(keys_, other.keys_);
  }

  std::vector<std::unique_ptr<Storage, ChunkDelete>> chunks_;
  std::vector<uint64_t> slots_;  // power-of-two size, at most half full
  std::vector<uint8_t> live_;    // per entry index: 1 while it holds an entry
  std::vector<uint32_t> free_;   // erased entry indexes, for reuse
  size_t size_ = 0;
  struct KeyBlocks {
    std::vector<std::unique_ptr<char[]>> blocks;  // the keys' bytes; the last one is filling
    char* next = nullptr;                         // where the next key goes in the last block
    size_t left = 0;                              // bytes left in the last block
    size_t next_block_bytes = kKeyBlockMinBytes;
    size_t block_bytes = 0;  // all blocks' bytes, for memory_bytes()
    size_t live_bytes = 0;   // bytes of live entries' keys
    size_t dead_bytes = 0;   // bytes of erased entries' keys, still in the blocks
  };
  KeyBlocks keys_;
};

}  // namespace sluice
