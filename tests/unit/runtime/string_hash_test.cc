// ShortKeyHash: distinct short keys get distinct hashes, and keys that differ only in their low
// bytes (sequential ids, as encoded cells) spread over the high bits that open-addressing
// indexes take slots and tags from.

#include "runtime/operator/string_hash.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "common/big_endian.h"

namespace sluice {
namespace {

TEST(ShortKeyHashTest, KeysOfEveryLengthThatDifferInOneByteHashApart) {
  std::set<uint64_t> hashes;
  size_t keys = 0;
  for (size_t size = 0; size <= 24; ++size) {
    const std::string base(size, 'k');
    hashes.insert(ShortKeyHash(base));
    ++keys;
    for (size_t position = 0; position < size; ++position) {
      for (int byte : {0, 1, 0x80, 0xff}) {
        std::string key = base;
        key[position] = static_cast<char>(byte);
        hashes.insert(ShortKeyHash(key));
        ++keys;
      }
    }
  }
  // Different lengths of the same byte, and each one-byte change: no two collide.
  EXPECT_EQ(hashes.size(), keys);
  // Longer keys hash as MixedStringHash does.
  const std::string long_key(40, 'x');
  EXPECT_EQ(ShortKeyHash(long_key), MixedStringHash(long_key));
}

TEST(ShortKeyHashTest, SequentialEncodedIdsSpreadOverHighAndMiddleBits) {
  constexpr size_t kKeys = 1 << 16;
  constexpr size_t kBuckets = 1024;
  std::vector<size_t> top(kBuckets, 0);
  std::vector<size_t> middle(kBuckets, 0);
  for (uint64_t id = 1000; id < 1000 + kKeys; ++id) {
    std::string key = "\x01";  // an encoded BIGINT: a tag, then 8 bytes
    AppendBigEndian(id ^ (1ULL << 63), 8, key);
    const uint64_t hash = ShortKeyHash(key);
    ++top[hash >> 54];
    ++middle[(hash >> 32) & (kBuckets - 1)];
  }
  // 64 keys per bucket on average: a fair spread keeps every bucket well within 32..100.
  for (const std::vector<size_t>* buckets : {&top, &middle}) {
    EXPECT_GE(*std::min_element(buckets->begin(), buckets->end()), 32U);
    EXPECT_LE(*std::max_element(buckets->begin(), buckets->end()), 100U);
  }
}

}  // namespace
}  // namespace sluice
