#pragma once
// The 'random' generator: values for any declared columns, a pure function of (seed, column
// position, row number). Defaults per type, and the 'fields.<column>.<option>' overrides:
//   BOOLEAN               true or false, even odds
//   INTEGER, BIGINT       uniform in [min, max], default [0, 1000000]
//   DECIMAL(p, s)         uniform in [min, max] in steps of 10^-s, default [0, 1000000] clipped to p
//   DOUBLE                uniform in [min, max), default [0, 1)
//   VARCHAR               'length' lower-case letters, default 10
//   BYTES                 'length' random bytes, default 10
//   TIMESTAMP             the row's event time (so windows over a random stream fill in order)
//   DATE                  the day of the row's event time
//   ARRAY, MAP            0..'length' elements (default 3) of random elements; map keys are
//                         distinct ("k0_<letters>", ...)
//   STRUCT                every field random by these defaults
//   'null.rate'           probability in [0, 1] of NULL (top-level columns), default 0
// The relation's 'timestamp' column always holds the row's event time, also when it is BIGINT.
// Row r has event time base + r * 1000 / 'rate' ms (see datagen_options.h).

#include <memory>

#include "common/status.h"
#include "common/types.h"
#include "runtime/connector/datagen/datagen_generator.h"

namespace sluice {

Status CheckRandomColumns(const DatagenOptions& options, const Schema& schema);

Result<std::unique_ptr<DatagenGenerator>> MakeRandomGenerator(const DatagenOptions& options,
                                                              const Schema& schema,
                                                              int timestamp_column);

}  // namespace sluice
