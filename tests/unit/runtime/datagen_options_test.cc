// Datagen property parsing and CREATE-time column validation (ValidateDatagenColumns).

#include <gtest/gtest.h>

#include <map>
#include <string>

#include "runtime/connector/datagen/datagen_options.h"
#include "runtime/connector/datagen/datagen_source.h"

namespace sluice {
namespace {

using Properties = std::map<std::string, std::string>;

Schema BidSchema() {
  return Schema({{"auction", DataType::Bigint()},
                 {"bidder", DataType::Bigint()},
                 {"price", DataType::Bigint()},
                 {"channel", DataType::Varchar()},
                 {"url", DataType::Varchar()},
                 {"datetime", DataType::Timestamp()},
                 {"extra", DataType::Varchar()}});
}

TEST(DatagenOptionsTest, DefaultsAndParsedValues) {
  Result<DatagenOptions> defaults = ParseDatagenOptions({{"store", "datagen"}, {"topic", "t"}});
  ASSERT_TRUE(defaults.ok()) << defaults.status().ToString();
  EXPECT_EQ(defaults->generator, DatagenGeneratorKind::kRandom);
  EXPECT_FALSE(defaults->bounded());
  EXPECT_EQ(defaults->rate, 10'000'000);
  EXPECT_EQ(defaults->seed, 0u);
  EXPECT_EQ(defaults->partitions, 1);
  EXPECT_FALSE(defaults->rate_limit);

  Result<DatagenOptions> options =
      ParseDatagenOptions({{"Generator", "NEXMARK.Bid"},
                           {"events", "1000"},
                           {"rate", "2000"},
                           {"seed", "-7"},
                           {"partitions", "4"},
                           {"rate.limit", "TRUE"}});
  ASSERT_TRUE(options.ok()) << options.status().ToString();
  EXPECT_EQ(options->generator, DatagenGeneratorKind::kNexmarkBid);
  EXPECT_EQ(options->generator_name, "nexmark.bid");
  EXPECT_EQ(options->events, 1000);
  EXPECT_EQ(options->rate, 2000);
  EXPECT_EQ(options->seed, static_cast<uint64_t>(-7));
  EXPECT_EQ(options->partitions, 4);
  EXPECT_TRUE(options->rate_limit);
  // 2000 events per second: event 3 is at 1.5 ms, floored.
  EXPECT_EQ(options->EventTime(0), DatagenOptions::kBaseTimeMillis);
  EXPECT_EQ(options->EventTime(3), DatagenOptions::kBaseTimeMillis + 1);
  EXPECT_EQ(options->EventTime(4000), DatagenOptions::kBaseTimeMillis + 2000);
}

TEST(DatagenOptionsTest, RejectsBadValues) {
  struct Case {
    Properties properties;
    std::string message_part;
  };
  const Case cases[] = {
      {{{"generator", "nexmark.bids"}}, "unknown datagen generator 'nexmark.bids'"},
      {{{"events", "0"}}, "'events' must be a whole number greater than 0"},
      {{{"events", "-5"}}, "'events'"},
      {{{"events", "10x"}}, "'events'"},
      {{{"rate", "0"}}, "'rate' must be a whole number of events per second"},
      {{{"rate", "1.5"}}, "'rate'"},
      {{{"seed", "abc"}}, "'seed' must be a 64-bit integer"},
      {{{"partitions", "0"}}, "'partitions' must be a whole number from 1 to 1024"},
      {{{"partitions", "2000"}}, "'partitions'"},
      {{{"rate.limit", "yes"}}, "'rate.limit' must be 'true' or 'false'"},
      {{{"fields.x.colour", "red"}}, "unknown datagen property 'fields.x.colour'"},
      {{{"generator", "nexmark.bid"}, {"fields.price.min", "1"}},
       "apply to generator 'random' only"},
  };
  for (const Case& test_case : cases) {
    Result<DatagenOptions> options = ParseDatagenOptions(test_case.properties);
    ASSERT_FALSE(options.ok()) << test_case.message_part;
    EXPECT_EQ(options.status().category(), ErrorCategory::kBinder);
    EXPECT_NE(options.status().message().find(test_case.message_part), std::string::npos)
        << options.status().message();
  }
}

TEST(DatagenOptionsTest, RecognizesItsPropertyKeys) {
  EXPECT_TRUE(IsDatagenPropertyKey("generator"));
  EXPECT_TRUE(IsDatagenPropertyKey("EVENTS"));
  EXPECT_TRUE(IsDatagenPropertyKey("rate.limit"));
  EXPECT_TRUE(IsDatagenPropertyKey("fields.userid.length"));
  EXPECT_FALSE(IsDatagenPropertyKey("topic"));
  EXPECT_FALSE(IsDatagenPropertyKey("generators"));
}

TEST(DatagenValidateTest, AcceptsTheReferenceColumnsInAnyCaseAndOrder) {
  Schema schema({{"dateTime", DataType::Timestamp()},
                 {"PRICE", DataType::Bigint()},
                 {"bidder", DataType::Integer()},
                 {"extra", DataType::Varchar()}});
  EXPECT_TRUE(ValidateDatagenColumns(schema, {{"generator", "nexmark.bid"}}).ok());
  EXPECT_TRUE(ValidateDatagenColumns(BidSchema(), {{"generator", "nexmark.bid"}}).ok());
  Schema person({{"id", DataType::Bigint()},
                 {"name", DataType::Varchar()},
                 {"emailaddress", DataType::Varchar()},
                 {"creditcard", DataType::Varchar()},
                 {"city", DataType::Varchar()},
                 {"state", DataType::Varchar()},
                 {"datetime", DataType::Bigint()},
                 {"extra", DataType::Varchar()}});
  EXPECT_TRUE(ValidateDatagenColumns(person, {{"generator", "nexmark.person"}}).ok());
  Schema auction({{"id", DataType::Bigint()},
                  {"itemname", DataType::Varchar()},
                  {"description", DataType::Varchar()},
                  {"initialbid", DataType::Bigint()},
                  {"reserve", DataType::Bigint()},
                  {"datetime", DataType::Timestamp()},
                  {"expires", DataType::Timestamp()},
                  {"seller", DataType::Bigint()},
                  {"category", DataType::Bigint()},
                  {"extra", DataType::Varchar()}});
  EXPECT_TRUE(ValidateDatagenColumns(auction, {{"generator", "nexmark.auction"}}).ok());
}

TEST(DatagenValidateTest, RejectsUnknownColumnsAndWrongTypes) {
  Schema unknown({{"auction", DataType::Bigint()}, {"prize", DataType::Bigint()}});
  Status status = ValidateDatagenColumns(unknown, {{"generator", "nexmark.bid"}});
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.category(), ErrorCategory::kBinder);
  EXPECT_NE(status.message().find("has no column \"prize\"; its columns: auction, bidder, price"),
            std::string::npos)
      << status.message();

  Schema wrong_type({{"price", DataType::Varchar()}});
  status = ValidateDatagenColumns(wrong_type, {{"generator", "nexmark.bid"}});
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find("\"price\" must be BIGINT or INTEGER, not VARCHAR"),
            std::string::npos)
      << status.message();

  Schema wrong_time({{"datetime", DataType::Double()}});
  status = ValidateDatagenColumns(wrong_time, {{"generator", "nexmark.person"}});
  EXPECT_NE(status.message().find("TIMESTAMP or BIGINT"), std::string::npos) << status.message();

  // A bid column is not a person column.
  Schema person({{"id", DataType::Bigint()}, {"bidder", DataType::Bigint()}});
  status = ValidateDatagenColumns(person, {{"generator", "nexmark.person"}});
  EXPECT_NE(status.message().find("no column \"bidder\""), std::string::npos) << status.message();

  // Bad properties are reported before columns.
  status = ValidateDatagenColumns(BidSchema(), {{"generator", "nexmark.bid"}, {"events", "0"}});
  EXPECT_NE(status.message().find("'events'"), std::string::npos) << status.message();

  EXPECT_FALSE(ValidateDatagenColumns(Schema(), {{"generator", "random"}}).ok());
}

TEST(DatagenValidateTest, EventGeneratorColumns) {
  DataType person = DataType::Struct({"id", "name", "datetime"},
                                     {DataType::Bigint(), DataType::Varchar(),
                                      DataType::Timestamp()});
  DataType bid = DataType::Struct({"auction", "price"}, {DataType::Bigint(), DataType::Bigint()});
  Schema good({{"event_type", DataType::Integer()},
               {"person", person},
               {"bid", bid},
               {"auction_seller", DataType::Bigint()},
               {"datetime", DataType::Timestamp()}});
  Status status = ValidateDatagenColumns(good, {{"generator", "nexmark.event"}});
  EXPECT_TRUE(status.ok()) << status.ToString();

  Schema bad_field({{"bid", DataType::Struct({"auction", "seller"},
                                             {DataType::Bigint(), DataType::Bigint()})}});
  status = ValidateDatagenColumns(bad_field, {{"generator", "nexmark.event"}});
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find("has field \"seller\", which a bid does not have"),
            std::string::npos)
      << status.message();

  Schema not_struct({{"person", DataType::Varchar()}});
  status = ValidateDatagenColumns(not_struct, {{"generator", "nexmark.event"}});
  EXPECT_NE(status.message().find("must be a STRUCT of person fields"), std::string::npos)
      << status.message();

  Schema unknown({{"bid_colour", DataType::Varchar()}});
  status = ValidateDatagenColumns(unknown, {{"generator", "nexmark.event"}});
  EXPECT_NE(status.message().find("'nexmark.event' has no column \"bid_colour\""),
            std::string::npos)
      << status.message();
}

TEST(DatagenValidateTest, RandomFieldOptions) {
  Schema schema({{"n", DataType::Integer()},
                 {"s", DataType::Varchar()},
                 {"d", DataType::Decimal(6, 2)},
                 {"ts", DataType::Timestamp()}});
  EXPECT_TRUE(ValidateDatagenColumns(schema, {{"fields.n.min", "-5"},
                                              {"fields.n.max", "5"},
                                              {"fields.s.length", "3"},
                                              {"fields.d.max", "12.5"},
                                              {"fields.ts.null.rate", "0.5"}})
                  .ok());
  struct Case {
    Properties properties;
    std::string message_part;
  };
  const Case cases[] = {
      {{{"fields.missing.min", "1"}}, "'fields.missing.*' names a column"},
      {{{"fields.s.min", "1"}}, "applies to INTEGER, BIGINT, DECIMAL and DOUBLE columns"},
      {{{"fields.n.length", "3"}}, "applies to VARCHAR, BYTES, ARRAY and MAP columns"},
      {{{"fields.n.min", "x"}}, "must be a whole number"},
      {{{"fields.n.max", "3000000000"}}, "must be a whole number"},
      {{{"fields.n.min", "9"}, {"fields.n.max", "3"}}, "min <= max"},
      {{{"fields.d.max", "123456.7"}}, "must be a DECIMAL(6, 2) value"},
      {{{"fields.s.null.rate", "1.5"}}, "probability from 0 to 1"},
      {{{"fields.s.length", "-1"}}, "must be a whole number from 0"},
  };
  for (const Case& test_case : cases) {
    Status status = ValidateDatagenColumns(schema, test_case.properties);
    ASSERT_FALSE(status.ok()) << test_case.message_part;
    EXPECT_NE(status.message().find(test_case.message_part), std::string::npos)
        << status.message();
  }
}

}  // namespace
}  // namespace sluice
