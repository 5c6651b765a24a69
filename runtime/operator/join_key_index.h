#pragma once
// JoinKeyIndex: key hash -> (newest row index, live rows) for JoinRowStore, as an open-addressing
// table with linear probing. Entries sit inline (24 bytes), so a lookup usually costs one cache
// miss where a node-based map costs one per node visited, and inserts allocate nothing. Removal
// shifts later entries back, so no tombstones pile up as keys come and go.

#include <cstdint>
#include <cstring>
#include <functional>
#include <string_view>
#include <vector>

#include "common/prefetch.h"

namespace sluice {

class JoinKeyIndex {
 public:
  struct Entry {
    uint64_t hash = 0;  // 0: empty slot (Hash() never returns 0)
    int64_t newest = -1;
    int64_t live = 0;
  };

  // The hash of an encoded join key; never 0 (the empty mark). A key of 8 to 16 bytes (one
  // BIGINT, DOUBLE or TIMESTAMP column encodes to 9) is two overlapping words multiplied and
  // mixed, inline: std::hash's call and byte loop cost more than the probe it serves. In memory
  // only: a restore hashes the keys it reads again.
  static uint64_t Hash(std::string_view key) {
    uint64_t hash = 0;
    if (key.size() >= 8 && key.size() <= 16) {
      uint64_t first = 0;
      uint64_t last = 0;
      std::memcpy(&first, key.data(), 8);
      std::memcpy(&last, key.data() + key.size() - 8, 8);
      hash = first * 0x9e3779b97f4a7c15ULL;
      hash ^= ((last * 0xc2b2ae3d27d4eb4fULL) << 31 | (last * 0xc2b2ae3d27d4eb4fULL) >> 33) +
              key.size();
      // MurmurHash3's finalizer: every input bit reaches the low bits the index masks by.
      hash ^= hash >> 33;
      hash *= 0xff51afd7ed558ccdULL;
      hash ^= hash >> 33;
      hash *= 0xc4ceb9fe1a85ec53ULL;
      hash ^= hash >> 33;
    } else {
      hash = std::hash<std::string_view>()(key);
    }
    return hash == 0 ? 1 : hash;
  }

  // Whether two encoded keys are equal; one of 8 to 16 bytes (a BIGINT's is 9) by two word
  // compares instead of a call to memcmp.
  static bool KeysEqual(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    if (a.size() < 8 || a.size() > 16) return a == b;
    uint64_t words[4];
    std::memcpy(&words[0], a.data(), 8);
    std::memcpy(&words[1], b.data(), 8);
    std::memcpy(&words[2], a.data() + a.size() - 8, 8);
    std::memcpy(&words[3], b.data() + b.size() - 8, 8);
    return words[0] == words[1] && words[2] == words[3];
  }

  // Starts loading the cache line a lookup of `hash` begins at.
  void Prefetch(uint64_t hash) const {
    if (!entries_.empty()) PrefetchLine(&entries_[hash & mask_]);
  }

  // The entry for `hash`, or nullptr.
  Entry* Find(uint64_t hash) {
    if (entries_.empty()) return nullptr;
    for (size_t slot = hash & mask_;; slot = (slot + 1) & mask_) {
      Entry& entry = entries_[slot];
      if (entry.hash == hash) return &entry;
      if (entry.hash == 0) return nullptr;
    }
  }
  // The entry for `hash`, created empty (newest -1, live 0) when absent.
  Entry& FindOrAdd(uint64_t hash) {
    // At most half full: linear probing stays short (unsuccessful lookups most of all).
    if ((size_ + 1) * 2 > entries_.size()) Grow();
    for (size_t slot = hash & mask_;; slot = (slot + 1) & mask_) {
      Entry& entry = entries_[slot];
      if (entry.hash == hash) return entry;
      if (entry.hash == 0) {
        entry.hash = hash;
        ++size_;
        return entry;
      }
    }
  }
  // Removes `entry` (from Find or FindOrAdd; other entry pointers are invalid afterwards).
  void Erase(Entry* entry) {
    size_t hole = static_cast<size_t>(entry - entries_.data());
    for (size_t slot = (hole + 1) & mask_;; slot = (slot + 1) & mask_) {
      Entry& next = entries_[slot];
      if (next.hash == 0) break;
      // `next` may fill the hole unless its home slot lies cyclically in (hole, slot].
      const size_t home = next.hash & mask_;
      const bool stays =
          hole <= slot ? (hole < home && home <= slot) : (hole < home || home <= slot);
      if (stays) continue;
      entries_[hole] = next;
      hole = slot;
    }
    entries_[hole] = Entry{};
    --size_;
  }
  size_t size() const { return size_; }

 private:
  void Grow() {
    std::vector<Entry> old;
    old.swap(entries_);
    entries_.resize(old.empty() ? 1024 : old.size() * 2);
    mask_ = entries_.size() - 1;
    size_ = 0;
    for (const Entry& entry : old) {
      if (entry.hash != 0) FindOrAdd(entry.hash) = entry;
    }
  }

  std::vector<Entry> entries_;
  size_t mask_ = 0;
  size_t size_ = 0;
};

}  // namespace sluice
