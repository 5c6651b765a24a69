#pragma once
// The built-in 'datagen' store: a Source that computes its records instead of reading them.
//   CREATE STREAM bid (auction BIGINT, bidder BIGINT, price BIGINT, channel VARCHAR, url VARCHAR,
//                      datetime TIMESTAMP, extra VARCHAR)
//     WITH ('store'='datagen', 'generator'='nexmark.bid', 'events'=1000000,
//           'timestamp'='datetime');
// Generators and their columns: nexmark_columns.h (nexmark.event/person/auction/bid) and
// random_columns.h ('random'); properties: datagen_options.h.
//
// Row r of the stream is in partition r % P at offset r / P, and every value is a pure function
// of (seed, column, r), so positions alone say where to resume and any partition can be produced
// on its own. 'starting.position'='latest' is treated as 'earliest': a generator has no "now"
// separate from its own sequence, and starting at event 0 keeps runs reproducible.

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "runtime/connector/datagen/datagen_generator.h"
#include "runtime/connector/source.h"
#include "runtime/plan/physical_plan.h"

namespace sluice {

// Checks a datagen relation at CREATE time: the datagen properties among `properties` (the
// relation's WITH properties) and every declared column against the generator. BINDER errors,
// e.g. `datagen generator 'nexmark.bid' has no column "prize"; its columns: auction, ...`.
Status ValidateDatagenColumns(const Schema& schema,
                              const std::map<std::string, std::string>& properties);

// Builds the source for `spec` (store_type "datagen"); produces spec.columns of
// spec.relation_schema, in that order. CONNECTOR errors.
Result<std::unique_ptr<Source>> CreateDatagenSource(const SourceSpec& spec);

// Generates a datagen stream batch by batch. Never blocks in Poll; with 'rate.limit' it returns
// only the rows whose event time, replayed at 'rate' from the first poll, is due on the wall
// clock.
class DatagenSource final : public Source {
 public:
  static Result<std::unique_ptr<DatagenSource>> Create(const SourceSpec& spec);
  DatagenSource(const DatagenSource&) = delete;
  DatagenSource& operator=(const DatagenSource&) = delete;

  // Appends rows in increasing row number across partitions (round robin when positions are
  // even). REQUIRES: `batch` has one column per spec.columns, of their types.
  Status Poll(size_t max_rows, RecordBatch& batch) override;
  // Returns at once while rows are available; sleeps for paced or exhausted streams.
  void WaitForData(int timeout_ms) override;
  std::vector<int64_t> positions() const override { return next_offsets_; }
  // Bounded: the final row count per partition. Unbounded: the positions (everything is always
  // available). With 'rate.limit': the rows due by now.
  std::vector<int64_t> end_offsets() const override;
  bool exhausted() const override;
  const std::string& topic() const override { return topic_; }
  const SourceStats& stats() const override { return stats_; }

  // Resumes at `positions` (next offset per partition, e.g. from a checkpoint).
  Status Seek(const std::vector<int64_t>& positions) override;
  // Rows of a bounded stream (all partitions), or -1.
  int64_t total_rows() const { return total_rows_; }

 private:
  DatagenSource() = default;
  // Rows of the stream's first `rows` rows that fall in each partition.
  std::vector<int64_t> PartitionRows(int64_t rows) const;
  // Events [0, n) due on the wall clock now. REQUIRES: options_.rate_limit and pacing started.
  int64_t DueEvents() const;

  DatagenOptions options_;
  StreamShape shape_;
  std::string topic_;
  std::unique_ptr<DatagenGenerator> generator_;
  std::vector<std::unique_ptr<DatagenColumn>> columns_;  // one per batch column
  // Where RecordMeta::timestamp comes from: event time, a batch column, or a column generated
  // only for it (when the query does not read the timestamp column).
  int timestamp_batch_column_ = -1;
  std::unique_ptr<DatagenColumn> timestamp_only_column_;
  Column timestamp_scratch_;

  int64_t total_rows_ = -1;
  std::vector<int64_t> final_offsets_;  // bounded streams only
  std::vector<int64_t> next_offsets_;
  bool pacing_started_ = false;
  std::chrono::steady_clock::time_point pacing_origin_;  // wall time of event 0

  std::vector<int64_t> row_events_;  // per-poll scratch, reused
  std::vector<int64_t> row_times_;
  SourceStats stats_;
};

}  // namespace sluice
