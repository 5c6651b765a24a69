#include "storage/log/crc32c.h"

#include <gtest/gtest.h>

#include <string>

namespace sluice {
namespace {

// Reference values: the CRC-32C check value and the iSCSI test patterns of RFC 3720, B.4.
struct Vector {
  std::string bytes;
  uint32_t crc;
};

std::vector<Vector> Vectors() {
  std::string ascending(32, '\0');
  std::string descending(32, '\0');
  for (int byte_idx = 0; byte_idx < 32; ++byte_idx) {
    ascending[byte_idx] = static_cast<char>(byte_idx);
    descending[byte_idx] = static_cast<char>(31 - byte_idx);
  }
  return {{"123456789", 0xE3069283u},
          {std::string(32, '\0'), 0x8A9136AAu},
          {std::string(32, '\xff'), 0x62A8AB43u},
          {ascending, 0x46DD794Eu},
          {descending, 0x113FDB5Cu}};
}

TEST(Crc32cTest, MatchesPublishedVectors) {
  for (const Vector& v : Vectors()) {
    EXPECT_EQ(Crc32c(v.bytes), v.crc);
    EXPECT_EQ(Crc32cExtendPortable(0, v.bytes.data(), v.bytes.size()), v.crc);
  }
}

TEST(Crc32cTest, ExtendingInPiecesEqualsOneShot) {
  std::string data;
  for (int i = 0; i < 1000; ++i) data.push_back(static_cast<char>(i * 7 + 3));
  const uint32_t whole = Crc32c(data);
  for (size_t split : {size_t{0}, size_t{1}, size_t{7}, size_t{8}, size_t{9}, size_t{500}}) {
    uint32_t crc = Crc32cExtend(0, data.data(), split);
    crc = Crc32cExtend(crc, data.data() + split, data.size() - split);
    EXPECT_EQ(crc, whole) << "split at " << split;
    uint32_t portable = Crc32cExtendPortable(0, data.data(), split);
    portable = Crc32cExtendPortable(portable, data.data() + split, data.size() - split);
    EXPECT_EQ(portable, whole) << "portable, split at " << split;
  }
}

// Inputs long enough for the interleaved hardware path (three chains over the input's thirds,
// joined by carry-less multiplies), at every length and alignment up to 600 bytes, against the
// portable table path.
TEST(Crc32cTest, InterleavedStripesMatchThePortablePath) {
  std::string data;
  for (int i = 0; i < 2000; ++i) data.push_back(static_cast<char>((i * 131 + 17) ^ (i >> 3)));
  for (size_t offset : {size_t{0}, size_t{1}, size_t{5}}) {
    for (size_t size = 0; size + offset <= data.size(); size += size < 600 ? 1 : 97) {
      const char* bytes = data.data() + offset;
      ASSERT_EQ(Crc32cExtend(0x12345678u, bytes, size),
                Crc32cExtendPortable(0x12345678u, bytes, size))
          << "offset " << offset << " size " << size;
    }
  }
  EXPECT_EQ(Crc32c(std::string(192, '\0')),
            Crc32cExtendPortable(0, std::string(192, '\0').data(), 192));
}

// Every length up to 4096 bytes at every alignment within a word, against the portable path:
// below, at and above each interleaving threshold and round boundary, with every tail length.
TEST(Crc32cTest, EveryLengthAndAlignmentUpTo4096MatchesThePortablePath) {
  std::string data;
  for (int i = 0; i < 4096 + 8; ++i) data.push_back(static_cast<char>((i * 193 + 71) ^ (i >> 4)));
  for (size_t offset = 0; offset < 8; ++offset) {
    for (size_t size = 0; size <= 4096; ++size) {
      const char* bytes = data.data() + offset;
      ASSERT_EQ(Crc32cExtend(0x9E3779B9u, bytes, size),
                Crc32cExtendPortable(0x9E3779B9u, bytes, size))
          << "offset " << offset << " size " << size;
    }
  }
}

// A round joins thirds of at most 256 words: longer inputs take several rounds, the last one
// shorter, then a tail of fewer than 96 bytes.
TEST(Crc32cTest, SeveralInterleavedRoundsMatchThePortablePath) {
  std::string data;
  for (int i = 0; i < 40000; ++i) data.push_back(static_cast<char>((i * 151 + 29) ^ (i >> 5)));
  for (size_t size : {size_t{6143}, size_t{6144}, size_t{6145}, size_t{6144 + 95},
                      size_t{6144 + 96}, size_t{12288}, size_t{12289 + 7}, size_t{39999}}) {
    for (size_t offset : {size_t{0}, size_t{3}}) {
      const char* bytes = data.data() + offset;
      ASSERT_EQ(Crc32cExtend(0xCAFEF00Du, bytes, size),
                Crc32cExtendPortable(0xCAFEF00Du, bytes, size))
          << "offset " << offset << " size " << size;
    }
  }
}

}  // namespace
}  // namespace sluice
