// KeyFilter: never a false "absent" for a key added, however many filters it grew to; few false
// "maybe present" for keys never added.

#include "runtime/operator/key_filter.h"

#include <gtest/gtest.h>

#include <string>

namespace sluice {
namespace {

TEST(KeyFilterTest, EmptyHoldsNothing) {
  KeyFilter filter;
  EXPECT_FALSE(filter.MayContain("a"));
  EXPECT_FALSE(filter.MayContain(""));
  EXPECT_EQ(filter.bytes(), 0u);
}

TEST(KeyFilterTest, KeysAddedAreAlwaysFoundAndOthersRarely) {
  KeyFilter filter;
  constexpr int kKeys = 200000;  // several growths past the first filter
  for (int key = 0; key < kKeys; ++key) filter.Add("key" + std::to_string(key));
  for (int key = 0; key < kKeys; ++key) {
    ASSERT_TRUE(filter.MayContain("key" + std::to_string(key))) << key;
  }
  int false_positives = 0;
  for (int key = 0; key < kKeys; ++key) {
    false_positives += filter.MayContain("other" + std::to_string(key)) ? 1 : 0;
  }
  EXPECT_LT(false_positives, kKeys / 20);
  // About 10 bits per key, doubled at most by the last growth.
  EXPECT_LT(filter.bytes(), kKeys * 3u);
}

}  // namespace
}  // namespace sluice
