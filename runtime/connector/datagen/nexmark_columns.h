#pragma once
// The nexmark.* generators: which columns a relation may declare and how each is filled.
//
// nexmark.person: id, name, emailaddress, creditcard, city, state, datetime, extra
// nexmark.auction: id, itemname, description, initialbid, reserve, datetime, expires, seller,
//                  category, extra
// nexmark.bid: auction, bidder, price, channel, url, datetime, extra
// nexmark.event (every event; the Flink Nexmark table's shape):
//   event_type INTEGER (0 person, 1 auction, 2 bid), datetime (the event's time, whatever its
//   kind), person / auction / bid STRUCT<any of that kind's fields> (NULL unless the event is of
//   that kind), and the flattened person_<field> / auction_<field> / bid_<field>, also NULL for
//   other kinds. Prefer the flattened columns or the per-kind streams where speed matters: a
//   STRUCT cell is a nested Value, built with allocations per event.
//
// Types: ids, prices, category and event_type are BIGINT or INTEGER; datetime and expires are
// TIMESTAMP or BIGINT (epoch ms); strings are VARCHAR. Names match case-insensitively (SQL folds
// the reference's emailAddress to emailaddress).

#include <memory>

#include "common/status.h"
#include "common/types.h"
#include "runtime/connector/datagen/datagen_generator.h"

namespace sluice {

Status CheckNexmarkColumns(const DatagenOptions& options, const Schema& schema);

// REQUIRES: options.generator is one of the nexmark kinds.
Result<std::unique_ptr<DatagenGenerator>> MakeNexmarkGenerator(const DatagenOptions& options,
                                                               const Schema& schema);

}  // namespace sluice
