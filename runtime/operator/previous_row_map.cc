#include "runtime/operator/previous_row_map.h"

#include <cstring>

#include "common/prefetch.h"

namespace sluice {
namespace {

constexpr uint64_t kTagMask = 0xffffffff00000000ULL;

uint64_t MakeSlot(uint64_t hash, uint32_t entry) {
  return (hash & kTagMask) | (static_cast<uint64_t>(entry) + 1);
}
uint32_t SlotEntry(uint64_t slot) { return static_cast<uint32_t>((slot & ~kTagMask) - 1); }

}  // namespace

uint32_t PreviousRowMap::Read(const char* block, size_t field) {
  uint32_t value = 0;
  std::memcpy(&value, block + field * sizeof(uint32_t), sizeof(value));
  return value;
}

void PreviousRowMap::Write(char* block, size_t field, uint32_t value) {
  std::memcpy(block + field * sizeof(uint32_t), &value, sizeof(value));
}

std::unique_ptr<char[]> PreviousRowMap::NewBlock(std::string_view key, std::string_view row,
                                                 uint32_t chunk) {
  // Not value-initialized: every byte is written below.
  std::unique_ptr<char[]> block(new char[kHeader + key.size() + row.size()]);
  Write(block.get(), 0, chunk);
  Write(block.get(), 1, static_cast<uint32_t>(key.size()));
  Write(block.get(), 2, static_cast<uint32_t>(row.size()));
  if (!key.empty()) std::memcpy(block.get() + kHeader, key.data(), key.size());
  if (!row.empty()) std::memcpy(block.get() + kHeader + key.size(), row.data(), row.size());
  return block;
}

size_t PreviousRowMap::FindSlot(std::string_view key, uint64_t hash) const {
  const size_t mask = slots_.size() - 1;
  const uint64_t tag = hash & kTagMask;
  for (size_t slot = static_cast<size_t>(hash >> 32) & mask;; slot = (slot + 1) & mask) {
    const uint64_t value = slots_[slot];
    if (value == 0) return slot;
    if ((value & kTagMask) == tag && this->key(SlotEntry(value)) == key) return slot;
  }
}

uint32_t PreviousRowMap::Find(std::string_view key, uint64_t hash) const {
  if (slots_.empty()) return kNone;
  const uint64_t slot = slots_[FindSlot(key, hash)];
  return slot == 0 ? kNone : SlotEntry(slot);
}

void PreviousRowMap::PrefetchEntry(uint64_t hash) const {
  if (slots_.empty()) return;
  const uint64_t slot = slots_[SlotHome(hash)];
  if (slot != 0 && (slot & kTagMask) == (hash & kTagMask)) {
    PrefetchLine(blocks_[SlotEntry(slot)].get());
  }
}

std::pair<uint32_t, bool> PreviousRowMap::Insert(std::string_view key, uint64_t hash,
                                                 std::string_view row) {
  if ((size_ + 1) * 4 > slots_.size() * 3) Grow();
  const size_t slot = FindSlot(key, hash);
  if (slots_[slot] != 0) return {SlotEntry(slots_[slot]), false};
  uint32_t entry = 0;
  if (!free_.empty()) {
    entry = free_.back();
    free_.pop_back();
  } else {
    entry = static_cast<uint32_t>(blocks_.size());
    blocks_.emplace_back();
  }
  blocks_[entry] = NewBlock(key, row, kNone);
  slots_[slot] = MakeSlot(hash, entry);
  ++size_;
  return {entry, true};
}

void PreviousRowMap::SetRow(uint32_t entry, std::string_view row) {
  char* block = blocks_[entry].get();
  if (Read(block, 2) == row.size()) {
    if (!row.empty()) std::memcpy(block + kHeader + Read(block, 1), row.data(), row.size());
    return;
  }
  blocks_[entry] = NewBlock(key(entry), row, Read(block, 0));
}

void PreviousRowMap::Erase(uint32_t entry) {
  size_t slot = FindSlot(key(entry), Hash(key(entry)));
  blocks_[entry].reset();
  free_.push_back(entry);
  --size_;
  // Backward-shift deletion: later slots of the probe run move up, so no tombstones.
  const size_t mask = slots_.size() - 1;
  for (size_t next = (slot + 1) & mask; slots_[next] != 0; next = (next + 1) & mask) {
    // The slot at `next` may fill `slot` unless its home is within (slot, next].
    if (((next - SlotHome(slots_[next])) & mask) >= ((next - slot) & mask)) {
      slots_[slot] = slots_[next];
      slot = next;
    }
  }
  slots_[slot] = 0;
}

void PreviousRowMap::Grow() {
  std::vector<uint64_t> old = std::move(slots_);
  slots_.assign(old.empty() ? 16 : old.size() * 2, 0);
  const size_t mask = slots_.size() - 1;
  for (const uint64_t value : old) {
    if (value == 0) continue;
    size_t slot = SlotHome(value);
    while (slots_[slot] != 0) slot = (slot + 1) & mask;
    slots_[slot] = value;
  }
}

}  // namespace sluice
