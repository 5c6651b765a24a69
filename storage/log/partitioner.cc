#include "storage/log/partitioner.h"

#include <cassert>

namespace sluice {

int32_t KafkaMurmur2(std::string_view bytes) {
  // Unsigned arithmetic reproduces Java's wrapping int multiply and its >>> shifts.
  constexpr uint32_t kSeed = 0x9747b28cu;
  constexpr uint32_t kMul = 0x5bd1e995u;
  const auto* data = reinterpret_cast<const uint8_t*>(bytes.data());
  const size_t length = bytes.size();

  uint32_t h = kSeed ^ static_cast<uint32_t>(length);
  const size_t words = length / 4;
  for (size_t word_idx = 0; word_idx < words; ++word_idx) {
    const uint8_t* p = data + word_idx * 4;
    uint32_t k =
        uint32_t{p[0]} | (uint32_t{p[1]} << 8) | (uint32_t{p[2]} << 16) | (uint32_t{p[3]} << 24);
    k *= kMul;
    k ^= k >> 24;
    k *= kMul;
    h *= kMul;
    h ^= k;
  }
  const uint8_t* tail = data + (length & ~size_t{3});
  switch (length % 4) {
    case 3: h ^= uint32_t{tail[2]} << 16; [[fallthrough]];
    case 2: h ^= uint32_t{tail[1]} << 8; [[fallthrough]];
    case 1: h ^= uint32_t{tail[0]}; h *= kMul;
  }
  h ^= h >> 13;
  h *= kMul;
  h ^= h >> 15;
  return static_cast<int32_t>(h);
}

int32_t PartitionForKey(std::string_view key, int32_t partitions) {
  assert(partitions > 0);
  if (partitions == 1) return 0;  // a changelog of one partition hashes no key per row
  const int32_t positive = KafkaMurmur2(key) & 0x7fffffff;
  return positive % partitions;
}

int32_t PartitionForCounter(uint64_t counter, int32_t partitions) {
  assert(partitions > 0);
  return static_cast<int32_t>(counter % static_cast<uint64_t>(partitions));
}

}  // namespace sluice
