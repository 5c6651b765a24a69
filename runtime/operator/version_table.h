#pragma once
// VersionTable: the changelog side of a temporal join, key -> its versions in time order. Keys
// live in a slab of slots found through a JoinKeyIndex (hash -> newest slot with that hash,
// slots of colliding keys chained), and a key's versions are a small sorted vector, so a lookup
// costs about three cache misses and no allocation: the join probes it once per stream row.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/prefetch.h"
#include "runtime/operator/join_key_index.h"

namespace sluice {

class VersionTable {
 public:
  struct Version {
    int64_t time = 0;
    int64_t block = -1;  // the checkpoint block holding it as it is now, or -1
    std::string bytes;   // JoinRowCodec; its flag: the key was deleted at this time
  };
  struct Key {
    std::string key;
    int64_t next_same_hash = -1;    // the older slot with the same key hash, or -1
    std::vector<Version> versions;  // by time, ascending; empty: the slot is free
  };

  // Batch lookups go in stages, each touching only what the previous one loaded, so the cache
  // misses of many keys overlap: PrefetchEntry for every key, then PrefetchKey, then
  // PrefetchVersions, then Find.
  void PrefetchEntry(uint64_t hash) const { by_hash_.Prefetch(hash); }
  void PrefetchKey(uint64_t hash) {
    const JoinKeyIndex::Entry* entry = by_hash_.Find(hash);
    if (entry != nullptr) PrefetchLine(&at(entry->newest));
  }
  void PrefetchVersions(uint64_t hash) {
    const JoinKeyIndex::Entry* entry = by_hash_.Find(hash);
    if (entry != nullptr) PrefetchLine(at(entry->newest).versions.data());
  }

  // The slot of `key` (hash: JoinKeyIndex::Hash(key)), or -1.
  int64_t Find(std::string_view key, uint64_t hash);
  // The slot of `key`, added with no versions when absent.
  int64_t FindOrAdd(std::string_view key, uint64_t hash);
  // REQUIRES: a slot from Find or FindOrAdd, not released since.
  Key& at(int64_t slot) { return slots_[static_cast<size_t>(slot)]; }
  // Frees a slot whose versions are all gone; the slot may then be reused by another key.
  void Release(int64_t slot);

  // The version of `key` at exactly `time`, or nullptr.
  static Version* Exact(Key& key, int64_t time);
  // The version of `key` with the largest time <= `time`, or nullptr.
  static const Version* AsOf(const Key& key, int64_t time);
  // The version at exactly `time`, created empty (and kept in order) when absent; *added says
  // which.
  static Version& At(Key& key, int64_t time, bool* added);

 private:
  std::vector<Key> slots_;
  std::vector<int64_t> free_;
  JoinKeyIndex by_hash_;
};

}  // namespace sluice
