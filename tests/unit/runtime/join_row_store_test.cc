// JoinRowCodec (the bytes a join keeps and checkpoints) and JoinRowStore (an interval join side's
// buffered rows): round trips of every physical kind, malformed bytes, key chains with hash
// collisions, removal in event-time order and the release of emptied chunks.

#include "runtime/operator/join_row_store.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <unordered_map>
#include <unordered_set>

#include "runtime/operator/join_key_index.h"
#include "runtime/operator/join_row_codec.h"

namespace sluice {
namespace {

Schema RowSchema() {
  Schema schema;
  schema.Add(Field{"s", DataType::Varchar()});
  schema.Add(Field{"n", DataType::Bigint()});
  schema.Add(Field{"d", DataType::Double()});
  schema.Add(Field{"a", DataType::Array(DataType::Bigint())});
  return schema;
}

TEST(JoinRowCodecTest, RoundTripsEveryKindAndNulls) {
  const Schema schema = RowSchema();
  RecordBatch batch(schema);
  batch.column(0).AppendString(std::string("x\0y", 3));
  batch.column(1).AppendInt64(-42);
  batch.column(2).AppendDouble(2.5);
  batch.column(3).AppendNested(
      Value::Array(DataType::Array(DataType::Bigint()), {Value::Bigint(1), Value::Bigint(2)}));
  batch.column(0).AppendNull();
  batch.column(1).AppendNull();
  batch.column(2).AppendNull();
  batch.column(3).AppendNull();
  JoinRowCodec codec(schema);
  std::string first, second;
  codec.Encode(batch, 0, 1234, true, first);
  codec.Encode(batch, 1, -5, false, second);
  EXPECT_EQ(JoinRowCodec::Time(first), 1234);
  EXPECT_TRUE(JoinRowCodec::Flag(first));
  EXPECT_EQ(JoinRowCodec::Time(second), -5);
  EXPECT_FALSE(JoinRowCodec::Flag(second));
  JoinRowCodec::SetFlag(false, first);
  EXPECT_FALSE(JoinRowCodec::Flag(first));

  // Decoded into columns 1.. of a wider batch, as a join places the right side.
  Schema wide;
  wide.Add(Field{"other", DataType::Bigint()});
  for (const Field& field : schema.fields()) wide.Add(field);
  RecordBatch decoded(wide);
  ASSERT_TRUE(codec.Decode(first, decoded, 1).ok());
  ASSERT_TRUE(codec.Decode(second, decoded, 1).ok());
  for (size_t column_idx = 0; column_idx < schema.size(); ++column_idx) {
    EXPECT_EQ(decoded.column(column_idx + 1).GetValue(0), batch.column(column_idx).GetValue(0));
    EXPECT_TRUE(decoded.column(column_idx + 1).IsNull(1));
  }
}

TEST(JoinRowCodecTest, NumericRowsDecodeAColumnAtATimeAsRowByRow) {
  Schema schema;
  schema.Add(Field{"id", DataType::Bigint()});
  schema.Add(Field{"price", DataType::Double()});
  schema.Add(Field{"at", DataType::Bigint()});
  RecordBatch batch(schema);
  for (int64_t row = 0; row < 50; ++row) {
    // Every seventh row has a NULL (shorter: its cell is the presence byte alone).
    if (row % 7 == 3) {
      batch.column(0).AppendNull();
    } else {
      batch.column(0).AppendInt64(row * 1000 - 7);
    }
    batch.column(1).AppendDouble(static_cast<double>(row) / 4);
    batch.column(2).AppendInt64(-row);
  }
  JoinRowCodec codec(schema);
  std::vector<std::string> encoded(50);
  for (size_t row = 0; row < 50; ++row) {
    codec.Encode(batch, row, static_cast<int64_t>(row) + 100, row % 2 == 0, encoded[row]);
    // The layout state written before is read with: format, time, flag, then per cell its
    // presence byte and 8 bytes.
    ASSERT_EQ(encoded[row].size(), row % 7 == 3 ? 10u + 1 + 9 + 9 : 10u + 3 * 9) << row;
    EXPECT_EQ(encoded[row][0], 'B');
    EXPECT_EQ(JoinRowCodec::Time(encoded[row]), static_cast<int64_t>(row) + 100);
    EXPECT_EQ(JoinRowCodec::Flag(encoded[row]), row % 2 == 0);
  }
  // All rows (some with NULLs: row by row), and only the full ones (a column at a time).
  for (bool full_only : {false, true}) {
    std::vector<std::string_view> rows;
    std::vector<size_t> sources;
    for (size_t row = 0; row < 50; ++row) {
      if (full_only && row % 7 == 3) continue;
      rows.push_back(encoded[row]);
      sources.push_back(row);
    }
    RecordBatch decoded(schema);
    ASSERT_TRUE(codec.DecodeRows(rows, decoded, 0).ok());
    ASSERT_EQ(decoded.column(0).size(), rows.size());
    for (size_t at = 0; at < rows.size(); ++at) {
      for (size_t column_idx = 0; column_idx < 3; ++column_idx) {
        EXPECT_EQ(decoded.column(column_idx).GetValue(at),
                  batch.column(column_idx).GetValue(sources[at]))
            << at << " " << column_idx;
      }
    }
  }
  // A full-size row whose presence byte is neither 0 nor 1 is corrupt.
  std::string corrupt = encoded[0];
  corrupt[10] = 2;
  RecordBatch decoded(schema);
  const Status status = codec.DecodeRows({encoded[1], corrupt}, decoded, 0);
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.message().find("join state"), std::string::npos) << status.message();
}

TEST(JoinRowCodecTest, MalformedBytesAreAStorageError) {
  const Schema schema = RowSchema();
  RecordBatch batch(schema);
  batch.column(0).AppendString("abc");
  batch.column(1).AppendInt64(1);
  batch.column(2).AppendDouble(1);
  batch.column(3).AppendNull();
  JoinRowCodec codec(schema);
  std::string bytes;
  codec.Encode(batch, 0, 0, false, bytes);
  for (std::string_view bad : {std::string_view(bytes).substr(0, bytes.size() - 1),
                               std::string_view("{\"s\":\"abc\"}"), std::string_view()}) {
    RecordBatch decoded(schema);
    Status status = codec.Decode(bad, decoded, 0);
    EXPECT_FALSE(status.ok());
    EXPECT_NE(status.message().find("join state"), std::string::npos) << status.message();
  }
  EXPECT_FALSE(JoinRowCodec::Valid("{\"s\":1}"));
}

TEST(JoinKeyIndexTest, KeysEqualAgreesWithStringEqualityAtEverySize) {
  // Sizes around the word compares' range (8 to 16 bytes), keys differing in each byte.
  for (size_t size = 0; size <= 20; ++size) {
    std::string key(size, 'k');
    for (size_t at = 0; at < size; ++at) key[at] = static_cast<char>('a' + at);
    EXPECT_TRUE(JoinKeyIndex::KeysEqual(key, std::string(key))) << size;
    EXPECT_FALSE(JoinKeyIndex::KeysEqual(key, key + "x")) << size;
    for (size_t at = 0; at < size; ++at) {
      std::string other = key;
      other[at] = static_cast<char>(other[at] ^ 0x40);
      EXPECT_FALSE(JoinKeyIndex::KeysEqual(key, other)) << size << " " << at;
    }
  }
}

TEST(JoinKeyIndexTest, ShortKeysHashApartAndSpreadOverTheLowBits) {
  // A million BIGINT keys as the join encodes them (9 bytes), and 16-byte ones: no two hash
  // alike, none hashes to the empty mark, and the low 10 bits (an index of 1024 slots) fill
  // evenly.
  for (size_t size : {size_t{9}, size_t{16}}) {
    std::unordered_set<uint64_t> seen;
    std::vector<int> buckets(1024, 0);
    for (int64_t value = 0; value < 1000000; ++value) {
      std::string key(size, '\1');
      for (int byte = 0; byte < 8; ++byte) {
        key[size - 1 - byte] = static_cast<char>(static_cast<uint64_t>(value) >> (8 * byte));
      }
      const uint64_t hash = JoinKeyIndex::Hash(key);
      EXPECT_NE(hash, 0u);
      seen.insert(hash);
      ++buckets[hash & 1023];
    }
    EXPECT_EQ(seen.size(), 1000000u) << size;
    const auto [fewest, most] = std::minmax_element(buckets.begin(), buckets.end());
    EXPECT_GT(*fewest, 800) << size;  // about 977 each
    EXPECT_LT(*most, 1160) << size;
  }
  // Keys outside 8..16 bytes hash too, and differ by length.
  EXPECT_NE(JoinKeyIndex::Hash("a"), JoinKeyIndex::Hash("ab"));
  EXPECT_NE(JoinKeyIndex::Hash(std::string(17, 'x')), JoinKeyIndex::Hash(std::string(16, 'x')));
}

TEST(JoinKeyIndexTest, AgreesWithAMapThroughInsertsAndErases) {
  JoinKeyIndex index;
  std::unordered_map<uint64_t, int64_t> reference;
  std::mt19937_64 random(42);
  for (int step = 0; step < 200000; ++step) {
    // Few distinct hashes, packed closely, so probe runs are long and wrap around.
    const uint64_t hash = 1 + (random() % 4000) * 3;
    if (random() % 3 == 0) {
      JoinKeyIndex::Entry* entry = index.Find(hash);
      ASSERT_EQ(entry != nullptr, reference.count(hash) == 1);
      if (entry != nullptr) {
        ASSERT_EQ(entry->live, reference[hash]);
        index.Erase(entry);
        reference.erase(hash);
      }
    } else {
      JoinKeyIndex::Entry& entry = index.FindOrAdd(hash);
      entry.live += 1;
      reference[hash] += 1;
    }
  }
  EXPECT_EQ(index.size(), reference.size());
  for (const auto& [hash, live] : reference) {
    ASSERT_NE(index.Find(hash), nullptr);
    EXPECT_EQ(index.Find(hash)->live, live);
  }
}

TEST(JoinRowStoreTest, ChainsRowsByHashNewestFirst) {
  JoinRowStore store;
  // Keys "a" and "b" share a hash on purpose: a probe must compare keys.
  const int64_t a1 = store.Add("a", 7, "row-a1", 10);
  const int64_t b1 = store.Add("b", 7, "row-b1", 11);
  const int64_t a2 = store.Add("a", 7, "row-a2", 12);
  store.Add("c", 8, "row-c", 13);
  std::vector<std::string> seen;
  for (int64_t index = store.Newest(7); store.Contains(index); index = store.at(index).older) {
    if (store.at(index).key() == "a") seen.emplace_back(store.at(index).row());
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"row-a2", "row-a1"}));
  EXPECT_EQ(store.at(b1).key(), "b");
  EXPECT_EQ(store.Newest(9), -1);
  EXPECT_EQ(store.size(), 4u);
  EXPECT_EQ(store.Oldest(), a1);
  store.RemoveOldest();
  EXPECT_FALSE(store.at(a1).alive);
  EXPECT_EQ(store.Oldest(), b1);
  store.RemoveOldest();
  EXPECT_EQ(store.Oldest(), a2);
  store.RemoveOldest();
  EXPECT_EQ(store.Newest(7), -1);  // every row of the hash is gone
  EXPECT_EQ(store.size(), 1u);
}

TEST(JoinRowStoreTest, RemovesByTimeAndReleasesEmptiedChunks) {
  JoinRowStore store;
  constexpr int64_t kRows = 10000;
  const std::string big(20000, 'x');  // rows larger than a block get their own
  for (int64_t row = 0; row < kRows; ++row) {
    // Out of time order within pairs: removal follows time, not arrival.
    const int64_t time = row % 2 == 0 ? row + 1 : row - 1;
    store.Add("k" + std::to_string(row % 3), JoinRowStore::Hash("k" + std::to_string(row % 3)),
              row % 1000 == 0 ? big : std::to_string(row), time);
  }
  int64_t last_time = INT64_MIN;
  for (int64_t removed = 0; removed < kRows - 1; ++removed) {
    const int64_t index = store.Oldest();
    ASSERT_GE(store.at(index).time, last_time);
    last_time = store.at(index).time;
    store.RemoveOldest();
  }
  EXPECT_EQ(store.size(), 1u);
  EXPECT_GT(store.first(), 0);  // the leading chunks went back
  const int64_t index = store.Oldest();
  EXPECT_EQ(store.at(index).row(), std::to_string(index));
  store.RemoveOldest();
  EXPECT_EQ(store.Oldest(), -1);
  // Still usable after every row went.
  const int64_t next = store.Add("k", JoinRowStore::Hash("k"), "again", 1);
  EXPECT_EQ(next, kRows);
  EXPECT_EQ(store.at(store.Newest(JoinRowStore::Hash("k"))).row(), "again");
}

TEST(JoinRowStoreTest, TracksDirtyAndReleasedChunksForCheckpoints) {
  JoinRowStore store;
  store.Add("x", 1, "untracked", 0);
  store.TrackChanges();
  EXPECT_TRUE(store.TakeDirty().empty());  // nothing before tracking began
  constexpr int64_t kRows = JoinRowStore::kChunkRows;
  for (int64_t row = 1; row < 2 * kRows; ++row) store.Add("x", 1, "r", row);
  EXPECT_EQ(store.TakeDirty(), (std::vector<int64_t>{0, kRows}));
  store.SetWritten(0, true);
  store.SetWritten(kRows, true);
  EXPECT_TRUE(store.TakeDirty().empty());
  store.MarkDirty(kRows + 5);  // e.g. a row of an outer side became matched
  EXPECT_EQ(store.TakeDirty(), (std::vector<int64_t>{kRows}));
  for (int64_t row = 0; row < kRows; ++row) store.RemoveOldest();
  // The first chunk's rows are all gone: released, and no longer reported dirty.
  EXPECT_EQ(store.TakeReleased(), (std::vector<int64_t>{0}));
  EXPECT_TRUE(store.TakeDirty().empty());
  EXPECT_TRUE(store.TakeReleased().empty());
  store.RemoveOldest();
  EXPECT_EQ(store.TakeDirty(), (std::vector<int64_t>{kRows}));  // a row left it
}

}  // namespace
}  // namespace sluice
