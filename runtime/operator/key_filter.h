#pragma once
// A set of byte strings that answers "surely absent" or "maybe present" (a Bloom filter that
// grows): the group cache asks it before reading a group back from its state table, so a key
// never written there (a new auction, say) costs no table read. It never forgets a key, and it
// grows by adding a filter twice as large once the newest holds its capacity, so a lookup checks
// O(log keys) filters of ~1% false positives each; about 10 bits per key added.
//
// Each filter is split into 64-byte blocks: a key sets kProbes bits of one block, so a lookup
// touches one cache line per filter.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string_view>
#include <utility>
#include <vector>

#include "runtime/operator/string_hash.h"

namespace sluice {

class KeyFilter {
 public:
  void Add(std::string_view key) {
    if (filters_.empty() || filters_.back().keys >= filters_.back().capacity) Grow();
    Filter& filter = filters_.back();
    const uint64_t hash = Hash(key);
    uint64_t* block = filter.Block(hash);
    for (int probe = 0; probe < kProbes; ++probe) {
      const uint32_t bit = Bit(hash, probe);
      block[bit >> 6] |= uint64_t{1} << (bit & 63);
    }
    ++filter.keys;
  }
  // False only when `key` was never added.
  bool MayContain(std::string_view key) const {
    if (filters_.empty()) return false;
    const uint64_t hash = Hash(key);
    for (const Filter& filter : filters_) {
      const uint64_t* block = filter.Block(hash);
      bool all = true;
      for (int probe = 0; probe < kProbes && all; ++probe) {
        const uint32_t bit = Bit(hash, probe);
        all = (block[bit >> 6] >> (bit & 63)) & 1;
      }
      if (all) return true;
    }
    return false;
  }
  size_t bytes() const {
    size_t total = 0;
    for (const Filter& filter : filters_) total += filter.words.size() * sizeof(uint64_t);
    return total;
  }

 private:
  static constexpr int kProbes = 6;
  static constexpr size_t kWordsPerBlock = 8;  // 512 bits
  static constexpr size_t kBitsPerKey = 10;
  static constexpr size_t kFirstCapacity = 1 << 14;

  struct Filter {
    std::vector<uint64_t> words;
    size_t num_blocks = 0;
    size_t capacity = 0;  // keys it takes before the next filter starts
    size_t keys = 0;
    uint64_t* Block(uint64_t hash) {
      return words.data() + ((hash >> 32) % num_blocks) * kWordsPerBlock;
    }
    const uint64_t* Block(uint64_t hash) const {
      return words.data() + ((hash >> 32) % num_blocks) * kWordsPerBlock;
    }
  };

  static uint64_t Hash(std::string_view key) { return MixedStringHash(key); }
  // The probe's bit within the key's block, from the hash's low half (double hashing).
  static uint32_t Bit(uint64_t hash, int probe) {
    const auto low = static_cast<uint32_t>(hash);
    const uint32_t step = (low >> 17) | 1;
    return (low + static_cast<uint32_t>(probe) * step) & (kWordsPerBlock * 64 - 1);
  }
  void Grow() {
    Filter filter;
    filter.capacity = filters_.empty() ? kFirstCapacity : filters_.back().capacity * 2;
    filter.num_blocks =
        (filter.capacity * kBitsPerKey + kWordsPerBlock * 64 - 1) / (kWordsPerBlock * 64);
    filter.words.assign(filter.num_blocks * kWordsPerBlock, 0);
    filters_.push_back(std::move(filter));
  }

  std::vector<Filter> filters_;
};

}  // namespace sluice
