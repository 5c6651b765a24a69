// MixedStringHash and EncodedKeysEqual, which the operators' hash structures index and compare
// encoded keys by: distinct short keys get distinct hashes, keys that differ only in their low
// bytes (sequential ids, as encoded cells) spread over the high bits that open-addressing
// indexes take slots and tags from, the inline word-load paths (up to 32 bytes) see every byte,
// and EncodedKeysEqual agrees with plain byte equality at every size.

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

TEST(StringHashTest, KeysOfEveryLengthThatDifferInOneByteHashApart) {
  std::set<uint64_t> hashes;
  size_t keys = 0;
  for (size_t size = 0; size <= 24; ++size) {
    const std::string base(size, 'k');
    hashes.insert(MixedStringHash(base));
    ++keys;
    for (size_t position = 0; position < size; ++position) {
      for (int byte : {0, 1, 0x80, 0xff}) {
        std::string key = base;
        key[position] = static_cast<char>(byte);
        hashes.insert(MixedStringHash(key));
        ++keys;
      }
    }
  }
  // Different lengths of the same byte, and each one-byte change: no two collide.
  EXPECT_EQ(hashes.size(), keys);
}

TEST(StringHashTest, SequentialEncodedIdsSpreadOverHighAndMiddleBits) {
  constexpr size_t kKeys = 1 << 16;
  constexpr size_t kBuckets = 1024;
  std::vector<size_t> top(kBuckets, 0);
  std::vector<size_t> middle(kBuckets, 0);
  for (uint64_t id = 1000; id < 1000 + kKeys; ++id) {
    std::string key = "\x01";  // an encoded BIGINT: a tag, then 8 bytes
    AppendBigEndian(id ^ (1ULL << 63), 8, key);
    const uint64_t hash = MixedStringHash(key);
    ++top[hash >> 54];
    ++middle[(hash >> 32) & (kBuckets - 1)];
  }
  // 64 keys per bucket on average: a fair spread keeps every bucket well within 32..100.
  for (const std::vector<size_t>* buckets : {&top, &middle}) {
    EXPECT_GE(*std::min_element(buckets->begin(), buckets->end()), 32U);
    EXPECT_LE(*std::max_element(buckets->begin(), buckets->end()), 100U);
  }
}

std::string KeyOfSize(size_t size) {
  std::string key;
  for (size_t byte_idx = 0; byte_idx < size; ++byte_idx)
    key.push_back(static_cast<char>(byte_idx * 7 + 1));
  return key;
}

TEST(StringHashTest, EqualityAgreesWithByteEqualityAtEverySizeAndPosition) {
  for (size_t size = 0; size <= 40; ++size) {
    const std::string key = KeyOfSize(size);
    const std::string same = key;  // other storage, same bytes
    EXPECT_TRUE(EncodedKeysEqual(key, same)) << size;
    for (size_t byte_idx = 0; byte_idx < size; ++byte_idx) {
      std::string other = key;
      other[byte_idx] = static_cast<char>(other[byte_idx] ^ 0x40);
      EXPECT_FALSE(EncodedKeysEqual(key, other)) << size << " at " << byte_idx;
    }
    EXPECT_FALSE(EncodedKeysEqual(key, key + "x")) << size;
    if (size > 0) {
      EXPECT_FALSE(EncodedKeysEqual(key, key.substr(0, size - 1))) << size;
    }
  }
}

TEST(StringHashTest, EveryByteAndTheSizeChangeTheHash) {
  for (size_t size = 0; size <= 40; ++size) {
    const std::string key = KeyOfSize(size);
    EXPECT_EQ(MixedStringHash(key), MixedStringHash(std::string(key))) << size;
    for (size_t byte_idx = 0; byte_idx < size; ++byte_idx) {
      std::string other = key;
      other[byte_idx] = static_cast<char>(other[byte_idx] ^ 0x01);
      EXPECT_NE(MixedStringHash(key), MixedStringHash(other)) << size << " at " << byte_idx;
    }
  }
  // Zero bytes of different lengths (a key padded with zeros is another key).
  std::set<uint64_t> hashes;
  for (size_t size = 0; size <= 40; ++size) hashes.insert(MixedStringHash(std::string(size, '\0')));
  EXPECT_EQ(hashes.size(), 41u);
}

// Group keys of two BIGINTs (18 bytes) that differ in the low bits of either number spread over
// the high bits the group map takes its slot and tag from.
TEST(StringHashTest, TwoNumberKeysSpreadOverTheHighBits) {
  std::set<uint64_t> slots;
  constexpr int kKeys = 4096;
  for (int key_idx = 0; key_idx < kKeys; ++key_idx) {
    std::string key(18, '\0');
    key[0] = key[9] = '\1';
    key[8] = static_cast<char>(key_idx & 0xff);
    key[17] = static_cast<char>(key_idx >> 8);
    slots.insert(MixedStringHash(key) >> 52);  // 4096 slots
  }
  // Random placement fills ~63% of 4096 slots with 4096 keys; a poor hash fills far fewer.
  EXPECT_GT(slots.size(), 2400u);
}

}  // namespace
}  // namespace sluice
