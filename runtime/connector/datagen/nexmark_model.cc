#include "runtime/connector/datagen/nexmark_model.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>

namespace sluice::nexmark {

namespace {

using datagen::RandomStream;

// The reference keeps the states few (and these six) so that its queries, e.g. q3's
// state IN ('OR', 'ID', 'CA'), find matches in small runs.
constexpr std::string_view kStates[] = {"AZ", "CA", "ID", "OR", "WA", "WY"};
constexpr std::string_view kCities[] = {"Phoenix", "Los Angeles", "San Francisco", "Boise",
                                        "Portland", "Bend", "Redmond", "Seattle", "Kent",
                                        "Cheyenne"};
constexpr std::string_view kFirstNames[] = {"Ada",  "Boris", "Chloe", "Dmitri", "Elena", "Farid",
                                            "Greta", "Hiro", "Ines",  "Jonas",  "Kemal"};
constexpr std::string_view kLastNames[] = {"Abara", "Brandt", "Castro", "Dubois", "Eriksen",
                                           "Fischer", "Garcia", "Haddad", "Ivanova"};
constexpr std::string_view kHotChannels[] = {"Google", "Facebook", "Baidu", "Apple"};

// How many events pass while kNumInFlightAuctions auctions are created: an auction's expected
// length spans that many events, so about that many auctions are open at any time.
constexpr int64_t kEventsPerInFlightAuctions =
    kNumInFlightAuctions * kTotalProportion / kAuctionProportion;

// Typical byte size of an event's fields other than 'extra' (8 per number, strings at their
// average length), which 'extra' pads up to the reference's average event size.
constexpr int64_t kPersonOtherBytes = 60;
constexpr int64_t kAuctionOtherBytes = 110;
constexpr int64_t kBidOtherBytes = 32;

// Extra padding windows start anywhere in the first kExtraPoolWindows bytes of the pool; the
// pool extends past that by the longest possible padding.
constexpr size_t kExtraPoolWindows = size_t{1} << 20;
constexpr size_t kExtraPoolBytes = kExtraPoolWindows + 1024;

constexpr double kLn10Times6 = 13.815510557964274;  // ln(10^6)

size_t FieldIndex(NexmarkField field) { return static_cast<size_t>(field); }

// A lower-case word of 3..max_length-1 characters with about one space in 13, trimmed (the
// reference's random item names and e-mail parts). Writes at most max_length - 1 bytes.
size_t WriteRandomString(RandomStream& stream, int64_t max_length, char space, char* out) {
  size_t length = 3 + stream.Below(static_cast<uint64_t>(max_length - 3));
  uint64_t bits = 0;
  for (size_t char_idx = 0; char_idx < length; ++char_idx) {
    if (char_idx % 4 == 0) bits = stream.Next();
    // 16 random bits -> [0, 13 * 26): below 26 is a space (1 in 13), else a letter.
    uint64_t draw = ((bits & 0xFFFF) * 338) >> 16;
    bits >>= 16;
    out[char_idx] = draw < 26 ? space : static_cast<char>('a' + draw % 26);
  }
  return length;
}

std::string_view Trimmed(const char* data, size_t length) {
  size_t begin = 0;
  while (begin < length && data[begin] == ' ') ++begin;
  while (length > begin && data[length - 1] == ' ') --length;
  return std::string_view(data + begin, length - begin);
}

uint32_t ReverseBits(uint32_t value) {
  uint32_t reversed = 0;
  for (int bit_idx = 0; bit_idx < 32; ++bit_idx) {
    reversed = (reversed << 1) | (value & 1);
    value >>= 1;
  }
  return reversed;
}

// A random person among the kNumActivePeople newest, or up to kPersonIdLead not created yet.
int64_t NextBase0PersonId(int64_t event, RandomStream& stream) {
  int64_t num_people = LastBase0PersonId(event) + 1;
  int64_t active_people = std::min(num_people, kNumActivePeople);
  int64_t pick = static_cast<int64_t>(stream.Below(active_people + kPersonIdLead));
  return num_people - active_people + pick;
}

// A random auction among those likely still open, or up to kAuctionIdLead not created yet.
int64_t NextBase0AuctionId(int64_t event, RandomStream& stream) {
  int64_t max_auction = LastBase0AuctionId(event);
  int64_t min_auction = std::max<int64_t>(max_auction - kNumInFlightAuctions, 0);
  return min_auction +
         static_cast<int64_t>(stream.Below(max_auction - min_auction + 1 + kAuctionIdLead));
}

}  // namespace

int64_t LastBase0PersonId(int64_t event) {
  int64_t epoch = event / kTotalProportion;
  int64_t offset = std::min(event % kTotalProportion, kPersonProportion - 1);
  return epoch * kPersonProportion + offset;
}

int64_t LastBase0AuctionId(int64_t event) {
  int64_t epoch = event / kTotalProportion;
  int64_t offset = event % kTotalProportion;
  if (offset < kPersonProportion) {
    // A person: the newest auction is the last one of the previous block.
    --epoch;
    offset = kAuctionProportion - 1;
  } else if (offset >= kPersonProportion + kAuctionProportion) {
    offset = kAuctionProportion - 1;
  } else {
    offset -= kPersonProportion;
  }
  return epoch * kAuctionProportion + offset;
}

const std::vector<FieldInfo>& PersonFields() {
  static const std::vector<FieldInfo> kFields = {
      {NexmarkField::kPersonId, "id", FieldClass::kInteger},
      {NexmarkField::kPersonName, "name", FieldClass::kString},
      {NexmarkField::kPersonEmailAddress, "emailaddress", FieldClass::kString},
      {NexmarkField::kPersonCreditCard, "creditcard", FieldClass::kString},
      {NexmarkField::kPersonCity, "city", FieldClass::kString},
      {NexmarkField::kPersonState, "state", FieldClass::kString},
      {NexmarkField::kPersonDateTime, "datetime", FieldClass::kTime},
      {NexmarkField::kPersonExtra, "extra", FieldClass::kString}};
  return kFields;
}

const std::vector<FieldInfo>& AuctionFields() {
  static const std::vector<FieldInfo> kFields = {
      {NexmarkField::kAuctionId, "id", FieldClass::kInteger},
      {NexmarkField::kAuctionItemName, "itemname", FieldClass::kString},
      {NexmarkField::kAuctionDescription, "description", FieldClass::kString},
      {NexmarkField::kAuctionInitialBid, "initialbid", FieldClass::kInteger},
      {NexmarkField::kAuctionReserve, "reserve", FieldClass::kInteger},
      {NexmarkField::kAuctionDateTime, "datetime", FieldClass::kTime},
      {NexmarkField::kAuctionExpires, "expires", FieldClass::kTime},
      {NexmarkField::kAuctionSeller, "seller", FieldClass::kInteger},
      {NexmarkField::kAuctionCategory, "category", FieldClass::kInteger},
      {NexmarkField::kAuctionExtra, "extra", FieldClass::kString}};
  return kFields;
}

const std::vector<FieldInfo>& BidFields() {
  static const std::vector<FieldInfo> kFields = {
      {NexmarkField::kBidAuction, "auction", FieldClass::kInteger},
      {NexmarkField::kBidBidder, "bidder", FieldClass::kInteger},
      {NexmarkField::kBidPrice, "price", FieldClass::kInteger},
      {NexmarkField::kBidChannel, "channel", FieldClass::kString},
      {NexmarkField::kBidUrl, "url", FieldClass::kString},
      {NexmarkField::kBidDateTime, "datetime", FieldClass::kTime},
      {NexmarkField::kBidExtra, "extra", FieldClass::kString}};
  return kFields;
}

EventKind KindOfField(NexmarkField field) {
  if (field <= NexmarkField::kPersonExtra) return EventKind::kPerson;
  if (field <= NexmarkField::kAuctionExtra) return EventKind::kAuction;
  return EventKind::kBid;
}

bool IsEventTimeField(NexmarkField field) {
  return field == NexmarkField::kPersonDateTime || field == NexmarkField::kAuctionDateTime ||
         field == NexmarkField::kBidDateTime || field == NexmarkField::kEventDateTime;
}

NexmarkModel::NexmarkModel(const DatagenOptions& options) : options_(options) {
  for (size_t field_idx = 0; field_idx < FieldIndex(NexmarkField::kCount); ++field_idx) {
    keys_[field_idx] = datagen::FieldKey(options.seed, field_idx);
  }
  BuildDictionary();
}

void NexmarkModel::BuildDictionary() {
  auto dictionary = std::make_shared<StringArena>();
  for (std::string_view first : kFirstNames) {
    for (std::string_view last : kLastNames) {
      std::string name = std::string(first) + " " + std::string(last);
      full_names_.push_back(dictionary->Add(name));
    }
  }
  // Channel urls are fixed per seed: the same channel always has the same url.
  uint64_t url_key = datagen::FieldKey(options_.seed, FieldIndex(NexmarkField::kCount) + 1);
  auto make_url = [&](int64_t channel, bool with_channel_id) {
    RandomStream stream = datagen::OpenStream(url_key, channel);
    std::string url = "https://www.nexmark.com/";
    char segment[8];
    for (int segment_idx = 0; segment_idx < 3; ++segment_idx) {
      url.append(segment, WriteRandomString(stream, 5, '_', segment));
      url.push_back('/');
    }
    url += "item.htm?query=1";
    if (with_channel_id) {
      int32_t reversed = static_cast<int32_t>(ReverseBits(static_cast<uint32_t>(channel)));
      url += "&channel_id=" + std::to_string(std::abs(static_cast<int64_t>(reversed)));
    }
    return dictionary->Add(url);
  };
  for (int64_t channel = 0; channel < kNumChannels; ++channel) {
    channel_names_.push_back(dictionary->Add("channel-" + std::to_string(channel)));
    // Nine in ten ordinary channels carry their id in the url (as in the reference).
    RandomStream stream = datagen::OpenStream(url_key ^ 1, channel);
    channel_urls_.push_back(make_url(channel, stream.Below(10) > 0));
  }
  for (int64_t hot_idx = 0; hot_idx < kNumHotChannels; ++hot_idx) {
    channel_names_.push_back(kHotChannels[hot_idx]);
    channel_urls_.push_back(make_url(kNumChannels + hot_idx, false));
  }
  char* pool = dictionary->Allocate(kExtraPoolBytes);
  RandomStream pool_stream = datagen::OpenStream(url_key ^ 2, 0);
  datagen::FillLetters(pool_stream, pool, kExtraPoolBytes);
  extra_pool_ = pool;
  dictionary_ = std::move(dictionary);
}

int64_t NexmarkModel::Price(NexmarkField field, int64_t event) const {
  RandomStream stream = datagen::OpenStream(key(field), event);
  // Prices are positive, so truncating x + 0.5 rounds half up without a libm call.
  return static_cast<int64_t>(std::exp(stream.NextDouble() * kLn10Times6) * 100.0 + 0.5);
}

int64_t NexmarkModel::AuctionExpires(int64_t event) const {
  RandomStream stream = datagen::OpenStream(key(NexmarkField::kAuctionExpires), event);
  int64_t now = EventTime(event);
  int64_t horizon_ms = EventTime(event + kEventsPerInFlightAuctions) - now;
  return now + 1 + static_cast<int64_t>(stream.Below(std::max<int64_t>(horizon_ms * 2, 1)));
}

int64_t NexmarkModel::AuctionSeller(int64_t event) const {
  RandomStream stream = datagen::OpenStream(key(NexmarkField::kAuctionSeller), event);
  int64_t seller = stream.Below(kHotSellersRatio) > 0
                       ? (LastBase0PersonId(event) / kHotIdStride) * kHotIdStride
                       : NextBase0PersonId(event, stream);
  return seller + kFirstPersonId;
}

int64_t NexmarkModel::BidAuction(int64_t event) const {
  RandomStream stream = datagen::OpenStream(key(NexmarkField::kBidAuction), event);
  int64_t auction = stream.Below(kHotAuctionRatio) > 0
                        ? (LastBase0AuctionId(event) / kHotIdStride) * kHotIdStride
                        : NextBase0AuctionId(event, stream);
  return auction + kFirstAuctionId;
}

int64_t NexmarkModel::BidBidder(int64_t event) const {
  RandomStream stream = datagen::OpenStream(key(NexmarkField::kBidBidder), event);
  // Hot bidders are the second of each stride so they do not coincide with hot sellers.
  int64_t bidder = stream.Below(kHotBiddersRatio) > 0
                       ? (LastBase0PersonId(event) / kHotIdStride) * kHotIdStride + 1
                       : NextBase0PersonId(event, stream);
  return bidder + kFirstPersonId;
}

int64_t NexmarkModel::IntField(NexmarkField field, int64_t event) const {
  switch (field) {
    case NexmarkField::kPersonId: return LastBase0PersonId(event) + kFirstPersonId;
    case NexmarkField::kAuctionId: return LastBase0AuctionId(event) + kFirstAuctionId;
    case NexmarkField::kPersonDateTime:
    case NexmarkField::kAuctionDateTime:
    case NexmarkField::kBidDateTime:
    case NexmarkField::kEventDateTime: return EventTime(event);
    case NexmarkField::kAuctionInitialBid: return Price(field, event);
    case NexmarkField::kAuctionReserve:
      return Price(NexmarkField::kAuctionInitialBid, event) + Price(field, event);
    case NexmarkField::kAuctionExpires: return AuctionExpires(event);
    case NexmarkField::kAuctionSeller: return AuctionSeller(event);
    case NexmarkField::kAuctionCategory:
      return kFirstCategoryId + static_cast<int64_t>(
                                    datagen::OpenStream(key(field), event).Below(kNumCategories));
    case NexmarkField::kBidAuction: return BidAuction(event);
    case NexmarkField::kBidBidder: return BidBidder(event);
    case NexmarkField::kBidPrice: return Price(field, event);
    case NexmarkField::kEventType: return static_cast<int64_t>(KindOf(event));
    default: return 0;  // not an integer field; CheckDatagenColumns rules this out
  }
}

size_t NexmarkModel::ChannelIndex(int64_t event) const {
  RandomStream stream = datagen::OpenStream(key(NexmarkField::kBidChannel), event);
  if (stream.Below(kHotChannelsRatio) > 0) {
    return static_cast<size_t>(kNumChannels + static_cast<int64_t>(stream.Below(kNumHotChannels)));
  }
  return static_cast<size_t>(stream.Below(kNumChannels));
}

std::string_view NexmarkModel::Extra(NexmarkField field, int64_t event, int64_t other_bytes,
                                     int64_t average_bytes) const {
  RandomStream stream = datagen::OpenStream(key(field), event);
  // As the reference: the desired padding +-20% (rounded half up), uniformly.
  int64_t desired = average_bytes - other_bytes;
  int64_t delta = (desired * 2 + 5) / 10;
  int64_t length = desired - delta + (delta == 0 ? 0 : static_cast<int64_t>(stream.Below(2 * delta)));
  return std::string_view(extra_pool_ + stream.Below(kExtraPoolWindows),
                          static_cast<size_t>(length));
}

std::string_view NexmarkModel::StringField(NexmarkField field, int64_t event,
                                           StringArena& arena) const {
  switch (field) {
    case NexmarkField::kPersonName: {
      RandomStream stream = datagen::OpenStream(key(field), event);
      return full_names_[stream.Below(full_names_.size())];
    }
    case NexmarkField::kPersonEmailAddress: {
      RandomStream stream = datagen::OpenStream(key(field), event);
      char buffer[32];
      std::string_view user = Trimmed(buffer, WriteRandomString(stream, 7, ' ', buffer));
      char* domain_start = buffer + 8;
      std::string_view domain =
          Trimmed(domain_start, WriteRandomString(stream, 5, ' ', domain_start));
      char* out = arena.Allocate(user.size() + 1 + domain.size() + 4);
      char* cursor = out;
      std::memcpy(cursor, user.data(), user.size());
      cursor += user.size();
      *cursor++ = '@';
      std::memcpy(cursor, domain.data(), domain.size());
      cursor += domain.size();
      std::memcpy(cursor, ".com", 4);
      cursor += 4;
      return std::string_view(out, static_cast<size_t>(cursor - out));
    }
    case NexmarkField::kPersonCreditCard: {
      RandomStream stream = datagen::OpenStream(key(field), event);
      char* out = arena.Allocate(19);
      for (int group_idx = 0; group_idx < 4; ++group_idx) {
        uint64_t group = stream.Below(10000);
        char* digits = out + group_idx * 5;
        for (int digit_idx = 3; digit_idx >= 0; --digit_idx) {
          digits[digit_idx] = static_cast<char>('0' + group % 10);
          group /= 10;
        }
        if (group_idx < 3) digits[4] = ' ';
      }
      return std::string_view(out, 19);
    }
    case NexmarkField::kPersonCity:
      return kCities[datagen::OpenStream(key(field), event).Below(std::size(kCities))];
    case NexmarkField::kPersonState:
      return kStates[datagen::OpenStream(key(field), event).Below(std::size(kStates))];
    case NexmarkField::kPersonExtra:
      return Extra(field, event, kPersonOtherBytes, kAvgPersonBytes);
    case NexmarkField::kAuctionItemName:
    case NexmarkField::kAuctionDescription: {
      RandomStream stream = datagen::OpenStream(key(field), event);
      int64_t max_length = field == NexmarkField::kAuctionItemName ? 20 : 100;
      char* out = arena.Allocate(static_cast<size_t>(max_length));
      return Trimmed(out, WriteRandomString(stream, max_length, ' ', out));
    }
    case NexmarkField::kAuctionExtra:
      return Extra(field, event, kAuctionOtherBytes, kAvgAuctionBytes);
    case NexmarkField::kBidChannel: return channel_names_[ChannelIndex(event)];
    case NexmarkField::kBidUrl: return channel_urls_[ChannelIndex(event)];
    case NexmarkField::kBidExtra: return Extra(field, event, kBidOtherBytes, kAvgBidBytes);
    default: return std::string_view();  // not a string field; CheckDatagenColumns rules it out
  }
}

}  // namespace sluice::nexmark
