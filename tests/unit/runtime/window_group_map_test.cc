// WindowGroupMap, the flat hash map of a window's groups: growth and rehash with many keys,
// stable entry addresses, erase (backward shift) and reuse, iteration, moves, and the key blocks
// (keys packed back to back, repacked once erased keys outweigh the live ones).

#include "runtime/operator/window_group_map.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace sluice {
namespace {

std::string Key(int value) { return "key-" + std::to_string(value); }

TEST(WindowGroupMapTest, FindsEveryKeyThroughGrowthWithStableAddresses) {
  WindowGroupMap<int64_t> map;
  EXPECT_TRUE(map.empty());
  EXPECT_EQ(map.find("absent"), map.end());
  EXPECT_EQ(map.count("absent"), 0u);
  constexpr int kKeys = 100000;  // many rehashes and chunks
  std::vector<const int64_t*> addresses;
  for (int key = 0; key < kKeys; ++key) {
    auto [it, created] = map.try_emplace(Key(key), key * 3);
    ASSERT_TRUE(created);
    addresses.push_back(&it->second);
  }
  EXPECT_EQ(map.size(), static_cast<size_t>(kKeys));
  for (int key = 0; key < kKeys; ++key) {
    auto it = map.find(Key(key));
    ASSERT_NE(it, map.end());
    EXPECT_EQ(it->first, Key(key));
    EXPECT_EQ(it->second, key * 3);
    EXPECT_EQ(&it->second, addresses[static_cast<size_t>(key)]);  // never moved by growth
  }
  // A second insert of a key finds the first and leaves it alone.
  auto [it, created] = map.try_emplace(Key(7), -1);
  EXPECT_FALSE(created);
  EXPECT_EQ(it->second, 21);
  EXPECT_EQ(map.count(Key(kKeys)), 0u);
  // Iteration visits every entry once.
  std::set<std::string> seen;
  for (const auto& [key, value] : map) EXPECT_TRUE(seen.insert(std::string(key)).second);
  EXPECT_EQ(seen.size(), static_cast<size_t>(kKeys));
  EXPECT_GT(map.memory_bytes(), kKeys * sizeof(int64_t));
}

TEST(WindowGroupMapTest, EraseKeepsTheOthersFindableAndReusesStorage) {
  WindowGroupMap<std::string> map;
  std::map<std::string, std::string> expected;
  constexpr int kKeys = 5000;
  for (int key = 0; key < kKeys; ++key) {
    map.emplace(Key(key), std::string(40, static_cast<char>('a' + key % 26)));
    expected[Key(key)] = std::string(40, static_cast<char>('a' + key % 26));
  }
  // Erase every third key, in iteration order (the pattern of the group cache's expiry pass).
  int position = 0;
  for (auto it = map.begin(); it != map.end();) {
    if (position++ % 3 == 0) {
      expected.erase(std::string(it->first));
      it = map.erase(it);
    } else {
      ++it;
    }
  }
  EXPECT_EQ(map.size(), expected.size());
  for (int key = 0; key < kKeys; ++key) {
    auto it = map.find(Key(key));
    auto want = expected.find(Key(key));
    if (want == expected.end()) {
      EXPECT_EQ(it, map.end()) << Key(key);
    } else {
      ASSERT_NE(it, map.end()) << Key(key);
      EXPECT_EQ(it->second, want->second);
    }
  }
  size_t iterated = 0;
  for (const auto& [key, value] : map) {
    EXPECT_EQ(expected.at(std::string(key)), value);
    ++iterated;
  }
  EXPECT_EQ(iterated, expected.size());
  // Erased storage is reused: re-inserting the erased keys allocates no new chunk (only key
  // bytes, at most a block more than the keys themselves).
  const size_t bytes = map.memory_bytes();
  size_t key_bytes = 0;
  for (int key = 0; key < kKeys; ++key) {
    if (expected.count(Key(key)) != 0) continue;
    map.try_emplace(Key(key), "back");
    key_bytes += Key(key).size();
  }
  EXPECT_EQ(map.size(), static_cast<size_t>(kKeys));
  EXPECT_LE(map.memory_bytes(), bytes + key_bytes + 64 * 1024);
  EXPECT_EQ(map.find(Key(0))->second, "back");
  // Erase everything, then the map still works.
  for (auto it = map.begin(); it != map.end();) it = map.erase(it);
  EXPECT_TRUE(map.empty());
  EXPECT_EQ(map.find(Key(1)), map.end());
  map.try_emplace("again", "x");
  EXPECT_EQ(map.find("again")->second, "x");
}

TEST(WindowGroupMapTest, CollidingKeysAndMoves) {
  // Keys that differ only late, and an empty key (a global aggregate's group).
  WindowGroupMap<int> map;
  for (int key = 0; key < 300; ++key) map.try_emplace(std::string(100, 'x') + Key(key), key);
  map.try_emplace("", -1);
  WindowGroupMap<int> moved = std::move(map);
  EXPECT_EQ(moved.size(), 301u);
  EXPECT_EQ(moved.find("")->second, -1);
  EXPECT_EQ(moved.find(std::string(100, 'x') + Key(299))->second, 299);
  WindowGroupMap<int> assigned;
  assigned.try_emplace("old", 1);
  assigned = std::move(moved);
  EXPECT_EQ(assigned.size(), 301u);
  EXPECT_EQ(assigned.count("old"), 0u);
  // Erasing from a long probe run keeps the later members of the run findable.
  for (int key = 0; key < 300; key += 2) {
    assigned.erase(assigned.find(std::string(100, 'x') + Key(key)));
  }
  for (int key = 1; key < 300; key += 2) {
    ASSERT_NE(assigned.find(std::string(100, 'x') + Key(key)), assigned.end());
  }
}

// Keys longer than std::string's inline buffer cost their bytes in the map's blocks, not a heap
// block each; a churn of inserts and erases (the group cache evicting) repacks the live keys, so
// key memory follows the live keys, and entries keep their addresses and values through it.
TEST(WindowGroupMapTest, KeyBlocksFollowTheLiveKeysThroughChurn) {
  WindowGroupMap<int64_t> map;
  auto long_key = [](int64_t value) { return std::string(24, 'k') + std::to_string(value); };
  constexpr int64_t kKept = 100;
  std::vector<const int64_t*> kept_addresses;
  for (int64_t key = 0; key < kKept; ++key) {
    kept_addresses.push_back(&map.try_emplace(long_key(key), key).first->second);
  }
  const size_t kept_bytes = map.memory_bytes();
  size_t largest = 0;
  int64_t next = kKept;
  for (int round = 0; round < 50; ++round) {
    // 10K new keys (~300 KB of key bytes a round), then all of them erased again.
    const int64_t first = next;
    for (int64_t idx = 0; idx < 10000; ++idx, ++next) map.try_emplace(long_key(next), next);
    for (int64_t key = first; key < next; ++key) map.erase(map.find(long_key(key)));
    ASSERT_EQ(map.size(), static_cast<size_t>(kKept));
    largest = std::max(largest, map.memory_bytes());
  }
  // 50 rounds wrote 15 MB of keys; what stays is the entries and slots of 10K groups (whose
  // storage erased entries leave for reuse) and about a round of key bytes.
  EXPECT_LT(largest, kept_bytes + 2 * 1024 * 1024) << largest;
  for (int64_t key = 0; key < kKept; ++key) {
    auto it = map.find(long_key(key));
    ASSERT_NE(it, map.end()) << key;
    EXPECT_EQ(it->first, long_key(key));
    EXPECT_EQ(it->second, key);
    EXPECT_EQ(&it->second, kept_addresses[static_cast<size_t>(key)]);
  }
  // A key inserted after the repacks is stored and found like the others.
  map.try_emplace(long_key(-1), -1);
  EXPECT_EQ(map.find(long_key(-1))->second, -1);
  EXPECT_EQ(map.find(long_key(-1))->first, long_key(-1));
}

TEST(WindowGroupMapTest, HashedInsertsAndPrefetchesMatchPlainLookups) {
  WindowGroupMap<int> map;
  // Prefetching an empty map, or an absent key at any step, is a no-op.
  for (int step = 0; step < 3; ++step) map.Prefetch(WindowGroupMap<int>::HashOf("x"), step);
  EXPECT_TRUE(map.empty());
  constexpr int kKeys = 5000;
  for (int key = 0; key < kKeys; ++key) {
    const uint64_t hash = WindowGroupMap<int>::HashOf(Key(key));
    for (int step = 0; step < 3; ++step) map.Prefetch(hash, step);
    auto [it, created] = map.try_emplace_hashed(Key(key), hash, key);
    ASSERT_TRUE(created);
    EXPECT_EQ(it->first, Key(key));
  }
  for (int key = 0; key < kKeys; ++key) {
    // A plain lookup finds what a hashed insert put there, and a hashed insert of a present key
    // finds it too: both index by the same hash.
    ASSERT_NE(map.find(Key(key)), map.end());
    EXPECT_EQ(map.find(Key(key))->second, key);
    const uint64_t hash = WindowGroupMap<int>::HashOf(Key(key));
    for (int step = 0; step < 3; ++step) map.Prefetch(hash, step);
    auto [it, created] = map.try_emplace_hashed(Key(key), hash, -1);
    EXPECT_FALSE(created);
    EXPECT_EQ(it->second, key);
  }
  EXPECT_EQ(map.size(), static_cast<size_t>(kKeys));
}

}  // namespace
}  // namespace sluice
