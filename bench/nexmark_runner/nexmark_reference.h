#pragma once
// Correctness checks of the benchmark, computed without the query engine: the rows a query must
// produce, counted and checksummed from the Nexmark model directly (what the datagen source is
// defined to generate), and the same count and checksum computed from the JSON records a query
// wrote to an output topic. The checksum is a sum of per-row hashes of the query's numeric
// output columns, so it does not depend on row order.

#include <cstdint>
#include <optional>
#include <string>

#include "common/status.h"

namespace sluice::bench {

// Digests one output row from its hashed columns, in order; a digest is the sum of its rows'.
class RowHasher {
 public:
  void Add(int64_t value) {
    uint64_t x = hash_ ^ static_cast<uint64_t>(value);
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    hash_ = x ^ (x >> 31);
  }
  uint64_t hash() const { return hash_; }

 private:
  uint64_t hash_ = 0x5155494345ULL;
};

// `value` * 10^scale rounded to a whole number: how a DOUBLE output column is digested.
int64_t RoundedDouble(double value, int scale);

struct RowDigest {
  int64_t rows = 0;
  uint64_t checksum = 0;
  std::string ToString() const;  // "rows=N checksum=0x..."
};

// What query `query_name` must output over the bid stream of `events` Nexmark events with
// `seed`, and how many bids it reads. nullopt when the runner has no reference for the query.
struct QueryReference {
  int64_t input_rows = 0;
  RowDigest output;
};
std::optional<QueryReference> ComputeReference(const std::string& query_name, int64_t events,
                                               uint64_t seed);

// The same for the queries with setup statements, q3, q4, q5, q7 and q8
// (nexmark_join_reference.cc). Output rows are digested over their numeric columns, as the
// queries of DigestOutputTopic; q4's changelog output by the final average of each category
// (its rows count every update), see DigestOutputTopic.
std::optional<QueryReference> ComputeJoinReference(const std::string& query_name, int64_t events,
                                                   uint64_t seed);

// Reads every record of `topic` in the local log under `log_dir` and digests it the way
// ComputeReference digests query `query_name`'s rows. For q4, an upsert changelog keyed by
// category, rows counts every record and the checksum covers the last (final) row of each
// category: hash(category, round(avg_final * 1000)).
Result<RowDigest> DigestOutputTopic(const std::string& query_name, const std::string& log_dir,
                                    const std::string& topic);

}  // namespace sluice::bench
