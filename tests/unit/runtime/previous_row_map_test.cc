// PreviousRowMap: keys and rows in one block per entry, found again after inserts, row changes (of
// the same and of another length) and erases (backward-shift deletion across grown indexes), with
// entry indexes that stay while the key lives.

#include "runtime/operator/previous_row_map.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

namespace sluice {
namespace {

std::string Key(int key) { return "k" + std::to_string(key * 7919); }
std::string RowOf(int key, int version) {
  return std::string(static_cast<size_t>(key % 40), 'r') + std::to_string(version);
}

TEST(PreviousRowMapTest, MatchesAMapThroughInsertsChangesAndErases) {
  PreviousRowMap map;
  std::map<std::string, std::pair<uint32_t, std::string>> expected;  // key -> (entry, row)
  for (int round = 0; round < 4; ++round) {
    for (int key = 0; key < 5000; ++key) {
      const std::string row = RowOf(key + round, round);
      auto it = expected.find(Key(key));
      if (round % 2 == 1 && key % 3 == 0) {
        if (it == expected.end()) continue;
        map.Erase(it->second.first);
        expected.erase(it);
      } else if (it == expected.end()) {
        auto [entry, added] = map.Insert(Key(key), row);
        ASSERT_TRUE(added);
        map.set_chunk(entry, static_cast<uint32_t>(key));
        expected[Key(key)] = {entry, row};
      } else {
        map.SetRow(it->second.first, row);
        it->second.second = row;
      }
    }
    ASSERT_EQ(map.size(), expected.size());
    for (int key = 0; key < 5000; ++key) {
      auto it = expected.find(Key(key));
      const uint32_t entry = map.Find(Key(key));
      if (it == expected.end()) {
        EXPECT_EQ(entry, PreviousRowMap::kNone) << key;
        continue;
      }
      ASSERT_EQ(entry, it->second.first) << key;
      EXPECT_EQ(map.key(entry), Key(key));
      EXPECT_EQ(map.row(entry), it->second.second);
      EXPECT_EQ(map.chunk(entry), static_cast<uint32_t>(key));
    }
  }
  // Inserting a present key changes nothing.
  auto [entry, added] = map.Insert(Key(1), "other");
  EXPECT_FALSE(added);
  EXPECT_EQ(map.row(entry), expected[Key(1)].second);
}

TEST(PreviousRowMapTest, EmptyKeysAndRowsAndReusedEntries) {
  PreviousRowMap map;
  EXPECT_EQ(map.Find(""), PreviousRowMap::kNone);
  const uint32_t empty = map.Insert("", "").first;
  EXPECT_EQ(map.Find(""), empty);
  EXPECT_EQ(map.row(empty), "");
  EXPECT_EQ(map.chunk(empty), PreviousRowMap::kNone);
  map.SetRow(empty, "now longer");
  EXPECT_EQ(map.row(empty), "now longer");
  EXPECT_EQ(map.key(empty), "");
  map.Erase(empty);
  EXPECT_EQ(map.size(), 0u);
  // The freed index serves the next key.
  EXPECT_EQ(map.Insert("next", "row").first, empty);
  EXPECT_EQ(map.Find(""), PreviousRowMap::kNone);
}

// Nexmark q4's previous rows (an 18-byte key of two BIGINT cells, a 26-byte row of two prefixed
// cells) must cost well under the ~170 bytes of a map of strings: 600K of them fit 64 MiB.
TEST(PreviousRowMapTest, ShortEntriesAreChargedOneBlockAndTheirIndex) {
  EXPECT_LE(PreviousRowMap::EntryBytes(18, 26, sizeof(uint32_t)), 100u);
  EXPECT_LT(600000 * PreviousRowMap::EntryBytes(18, 26, sizeof(uint32_t)), size_t{64} << 20);
  // A longer row costs its bytes.
  EXPECT_GE(PreviousRowMap::EntryBytes(18, 1000, 0), 1018u);
}

TEST(PreviousRowMapTest, LookupsWithAPrecomputedHashAgreeWithPlainOnes) {
  PreviousRowMap map;
  // Prefetching an absent key, or before the map has an index, is harmless.
  map.Prefetch(PreviousRowMap::Hash("none"));
  map.PrefetchEntry(PreviousRowMap::Hash("none"));
  EXPECT_EQ(map.Find("none", PreviousRowMap::Hash("none")), PreviousRowMap::kNone);
  for (int key = 0; key < 3000; ++key) {
    const uint64_t hash = PreviousRowMap::Hash(Key(key));
    map.Prefetch(hash);
    map.PrefetchEntry(hash);
    if (key % 2 == 0) {
      EXPECT_TRUE(map.Insert(Key(key), hash, RowOf(key, 0)).second);
    } else {
      EXPECT_TRUE(map.Insert(Key(key), RowOf(key, 0)).second);
    }
    // A present key is not added again, whichever overload.
    EXPECT_FALSE(map.Insert(Key(key), hash, "other").second);
  }
  for (int key = 0; key < 3500; ++key) {
    const uint64_t hash = PreviousRowMap::Hash(Key(key));
    map.PrefetchEntry(hash);
    const uint32_t entry = map.Find(Key(key), hash);
    EXPECT_EQ(entry, map.Find(Key(key))) << key;
    if (key >= 3000) {
      EXPECT_EQ(entry, PreviousRowMap::kNone) << key;
      continue;
    }
    ASSERT_NE(entry, PreviousRowMap::kNone) << key;
    EXPECT_EQ(map.row(entry), RowOf(key, 0));
  }
}

}  // namespace
}  // namespace sluice
