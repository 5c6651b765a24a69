#pragma once
// The Nexmark auction model (after the Apache Beam / Flink Nexmark generators): a sequence of
// events in blocks of 50 (1 person, then 3 auctions, then 46 bids), ids starting at 1000, bids
// and auctions drawn mostly from "hot" auctions and people among the recent ones. Unlike the
// reference, which draws an event's fields one after another from one random generator, every
// field here has its own stream keyed by (seed, field, event number), so a query that reads two
// columns computes two fields and nothing else.

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "common/batch.h"
#include "runtime/connector/datagen/datagen_options.h"
#include "runtime/connector/datagen/random_stream.h"

namespace sluice::nexmark {

// The reference configuration.
inline constexpr int64_t kPersonProportion = 1;
inline constexpr int64_t kAuctionProportion = 3;
inline constexpr int64_t kBidProportion = 46;
inline constexpr int64_t kTotalProportion = kPersonProportion + kAuctionProportion + kBidProportion;
inline constexpr int64_t kFirstPersonId = 1000;
inline constexpr int64_t kFirstAuctionId = 1000;
inline constexpr int64_t kFirstCategoryId = 10;
inline constexpr int64_t kNumCategories = 5;
inline constexpr int64_t kNumActivePeople = 1000;
inline constexpr int64_t kNumInFlightAuctions = 100;
inline constexpr int64_t kPersonIdLead = 10;   // ids may run this far ahead of the last created
inline constexpr int64_t kAuctionIdLead = 10;
inline constexpr int64_t kHotAuctionRatio = 2;  // P(hot) = 1 - 1/ratio
inline constexpr int64_t kHotBiddersRatio = 4;
inline constexpr int64_t kHotSellersRatio = 4;
inline constexpr int64_t kHotIdStride = 100;  // a hot id is the first of each 100 recent ids
inline constexpr int64_t kHotChannelsRatio = 2;
inline constexpr int64_t kNumHotChannels = 4;
inline constexpr int64_t kNumChannels = 10'000;
inline constexpr int64_t kAvgPersonBytes = 200;
inline constexpr int64_t kAvgAuctionBytes = 500;
inline constexpr int64_t kAvgBidBytes = 100;

enum class EventKind : uint8_t { kPerson = 0, kAuction = 1, kBid = 2 };

inline EventKind KindOf(int64_t event) {
  int64_t offset = event % kTotalProportion;
  if (offset < kPersonProportion) return EventKind::kPerson;
  if (offset < kPersonProportion + kAuctionProportion) return EventKind::kAuction;
  return EventKind::kBid;
}

// Base-0 id of the newest person (auction) that exists at `event`; the event's own id when it
// creates one. -1 before the first.
int64_t LastBase0PersonId(int64_t event);
int64_t LastBase0AuctionId(int64_t event);

// Every field the model produces. The kind prefix says which events carry it; kEventType and
// kEventDateTime belong to every event.
enum class NexmarkField : uint8_t {
  kPersonId,
  kPersonName,
  kPersonEmailAddress,
  kPersonCreditCard,
  kPersonCity,
  kPersonState,
  kPersonDateTime,
  kPersonExtra,
  kAuctionId,
  kAuctionItemName,
  kAuctionDescription,
  kAuctionInitialBid,
  kAuctionReserve,
  kAuctionDateTime,
  kAuctionExpires,
  kAuctionSeller,
  kAuctionCategory,
  kAuctionExtra,
  kBidAuction,
  kBidBidder,
  kBidPrice,
  kBidChannel,
  kBidUrl,
  kBidDateTime,
  kBidExtra,
  kEventType,
  kEventDateTime,
  kCount,
};

enum class FieldClass : uint8_t { kInteger, kTime, kString };

struct FieldInfo {
  NexmarkField field;
  std::string_view name;  // lower case, as SQL folds the reference's camelCase names
  FieldClass field_class;
};

// The fields of one event kind in the reference's order.
const std::vector<FieldInfo>& PersonFields();
const std::vector<FieldInfo>& AuctionFields();
const std::vector<FieldInfo>& BidFields();
EventKind KindOfField(NexmarkField field);
bool IsEventTimeField(NexmarkField field);

// Computes field values. Holds the per-seed field keys and the dictionary of fixed strings
// (person names, channels, urls); share one per source, it is immutable.
class NexmarkModel {
 public:
  explicit NexmarkModel(const DatagenOptions& options);
  NexmarkModel(const NexmarkModel&) = delete;
  NexmarkModel& operator=(const NexmarkModel&) = delete;

  int64_t EventTime(int64_t event) const { return options_.EventTime(event); }
  // REQUIRES: `field` is an integer or time field of the event's kind (or an event field).
  int64_t IntField(NexmarkField field, int64_t event) const;
  // REQUIRES: `field` is a string field of the event's kind. The view points into `arena` or
  // into dictionary().
  std::string_view StringField(NexmarkField field, int64_t event, StringArena& arena) const;

  const std::shared_ptr<const StringArena>& dictionary() const { return dictionary_; }

 private:
  uint64_t key(NexmarkField field) const { return keys_[static_cast<size_t>(field)]; }
  int64_t Price(NexmarkField field, int64_t event) const;
  int64_t AuctionExpires(int64_t event) const;
  int64_t AuctionSeller(int64_t event) const;
  int64_t BidAuction(int64_t event) const;
  int64_t BidBidder(int64_t event) const;
  // The 'extra' padding: lower-case letters making the event about `average_bytes` long. It is
  // a window at a random offset of extra_pool_, so padding costs neither bytes nor a copy.
  std::string_view Extra(NexmarkField field, int64_t event, int64_t other_bytes,
                         int64_t average_bytes) const;
  // Index into channel_names_ / channel_urls_ of a bid's channel.
  size_t ChannelIndex(int64_t event) const;
  void BuildDictionary();

  DatagenOptions options_;
  uint64_t keys_[static_cast<size_t>(NexmarkField::kCount)];
  std::shared_ptr<const StringArena> dictionary_;
  std::vector<std::string_view> full_names_;    // first x last
  std::vector<std::string_view> channel_names_;  // kNumChannels, then the hot ones
  std::vector<std::string_view> channel_urls_;   // parallel to channel_names_
  const char* extra_pool_ = nullptr;              // random letters, in dictionary_
};

}  // namespace sluice::nexmark
