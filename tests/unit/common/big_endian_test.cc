// The fixed-width big-endian encoding of state keys: exact bytes, round trips, and byte order
// equal to numeric order (what RocksDB's bytewise key comparison relies on).

#include "common/big_endian.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

namespace sluice {
namespace {

TEST(BigEndianTest, WritesTheMostSignificantByteFirst) {
  std::string out;
  AppendBigEndian(0x0102030405060708ULL, 8, out);
  AppendBigEndian(0xA0B0C0D0U, 4, out);
  EXPECT_EQ(out, std::string("\x01\x02\x03\x04\x05\x06\x07\x08\xA0\xB0\xC0\xD0", 12));
  EXPECT_EQ(ReadBigEndian(out, 8), 0x0102030405060708ULL);
  EXPECT_EQ(ReadBigEndian(std::string_view(out).substr(8), 4), 0xA0B0C0D0U);
  // Fewer bytes than the width: the number they hold.
  EXPECT_EQ(ReadBigEndian(std::string_view("\x01\x02", 2), 8), 0x0102U);
}

TEST(BigEndianTest, EveryWidthWritesAndReadsItsLowBytes) {
  // The fast paths shift by the width: each one checked against bytes built one at a time.
  const uint64_t value = 0x8877665544332211ULL;
  for (size_t width = 1; width <= 8; ++width) {
    std::string expected;
    for (size_t byte_idx = width; byte_idx-- > 0;) {
      expected.push_back(static_cast<char>(value >> (8 * byte_idx)));
    }
    std::string out = "x";
    AppendBigEndian(value, width, out);
    EXPECT_EQ(out, "x" + expected) << width;
    const uint64_t low = width == 8 ? value : value & ((1ULL << (8 * width)) - 1);
    // Bytes past the width are not read.
    EXPECT_EQ(ReadBigEndian(expected + "\xff\xff", width), low) << width;
    EXPECT_EQ(ReadBigEndian(expected, width), low) << width;
  }
}

TEST(BigEndianTest, OrderedInt64SortsBytewiseAsNumbers) {
  const std::vector<int64_t> values = {INT64_MIN, -1000000, -1, 0, 1, 42, 1000000, INT64_MAX};
  std::vector<std::string> encoded;
  for (int64_t value : values) {
    std::string bytes;
    AppendOrderedInt64(value, bytes);
    ASSERT_EQ(bytes.size(), 8U);
    EXPECT_EQ(ReadOrderedInt64(bytes), value);
    encoded.push_back(bytes);
  }
  for (size_t idx = 1; idx < encoded.size(); ++idx) {
    EXPECT_LT(encoded[idx - 1], encoded[idx]) << values[idx - 1] << " vs " << values[idx];
  }
}

}  // namespace
}  // namespace sluice
