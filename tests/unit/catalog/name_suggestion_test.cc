#include "catalog/name_suggestion.h"

#include <gtest/gtest.h>

namespace sluice {
namespace {

TEST(EditDistanceTest, CountsInsertionsDeletionsAndSubstitutions) {
  EXPECT_EQ(EditDistance("", ""), 0u);
  EXPECT_EQ(EditDistance("", "abc"), 3u);
  EXPECT_EQ(EditDistance("abc", ""), 3u);
  EXPECT_EQ(EditDistance("kitten", "sitting"), 3u);
  EXPECT_EQ(EditDistance("pageview", "pageviews"), 1u);
}

TEST(EditDistanceTest, SwappedNeighboursCostOneEdit) {
  EXPECT_EQ(EditDistance("pgaeviews", "pageviews"), 1u);
  EXPECT_EQ(EditDistance("ab", "ba"), 1u);
  EXPECT_EQ(EditDistance("ca", "abc"), 3u);  // no substring is edited twice
}

TEST(ClosestNameTest, SuggestsTheNearestPlausibleTypo) {
  const std::vector<std::string> relations = {"users", "pageviews", "orders"};
  EXPECT_EQ(ClosestName("pageview", relations), "pageviews");
  EXPECT_EQ(ClosestName("pgaeviews", relations), "pageviews");
  EXPECT_EQ(ClosestName("user", relations), "users");
  EXPECT_EQ(ClosestName("orders", relations), "orders");
}

TEST(ClosestNameTest, StaysSilentWhenNothingIsClose) {
  EXPECT_EQ(ClosestName("inventory", {"users", "pageviews"}), std::nullopt);
  EXPECT_EQ(ClosestName("x", {}), std::nullopt);
  EXPECT_EQ(ClosestName("ab", {"xyz"}), std::nullopt);
}

TEST(ClosestNameTest, AllowsAThirdOfTheLengthButAtLeastOneEdit) {
  // Six characters allow two edits.
  EXPECT_EQ(ClosestName("abcdef", {"abxxef"}), "abxxef");
  EXPECT_EQ(ClosestName("abcdef", {"axxxef"}), std::nullopt);
  // Short names still get one.
  EXPECT_EQ(ClosestName("db", {"dbs"}), "dbs");
  EXPECT_EQ(ClosestName("db", {"dbxx"}), std::nullopt);
}

TEST(ClosestNameTest, PrefersTheSmallestDistanceThenTheFirstCandidate) {
  EXPECT_EQ(ClosestName("shop", {"shops", "shop1", "shp"}), "shops");
  EXPECT_EQ(ClosestName("events", {"event", "eventss"}), "event");
  EXPECT_EQ(ClosestName("events", {"evnts", "events_"}), "evnts");
  EXPECT_EQ(ClosestName("events", {"eventz", "events"}), "events");
}

}  // namespace
}  // namespace sluice
