#pragma once
// The WITH properties of a datagen relation, parsed and checked once. Properties:
//   'generator'   'random' (default) | 'nexmark.event' | 'nexmark.person' | 'nexmark.auction' |
//                 'nexmark.bid'
//   'events'      whole number > 0: how many events to generate; absent = unbounded. For the
//                 nexmark.person/auction/bid generators it counts events of the whole Nexmark
//                 sequence (as the reference's events.num does), of which the stream holds its kind
//                 only: 'events'=1000000 gives 20,000 persons, 60,000 auctions or 920,000 bids, and
//                 three streams with the same 'events' and 'seed' cover the same span of event time.
//   'rate'        whole number > 0, events per second of event time (default 10,000,000, the
//                 reference's benchmark rate): event n has time base + n * 1000 / rate ms, with
//                 base = 2023-11-14T22:13:20Z so runs are reproducible.
//   'seed'        64-bit integer (default 0); same seed, same data.
//   'partitions'  1..1024 (default 1): stream row r goes to partition r % P at offset r / P.
//   'rate.limit'  'true' paces generation to 'rate' events per wall-clock second (demos);
//                 'false' (default) generates as fast as the query consumes (benchmarks).
//   'fields.<column>.min' / '.max' / '.length' / '.null.rate'   (generator 'random' only, see
//                 random_columns.h)

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "common/status.h"

namespace sluice {

enum class DatagenGeneratorKind : uint8_t {
  kRandom,
  kNexmarkEvent,
  kNexmarkPerson,
  kNexmarkAuction,
  kNexmarkBid,
};

// Option name -> value text, for one column ('fields.<column>.<option>').
using DatagenFieldOptions = std::map<std::string, std::string>;

struct DatagenOptions {
  static constexpr int64_t kDefaultRate = 10'000'000;
  static constexpr int64_t kBaseTimeMillis = 1'700'000'000'000;  // 2023-11-14T22:13:20Z

  DatagenGeneratorKind generator = DatagenGeneratorKind::kRandom;
  std::string generator_name = "random";
  int64_t events = -1;  // -1: unbounded
  int64_t rate = kDefaultRate;
  uint64_t seed = 0;
  int32_t partitions = 1;
  bool rate_limit = false;
  // Lower-cased column name -> its 'fields.<column>.*' options.
  std::map<std::string, DatagenFieldOptions> field_options;

  bool bounded() const { return events >= 0; }
  // Event time of event `event_number` in epoch ms. Exact integer arithmetic (no drift) for
  // event numbers below 9.2e15.
  int64_t EventTime(int64_t event_number) const {
    return kBaseTimeMillis + event_number * 1000 / rate;
  }
};

// Parses and checks the datagen properties among `properties` (keys are matched
// case-insensitively; keys that are not datagen's are ignored). Errors are BINDER errors naming
// the property.
Result<DatagenOptions> ParseDatagenOptions(const std::map<std::string, std::string>& properties);

// True for a property key the datagen store understands ('generator', 'events', 'rate', 'seed',
// 'rate.limit', 'fields.*'), for the binder's list of allowed relation properties.
bool IsDatagenPropertyKey(std::string_view key);

std::string AsciiLower(std::string_view text);

}  // namespace sluice
