#pragma once
// Correctness checks of the benchmark, computed without the query engine: the rows a query must
// produce, counted and checksummed from the Nexmark model directly (what the datagen source is
// defined to generate), and the same count and checksum computed from the JSON records a query
// wrote to an output topic. The checksum is a sum of per-row hashes of the query's numeric
// output columns, so it does not depend on row order.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

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
  // Set when how many updates the changelog the measured query reads holds depends on the order
  // the setup met its input (q4: an auction's maximum is updated only by a bid above it, and the
  // join may pair an auction with its bids in any order): the changelog's final state, its last
  // row per key, digested over ChangelogDigestColumns. The update count is then bounded: at
  // least one per key (source_final_state->rows), at most input_rows; and the measured query
  // outputs one row per update it reads.
  std::optional<RowDigest> source_final_state;
};

// The hash of one row from its digested columns in order (what RowDigest::checksum sums).
uint64_t HashRow(const std::vector<int64_t>& values);
std::optional<QueryReference> ComputeReference(const std::string& query_name, int64_t events,
                                               uint64_t seed);

// The same for the queries with setup statements, q3, q4, q5, q7 and q8
// (nexmark_join_reference.cc). Output rows are digested over their numeric columns, as the
// queries of DigestOutputTopic; q4's changelog output by the final average of each category
// (its rows count every update), see DigestOutputTopic; and q4's source_final_state.
std::optional<QueryReference> ComputeJoinReference(const std::string& query_name, int64_t events,
                                                   uint64_t seed);

// Reads every record of `topic` in the local log under `log_dir` and digests it the way
// ComputeReference digests query `query_name`'s rows. For q4, an upsert changelog keyed by
// category, rows counts every record and the checksum covers the last (final) row of each
// category: hash(category, round(avg_final * 1000)).
Result<RowDigest> DigestOutputTopic(const std::string& query_name, const std::string& log_dir,
                                    const std::string& topic);

// The final state of changelog `topic` (the last row of each record key; a tombstone removes
// the key) digested the way ComputeJoinReference digests query `query_name`'s
// source_final_state; *records is set to how many records the topic holds.
Result<RowDigest> DigestChangelogFinalState(const std::string& query_name,
                                            const std::string& log_dir, const std::string& topic,
                                            int64_t* records);

}  // namespace sluice::bench
