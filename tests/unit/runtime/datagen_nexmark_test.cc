// The Nexmark generators: proportions, ids, event times, field formats, determinism, and the
// agreement between nexmark.event and the per-kind streams.

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "runtime/connector/datagen/datagen_source.h"
#include "runtime/connector/datagen/nexmark_model.h"

namespace sluice {
namespace {

using Properties = std::map<std::string, std::string>;

Schema PersonSchema() {
  return Schema({{"id", DataType::Bigint()},
                 {"name", DataType::Varchar()},
                 {"emailaddress", DataType::Varchar()},
                 {"creditcard", DataType::Varchar()},
                 {"city", DataType::Varchar()},
                 {"state", DataType::Varchar()},
                 {"datetime", DataType::Timestamp()},
                 {"extra", DataType::Varchar()}});
}

Schema AuctionSchema() {
  return Schema({{"id", DataType::Bigint()},
                 {"itemname", DataType::Varchar()},
                 {"description", DataType::Varchar()},
                 {"initialbid", DataType::Bigint()},
                 {"reserve", DataType::Bigint()},
                 {"datetime", DataType::Timestamp()},
                 {"expires", DataType::Timestamp()},
                 {"seller", DataType::Bigint()},
                 {"category", DataType::Bigint()},
                 {"extra", DataType::Varchar()}});
}

Schema BidSchema() {
  return Schema({{"auction", DataType::Bigint()},
                 {"bidder", DataType::Bigint()},
                 {"price", DataType::Bigint()},
                 {"channel", DataType::Varchar()},
                 {"url", DataType::Varchar()},
                 {"datetime", DataType::Timestamp()},
                 {"extra", DataType::Varchar()}});
}

// Every column of `schema` from a bounded datagen stream, read to the end.
RecordBatch Generate(const Schema& schema, Properties properties) {
  SourceSpec spec;
  spec.store_type = "datagen";
  spec.relation_schema = schema;
  for (size_t column = 0; column < schema.size(); ++column) {
    spec.columns.push_back(static_cast<int>(column));
  }
  spec.properties = std::move(properties);
  RecordBatch all(schema);
  Result<std::unique_ptr<DatagenSource>> source = DatagenSource::Create(spec);
  EXPECT_TRUE(source.ok()) << source.status().ToString();
  if (!source.ok()) return all;
  while (!(*source)->exhausted()) {
    Status status = (*source)->Poll(4096, all);
    EXPECT_TRUE(status.ok()) << status.ToString();
    if (!status.ok()) break;
  }
  return all;
}

int64_t BidEvent(size_t row) {
  return static_cast<int64_t>(row / 46) * 50 + 4 + static_cast<int64_t>(row % 46);
}

TEST(NexmarkModelTest, IdArithmeticFollowsTheBlocksOfFifty) {
  using nexmark::EventKind;
  EXPECT_EQ(nexmark::KindOf(0), EventKind::kPerson);
  EXPECT_EQ(nexmark::KindOf(1), EventKind::kAuction);
  EXPECT_EQ(nexmark::KindOf(3), EventKind::kAuction);
  EXPECT_EQ(nexmark::KindOf(4), EventKind::kBid);
  EXPECT_EQ(nexmark::KindOf(49), EventKind::kBid);
  EXPECT_EQ(nexmark::KindOf(50), EventKind::kPerson);
  EXPECT_EQ(nexmark::LastBase0PersonId(0), 0);
  EXPECT_EQ(nexmark::LastBase0PersonId(49), 0);
  EXPECT_EQ(nexmark::LastBase0PersonId(50), 1);
  EXPECT_EQ(nexmark::LastBase0AuctionId(0), -1);
  EXPECT_EQ(nexmark::LastBase0AuctionId(1), 0);
  EXPECT_EQ(nexmark::LastBase0AuctionId(3), 2);
  EXPECT_EQ(nexmark::LastBase0AuctionId(10), 2);
  EXPECT_EQ(nexmark::LastBase0AuctionId(50), 2);
  EXPECT_EQ(nexmark::LastBase0AuctionId(52), 4);
}

TEST(NexmarkEventTest, ProportionsAreOneThreeFortySixPerFifty) {
  Schema schema({{"event_type", DataType::Integer()}, {"datetime", DataType::Timestamp()}});
  RecordBatch events = Generate(schema, {{"generator", "nexmark.event"}, {"events", "5000"}});
  ASSERT_EQ(events.num_rows(), 5000u);
  for (size_t block = 0; block < 100; ++block) {
    int counts[3] = {0, 0, 0};
    for (size_t row = block * 50; row < block * 50 + 50; ++row) {
      ++counts[events.column(0).GetInt64(row)];
    }
    EXPECT_EQ(counts[0], 1);
    EXPECT_EQ(counts[1], 3);
    EXPECT_EQ(counts[2], 46);
  }
  EXPECT_EQ(events.column(0).GetInt64(0), 0);
  EXPECT_EQ(events.column(0).GetInt64(1), 1);
  EXPECT_EQ(events.column(0).GetInt64(4), 2);
}

TEST(NexmarkEventTest, EventTimesAdvanceAtTheRate) {
  // 1000 events per second of event time: one millisecond apart.
  Schema schema({{"datetime", DataType::Timestamp()}});
  RecordBatch bids = Generate(BidSchema(), {{"generator", "nexmark.bid"},
                                            {"events", "1000"},
                                            {"rate", "1000"},
                                            {"partitions", "3"}});
  ASSERT_EQ(bids.num_rows(), 920u);
  std::map<int32_t, int64_t> last_per_partition;
  for (size_t row = 0; row < bids.num_rows(); ++row) {
    int64_t expected = DatagenOptions::kBaseTimeMillis + BidEvent(row);
    EXPECT_EQ(bids.column(5).GetInt64(row), expected);
    EXPECT_EQ(bids.meta()[row].timestamp, expected);
    int32_t partition = bids.meta()[row].partition;
    if (last_per_partition.count(partition)) {
      EXPECT_GT(bids.meta()[row].timestamp, last_per_partition[partition]);
    }
    last_per_partition[partition] = bids.meta()[row].timestamp;
  }
  // At the default 10M events/s, 10,000 events share a millisecond.
  RecordBatch fast = Generate(schema, {{"generator", "nexmark.event"}, {"events", "30001"}});
  EXPECT_EQ(fast.column(0).GetInt64(9999), DatagenOptions::kBaseTimeMillis);
  EXPECT_EQ(fast.column(0).GetInt64(10000), DatagenOptions::kBaseTimeMillis + 1);
  EXPECT_EQ(fast.column(0).GetInt64(30000), DatagenOptions::kBaseTimeMillis + 3);
}

TEST(NexmarkBidTest, BidsReferenceAuctionsAndPeopleOfTheModel) {
  RecordBatch bids = Generate(BidSchema(), {{"generator", "nexmark.bid"}, {"events", "100000"}});
  ASSERT_EQ(bids.num_rows(), 92000u);
  size_t hot_auction = 0;
  size_t hot_bidder = 0;
  std::map<std::string, size_t> channels;
  for (size_t row = 0; row < bids.num_rows(); ++row) {
    int64_t event = BidEvent(row);
    int64_t auction = bids.column(0).GetInt64(row) - nexmark::kFirstAuctionId;
    int64_t bidder = bids.column(1).GetInt64(row) - nexmark::kFirstPersonId;
    int64_t last_auction = nexmark::LastBase0AuctionId(event);
    int64_t last_person = nexmark::LastBase0PersonId(event);
    // In flight (the newest 100) or a hot one, or at most 10 ahead.
    EXPECT_GE(auction, std::min<int64_t>(std::max<int64_t>(last_auction - 100, 0),
                                         (last_auction / 100) * 100));
    EXPECT_LE(auction, last_auction + nexmark::kAuctionIdLead);
    EXPECT_GE(bidder, std::max<int64_t>(last_person + 1 - nexmark::kNumActivePeople, 0));
    EXPECT_LE(bidder, last_person + nexmark::kPersonIdLead);
    if (auction == (last_auction / 100) * 100) ++hot_auction;
    if (bidder == (last_person / 100) * 100 + 1) ++hot_bidder;
    int64_t price = bids.column(2).GetInt64(row);
    EXPECT_GE(price, 100);
    EXPECT_LE(price, 100'000'000);
    ++channels[std::string(bids.column(3).GetString(row))];
    std::string_view url = bids.column(4).GetString(row);
    EXPECT_EQ(url.substr(0, 24), "https://www.nexmark.com/");
    EXPECT_NE(url.find("/item.htm?query=1"), std::string::npos);
    size_t extra = bids.column(6).GetString(row).size();
    EXPECT_GE(extra, 54u);
    EXPECT_LT(extra, 82u);
  }
  // Hot auctions take about half the bids (ratio 2), hot bidders about three quarters (ratio 4).
  EXPECT_NEAR(static_cast<double>(hot_auction) / 92000.0, 0.5, 0.03);
  EXPECT_NEAR(static_cast<double>(hot_bidder) / 92000.0, 0.75, 0.03);
  // Half the bids come through the four hot channels, the rest spread over 10,000.
  EXPECT_NEAR(static_cast<double>(channels["Google"]) / 92000.0, 0.125, 0.01);
  EXPECT_NEAR(static_cast<double>(channels["Apple"]) / 92000.0, 0.125, 0.01);
  EXPECT_GT(channels.size(), 5000u);
}

TEST(NexmarkPersonTest, PeopleHaveSequentialIdsAndWellFormedFields) {
  RecordBatch people = Generate(PersonSchema(), {{"generator", "nexmark.person"},
                                                 {"events", "10000"},
                                                 {"rate", "1000"}});
  ASSERT_EQ(people.num_rows(), 200u);
  const std::set<std::string> states = {"AZ", "CA", "ID", "OR", "WA", "WY"};
  std::set<std::string> seen_states;
  for (size_t row = 0; row < people.num_rows(); ++row) {
    EXPECT_EQ(people.column(0).GetInt64(row), 1000 + static_cast<int64_t>(row));
    EXPECT_NE(people.column(1).GetString(row).find(' '), std::string::npos);
    std::string_view email = people.column(2).GetString(row);
    size_t at = email.find('@');
    ASSERT_NE(at, std::string::npos) << email;
    EXPECT_GT(at, 0u);
    EXPECT_EQ(email.substr(email.size() - 4), ".com");
    std::string_view card = people.column(3).GetString(row);
    ASSERT_EQ(card.size(), 19u);
    for (size_t pos = 0; pos < card.size(); ++pos) {
      if (pos % 5 == 4) {
        EXPECT_EQ(card[pos], ' ');
      } else {
        EXPECT_TRUE(card[pos] >= '0' && card[pos] <= '9') << card;
      }
    }
    EXPECT_FALSE(people.column(4).GetString(row).empty());
    std::string state(people.column(5).GetString(row));
    EXPECT_TRUE(states.count(state)) << state;
    seen_states.insert(state);
    EXPECT_EQ(people.column(6).GetInt64(row),
              DatagenOptions::kBaseTimeMillis + static_cast<int64_t>(row) * 50);
    size_t extra = people.column(7).GetString(row).size();
    EXPECT_GE(extra, 112u);
    EXPECT_LT(extra, 168u);
  }
  EXPECT_EQ(seen_states.size(), states.size());
}

TEST(NexmarkAuctionTest, AuctionsHaveSequentialIdsAndConsistentFields) {
  RecordBatch auctions = Generate(AuctionSchema(), {{"generator", "nexmark.auction"},
                                                    {"events", "50000"},
                                                    {"rate", "1000"}});
  ASSERT_EQ(auctions.num_rows(), 3000u);
  size_t hot_seller = 0;
  for (size_t row = 0; row < auctions.num_rows(); ++row) {
    int64_t event = static_cast<int64_t>(row / 3) * 50 + 1 + static_cast<int64_t>(row % 3);
    EXPECT_EQ(auctions.column(0).GetInt64(row), 1000 + static_cast<int64_t>(row));
    size_t name = auctions.column(1).GetString(row).size();
    EXPECT_LE(name, 19u);
    EXPECT_LE(auctions.column(2).GetString(row).size(), 99u);
    int64_t initial = auctions.column(3).GetInt64(row);
    EXPECT_GE(initial, 100);
    EXPECT_GT(auctions.column(4).GetInt64(row), initial);  // reserve = initial + a price
    int64_t now = auctions.column(5).GetInt64(row);
    EXPECT_EQ(now, DatagenOptions::kBaseTimeMillis + event);
    // Expires within twice the time it takes to create 100 more auctions (1666 events here).
    int64_t expires = auctions.column(6).GetInt64(row);
    EXPECT_GT(expires, now);
    EXPECT_LE(expires, now + 2 * 1666 + 1);
    int64_t seller = auctions.column(7).GetInt64(row) - 1000;
    int64_t last_person = nexmark::LastBase0PersonId(event);
    EXPECT_GE(seller, 0);
    EXPECT_LE(seller, last_person + nexmark::kPersonIdLead);
    if (seller == (last_person / 100) * 100) ++hot_seller;
    int64_t category = auctions.column(8).GetInt64(row);
    EXPECT_GE(category, 10);
    EXPECT_LE(category, 14);
    EXPECT_GT(auctions.column(9).GetString(row).size(), 300u);
  }
  EXPECT_NEAR(static_cast<double>(hot_seller) / 3000.0, 0.75, 0.05);
}

TEST(NexmarkBidTest, SameSeedSameRowsOtherSeedOtherRows) {
  Properties properties = {{"generator", "nexmark.bid"}, {"events", "2000"}, {"seed", "42"}};
  RecordBatch first = Generate(BidSchema(), properties);
  RecordBatch again = Generate(BidSchema(), properties);
  properties["seed"] = "43";
  RecordBatch other = Generate(BidSchema(), properties);
  ASSERT_EQ(first.num_rows(), again.num_rows());
  ASSERT_EQ(first.num_rows(), other.num_rows());
  size_t price_differs = 0;
  size_t extra_differs = 0;
  for (size_t row = 0; row < first.num_rows(); ++row) {
    EXPECT_EQ(first.GetRow(row), again.GetRow(row));
    price_differs += first.column(2).GetInt64(row) != other.column(2).GetInt64(row);
    extra_differs += first.column(6).GetString(row) != other.column(6).GetString(row);
    // Time does not depend on the seed.
    EXPECT_EQ(first.column(5).GetInt64(row), other.column(5).GetInt64(row));
  }
  EXPECT_GT(price_differs, first.num_rows() * 9 / 10);
  EXPECT_EQ(extra_differs, first.num_rows());
}

TEST(NexmarkEventTest, EventStreamAgreesWithThePerKindStreams) {
  DataType person = DataType::Struct({"id", "name", "state", "datetime"},
                                     {DataType::Bigint(), DataType::Varchar(), DataType::Varchar(),
                                      DataType::Timestamp()});
  DataType bid = DataType::Struct({"price", "auction", "extra"},
                                  {DataType::Bigint(), DataType::Bigint(), DataType::Varchar()});
  Schema schema({{"event_type", DataType::Integer()},
                 {"person", person},
                 {"bid", bid},
                 {"auction_seller", DataType::Bigint()},
                 {"bid_channel", DataType::Varchar()}});
  Properties properties = {{"generator", "nexmark.event"}, {"events", "1000"}, {"seed", "3"}};
  RecordBatch events = Generate(schema, properties);
  properties["generator"] = "nexmark.person";
  RecordBatch people = Generate(PersonSchema(), properties);
  properties["generator"] = "nexmark.auction";
  RecordBatch auctions = Generate(AuctionSchema(), properties);
  properties["generator"] = "nexmark.bid";
  RecordBatch bids = Generate(BidSchema(), properties);
  ASSERT_EQ(events.num_rows(), 1000u);
  ASSERT_EQ(people.num_rows(), 20u);
  ASSERT_EQ(auctions.num_rows(), 60u);
  ASSERT_EQ(bids.num_rows(), 920u);
  size_t person_row = 0;
  size_t auction_row = 0;
  size_t bid_row = 0;
  for (size_t row = 0; row < events.num_rows(); ++row) {
    int64_t type = events.column(0).GetInt64(row);
    EXPECT_EQ(events.column(1).IsNull(row), type != 0);
    EXPECT_EQ(events.column(2).IsNull(row), type != 2);
    EXPECT_EQ(events.column(3).IsNull(row), type != 1);
    EXPECT_EQ(events.column(4).IsNull(row), type != 2);
    if (type == 0) {
      const NestedValue& fields = events.column(1).GetNested(row).nested();
      EXPECT_EQ(fields.values[0].int_value(), people.column(0).GetInt64(person_row));
      EXPECT_EQ(fields.values[1].string_value(), people.column(1).GetString(person_row));
      EXPECT_EQ(fields.values[2].string_value(), people.column(5).GetString(person_row));
      EXPECT_EQ(fields.values[3].int_value(), people.column(6).GetInt64(person_row));
      ++person_row;
    } else if (type == 1) {
      EXPECT_EQ(events.column(3).GetInt64(row), auctions.column(7).GetInt64(auction_row));
      ++auction_row;
    } else {
      const NestedValue& fields = events.column(2).GetNested(row).nested();
      EXPECT_EQ(fields.values[0].int_value(), bids.column(2).GetInt64(bid_row));
      EXPECT_EQ(fields.values[1].int_value(), bids.column(0).GetInt64(bid_row));
      EXPECT_EQ(fields.values[2].string_value(), bids.column(6).GetString(bid_row));
      EXPECT_EQ(events.column(4).GetString(row), bids.column(3).GetString(bid_row));
      ++bid_row;
    }
  }
  EXPECT_EQ(person_row, 20u);
  EXPECT_EQ(auction_row, 60u);
  EXPECT_EQ(bid_row, 920u);
}

TEST(NexmarkBidTest, IntegerColumnsAndEpochMillis) {
  Schema schema({{"bidder", DataType::Integer()}, {"datetime", DataType::Bigint()}});
  RecordBatch bids = Generate(schema, {{"generator", "nexmark.bid"},
                                       {"events", "100"},
                                       {"rate", "100"}});
  ASSERT_EQ(bids.num_rows(), 92u);
  EXPECT_EQ(bids.column(1).GetInt64(0), DatagenOptions::kBaseTimeMillis + 40);
  EXPECT_EQ(bids.GetRow(0)[0].type(), DataType::Integer());
  EXPECT_GE(bids.column(0).GetInt64(0), 1000);
}

}  // namespace
}  // namespace sluice
