// References of the Nexmark join queries (q3, q4, q5, q7, q8), computed from the Nexmark model
// without the engine: how many rows the measured join reads (both sides, the intermediate streams
// of the setup included), how many it must output, and their digest (nexmark_reference.h). Native
// mode checks the counts; json-log mode the digest too.

#include <algorithm>
#include <iterator>
#include <map>
#include <set>
#include <unordered_map>

#include "bench/nexmark_runner/nexmark_reference.h"
#include "runtime/connector/datagen/datagen_options.h"
#include "runtime/connector/datagen/nexmark_model.h"

namespace sluice::bench {
namespace {

using nexmark::EventKind;
using nexmark::NexmarkField;

constexpr int64_t kWindowMs = 10'000;

int64_t WindowStart(int64_t time) { return time - ((time % kWindowMs) + kWindowMs) % kWindowMs; }

// q3: auctions in category 10 whose seller lives in OR, ID or CA as of the auction's time (the
// temporal join's semantics: the generator may pick a seller a few events ahead, who exists for
// the auction only if created in the same millisecond); reads every auction and every person
// (the q3_person changelog holds one row per person).
QueryReference Q3(const nexmark::NexmarkModel& model, int64_t events) {
  QueryReference reference;
  struct Person {
    int64_t time;
    bool local;  // in OR, ID or CA
  };
  std::unordered_map<int64_t, Person> persons;
  StringArena arena;
  for (int64_t event = 0; event < events; ++event) {
    if (nexmark::KindOf(event) != EventKind::kPerson) continue;
    ++reference.input_rows;
    std::string_view state = model.StringField(NexmarkField::kPersonState, event, arena);
    persons[model.IntField(NexmarkField::kPersonId, event)] =
        Person{model.IntField(NexmarkField::kPersonDateTime, event),
               state == "OR" || state == "ID" || state == "CA"};
  }
  for (int64_t event = 0; event < events; ++event) {
    if (nexmark::KindOf(event) != EventKind::kAuction) continue;
    ++reference.input_rows;
    if (model.IntField(NexmarkField::kAuctionCategory, event) != 10) continue;
    auto seller = persons.find(model.IntField(NexmarkField::kAuctionSeller, event));
    if (seller != persons.end() && seller->second.local &&
        seller->second.time <= model.IntField(NexmarkField::kAuctionDateTime, event)) {
      RowHasher row;
      row.Add(model.IntField(NexmarkField::kAuctionId, event));
      ++reference.output.rows;
      reference.output.checksum += row.hash();
    }
  }
  return reference;
}

// q5: per HOP(10 s, 2 s) window, the auctions with the most bids (ties all count). The measured
// join reads q5_auction_bids (one row per window and auction) and q5_max_bids (one row per
// window but the last: over the unbounded local topic of q5_auction_bids the newest window waits
// for a later one to close it), and outputs the top auctions of the windows q5_max_bids holds.
QueryReference Q5(const nexmark::NexmarkModel& model, int64_t events) {
  constexpr int64_t kSizeMs = 10'000;
  constexpr int64_t kAdvanceMs = 2'000;
  QueryReference reference;
  std::map<int64_t, std::unordered_map<int64_t, int64_t>> windows;  // start -> auction -> bids
  for (int64_t event = 0; event < events; ++event) {
    if (nexmark::KindOf(event) != EventKind::kBid) continue;
    const int64_t time = model.IntField(NexmarkField::kBidDateTime, event);
    const int64_t auction = model.IntField(NexmarkField::kBidAuction, event);
    const int64_t last_start = time - ((time % kAdvanceMs) + kAdvanceMs) % kAdvanceMs;
    for (int64_t start = last_start; start > time - kSizeMs; start -= kAdvanceMs) {
      ++windows[start][auction];
    }
  }
  for (const auto& [start, auctions] : windows) {
    reference.input_rows += static_cast<int64_t>(auctions.size());
  }
  if (windows.empty()) return reference;
  windows.erase(std::prev(windows.end()));
  reference.input_rows += static_cast<int64_t>(windows.size());
  for (const auto& [start, auctions] : windows) {
    int64_t max_bids = 0;
    for (const auto& [auction, bids] : auctions) max_bids = std::max(max_bids, bids);
    for (const auto& [auction, bids] : auctions) {
      if (bids != max_bids) continue;
      RowHasher row;
      row.Add(auction);
      row.Add(bids);
      ++reference.output.rows;
      reference.output.checksum += row.hash();
    }
  }
  return reference;
}

// q7: the bids carrying their 10 s window's highest price; reads every bid and one row per
// window (q7_max_price).
QueryReference Q7(const nexmark::NexmarkModel& model, int64_t events) {
  QueryReference reference;
  std::map<int64_t, std::pair<int64_t, int64_t>> windows;  // start -> (max price, bids at max)
  for (int64_t event = 0; event < events; ++event) {
    if (nexmark::KindOf(event) != EventKind::kBid) continue;
    ++reference.input_rows;
    const int64_t price = model.IntField(NexmarkField::kBidPrice, event);
    auto [it, inserted] = windows.try_emplace(
        WindowStart(model.IntField(NexmarkField::kBidDateTime, event)), price, 0);
    if (price > it->second.first) it->second = {price, 0};
    if (price == it->second.first) ++it->second.second;
  }
  reference.input_rows += static_cast<int64_t>(windows.size());
  for (int64_t event = 0; event < events; ++event) {
    if (nexmark::KindOf(event) != EventKind::kBid) continue;
    const int64_t price = model.IntField(NexmarkField::kBidPrice, event);
    const int64_t time = model.IntField(NexmarkField::kBidDateTime, event);
    if (price != windows[WindowStart(time)].first) continue;
    RowHasher row;
    row.Add(model.IntField(NexmarkField::kBidAuction, event));
    row.Add(price);
    row.Add(model.IntField(NexmarkField::kBidBidder, event));
    row.Add(time);
    ++reference.output.rows;
    reference.output.checksum += row.hash();
  }
  return reference;
}

// q8: the people who created an auction in the 10 s window they appeared in; reads one row per
// person (ids are unique) and one per (seller, window) with auctions.
QueryReference Q8(const nexmark::NexmarkModel& model, int64_t events) {
  QueryReference reference;
  std::set<std::pair<int64_t, int64_t>> people;   // (id, window start)
  std::set<std::pair<int64_t, int64_t>> sellers;  // (seller, window start)
  for (int64_t event = 0; event < events; ++event) {
    EventKind kind = nexmark::KindOf(event);
    if (kind == EventKind::kPerson) {
      people.emplace(model.IntField(NexmarkField::kPersonId, event),
                     WindowStart(model.IntField(NexmarkField::kPersonDateTime, event)));
    } else if (kind == EventKind::kAuction) {
      sellers.emplace(model.IntField(NexmarkField::kAuctionSeller, event),
                      WindowStart(model.IntField(NexmarkField::kAuctionDateTime, event)));
    }
  }
  reference.input_rows = static_cast<int64_t>(people.size() + sellers.size());
  for (const auto& person : people) {
    if (sellers.count(person) == 0) continue;
    RowHasher row;
    row.Add(person.first);
    row.Add(person.second);
    ++reference.output.rows;
    reference.output.checksum += row.hash();
  }
  return reference;
}

// q4: the setup's q4_winning_bids holds, per auction with a bid made while it was open, the
// highest such bid: its final state is checked. How many updates it holds depends on the order
// the join paired each auction with its bids (an update only when a bid beats the maximum so
// far, and a bid that came before its auction is paired when the auction arrives), so that is
// bounded: at least one per auction, at most one per (auction, bid) pair (input_rows). The
// measured query outputs one row per update read (its category's new average); its digest
// covers the final average of each category, of the highest bid of each of its auctions.
QueryReference Q4(const nexmark::NexmarkModel& model, int64_t events) {
  QueryReference reference;
  struct Auction {
    int64_t opens;
    int64_t expires;
    int64_t category;
    int64_t bids = 0;  // in the auction's lifetime
    int64_t max_price = 0;
  };
  std::unordered_map<int64_t, Auction> auctions;
  for (int64_t event = 0; event < events; ++event) {
    if (nexmark::KindOf(event) != EventKind::kAuction) continue;
    auctions[model.IntField(NexmarkField::kAuctionId, event)] = {
        model.IntField(NexmarkField::kAuctionDateTime, event),
        model.IntField(NexmarkField::kAuctionExpires, event),
        model.IntField(NexmarkField::kAuctionCategory, event)};
  }
  for (int64_t event = 0; event < events; ++event) {
    if (nexmark::KindOf(event) != EventKind::kBid) continue;
    auto it = auctions.find(model.IntField(NexmarkField::kBidAuction, event));
    if (it == auctions.end()) continue;
    Auction& auction = it->second;
    const int64_t time = model.IntField(NexmarkField::kBidDateTime, event);
    if (time < auction.opens || time > auction.expires) continue;
    ++reference.input_rows;
    const int64_t price = model.IntField(NexmarkField::kBidPrice, event);
    if (auction.bids++ == 0 || price > auction.max_price) auction.max_price = price;
  }
  RowDigest final_state;
  std::map<int64_t, std::pair<int64_t, int64_t>> categories;  // category -> (sum, count)
  for (const auto& [id, auction] : auctions) {
    if (auction.bids == 0) continue;
    ++final_state.rows;
    final_state.checksum += HashRow({id, auction.category, auction.max_price});
    categories[auction.category].first += auction.max_price;
    ++categories[auction.category].second;
  }
  reference.source_final_state = final_state;
  for (const auto& [category, total] : categories) {
    RowHasher row;
    row.Add(category);
    row.Add(RoundedDouble(static_cast<double>(total.first) / static_cast<double>(total.second), 3));
    reference.output.checksum += row.hash();
  }
  return reference;
}

}  // namespace

std::optional<QueryReference> ComputeJoinReference(const std::string& query_name, int64_t events,
                                                   uint64_t seed) {
  if (query_name != "q3" && query_name != "q4" && query_name != "q5" && query_name != "q7" &&
      query_name != "q8") {
    return std::nullopt;
  }
  Result<DatagenOptions> options = ParseDatagenOptions({{"generator", "nexmark.bid"},
                                                        {"events", std::to_string(events)},
                                                        {"seed", std::to_string(seed)}});
  if (!options.ok()) return std::nullopt;
  nexmark::NexmarkModel model(*options);
  if (query_name == "q3") return Q3(model, events);
  if (query_name == "q4") return Q4(model, events);
  if (query_name == "q5") return Q5(model, events);
  if (query_name == "q7") return Q7(model, events);
  return Q8(model, events);
}

}  // namespace sluice::bench
