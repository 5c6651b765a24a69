#include "storage/log/partitioner.h"

#include <gtest/gtest.h>

namespace sluice {
namespace {

// Values asserted by Apache Kafka's own UtilsTest.testMurmur2 (Java ints).
TEST(PartitionerTest, Murmur2MatchesKafka) {
  EXPECT_EQ(KafkaMurmur2("21"), -973932308);
  EXPECT_EQ(KafkaMurmur2("foobar"), -790332482);
  EXPECT_EQ(KafkaMurmur2("a-little-bit-long-string"), -985981536);
  EXPECT_EQ(KafkaMurmur2("a-little-bit-longer-string"), -1486304829);
  EXPECT_EQ(KafkaMurmur2("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8"), -58897971);
  EXPECT_EQ(KafkaMurmur2("abc"), 479470107);
}

// Lengths with one trailing byte and none at all, which Kafka's vectors do not cover; values
// from an independent implementation of the same definition that reproduces Kafka's vectors.
TEST(PartitionerTest, Murmur2ShortTails) {
  EXPECT_EQ(KafkaMurmur2("x"), 2121525046);
  EXPECT_EQ(KafkaMurmur2("hello"), 2132663229);
  EXPECT_EQ(KafkaMurmur2(""), 275646681);
}

TEST(PartitionerTest, PartitionIsPositiveHashModuloCount) {
  // (-973932308 & 0x7fffffff) = 1173551340
  EXPECT_EQ(PartitionForKey("21", 4), 1173551340 % 4);
  EXPECT_EQ(PartitionForKey("21", 7), 1173551340 % 7);
  // (-790332482 & 0x7fffffff) = 1357151166
  EXPECT_EQ(PartitionForKey("foobar", 4), 2);
  EXPECT_EQ(PartitionForKey("foobar", 12), 6);
  EXPECT_EQ(PartitionForKey("abc", 7), 479470107 % 7);
  EXPECT_EQ(PartitionForKey("a-little-bit-longer-string", 6), 5);
  EXPECT_EQ(PartitionForKey("", 6), 3);  // an empty key is a key
  for (int32_t partitions = 1; partitions < 40; ++partitions) {
    const int32_t p = PartitionForKey("a-little-bit-long-string", partitions);
    EXPECT_GE(p, 0);
    EXPECT_LT(p, partitions);
  }
}

TEST(PartitionerTest, KeylessRecordsRoundRobin) {
  EXPECT_EQ(PartitionForCounter(0, 3), 0);
  EXPECT_EQ(PartitionForCounter(1, 3), 1);
  EXPECT_EQ(PartitionForCounter(2, 3), 2);
  EXPECT_EQ(PartitionForCounter(3, 3), 0);
  EXPECT_EQ(PartitionForCounter(UINT64_MAX, 2), 1);
}

}  // namespace
}  // namespace sluice
