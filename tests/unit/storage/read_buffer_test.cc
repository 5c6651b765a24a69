// ReadBuffer: a reader's segment bytes, grown on demand without losing what it holds.

#include "storage/log/read_buffer.h"

#include <gtest/gtest.h>

#include <string>

namespace sluice {
namespace {

TEST(ReadBufferTest, GrowingKeepsTheBytesAndNeverShrinks) {
  ReadBuffer buffer(8);
  ASSERT_EQ(buffer.size(), 8u);
  std::memcpy(buffer.data(), "abcdefgh", 8);
  buffer.resize(4);  // smaller: unchanged
  EXPECT_EQ(buffer.size(), 8u);
  EXPECT_EQ(std::string(buffer.data(), 8), "abcdefgh");
  buffer.resize(1 << 20);
  ASSERT_EQ(buffer.size(), size_t{1} << 20);
  EXPECT_EQ(std::string(buffer.data(), 8), "abcdefgh");
  buffer.data()[(1 << 20) - 1] = 'z';  // the whole new size is writable
  const ReadBuffer& view = buffer;
  EXPECT_EQ(view.data()[(1 << 20) - 1], 'z');
}

}  // namespace
}  // namespace sluice
