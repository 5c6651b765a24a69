#include "runtime/operator/version_table.h"

#include <algorithm>

namespace sluice {

int64_t VersionTable::Find(std::string_view key, uint64_t hash) {
  const JoinKeyIndex::Entry* entry = by_hash_.Find(hash);
  if (entry == nullptr) return -1;
  for (int64_t slot = entry->newest; slot >= 0; slot = at(slot).next_same_hash) {
    if (at(slot).key == key) return slot;
  }
  return -1;
}

int64_t VersionTable::FindOrAdd(std::string_view key, uint64_t hash) {
  const int64_t found = Find(key, hash);
  if (found >= 0) return found;
  int64_t slot;
  if (free_.empty()) {
    slot = static_cast<int64_t>(slots_.size());
    slots_.emplace_back();
  } else {
    slot = free_.back();
    free_.pop_back();
  }
  JoinKeyIndex::Entry& entry = by_hash_.FindOrAdd(hash);
  Key& added = at(slot);
  added.key.assign(key);
  added.next_same_hash = entry.newest;
  entry.newest = slot;
  ++entry.live;
  return slot;
}

void VersionTable::Release(int64_t slot) {
  Key& released = at(slot);
  JoinKeyIndex::Entry* entry = by_hash_.Find(JoinKeyIndex::Hash(released.key));
  if (entry != nullptr) {
    // Unlink the slot from its hash's chain (chains are as long as the hash's collisions).
    if (entry->newest == slot) {
      entry->newest = released.next_same_hash;
    } else {
      for (int64_t prev = entry->newest; prev >= 0; prev = at(prev).next_same_hash) {
        if (at(prev).next_same_hash == slot) {
          at(prev).next_same_hash = released.next_same_hash;
          break;
        }
      }
    }
    if (--entry->live == 0) by_hash_.Erase(entry);
  }
  released.key.clear();
  released.key.shrink_to_fit();
  released.versions = {};
  released.next_same_hash = -1;
  free_.push_back(slot);
}

const VersionTable::Version* VersionTable::AsOf(const Key& key, int64_t time) {
  auto after = std::upper_bound(key.versions.begin(), key.versions.end(), time,
                                [](int64_t t, const Version& version) { return t < version.time; });
  if (after == key.versions.begin()) return nullptr;
  return &*(after - 1);
}

VersionTable::Version* VersionTable::Exact(Key& key, int64_t time) {
  auto at = std::lower_bound(key.versions.begin(), key.versions.end(), time,
                             [](const Version& version, int64_t t) { return version.time < t; });
  return at != key.versions.end() && at->time == time ? &*at : nullptr;
}

VersionTable::Version& VersionTable::At(Key& key, int64_t time, bool* added) {
  *added = false;
  if (key.versions.empty() || key.versions.back().time < time) {
    *added = true;
    key.versions.emplace_back().time = time;
    return key.versions.back();
  }
  auto at = std::lower_bound(key.versions.begin(), key.versions.end(), time,
                             [](const Version& version, int64_t t) { return version.time < t; });
  if (at != key.versions.end() && at->time == time) return *at;
  *added = true;
  at = key.versions.insert(at, Version{});
  at->time = time;
  return *at;
}

}  // namespace sluice
