#pragma once
// The physical plan: what a worker (or an interactive query in the engine) runs. It is produced by
// the planner, serialized to JSON for the worker's pipe, and immutable once built; every bit of
// run-time state lives in the pipeline's state objects, never here.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "common/types.h"
#include "runtime/expression/expression_node.h"
#include "runtime/plan/row_metadata.h"

namespace sluice {

// How a source treats records it cannot decode ('source.deserialization.error.handling').
enum class ErrorHandling : uint8_t { kTerminate, kIgnore, kIgnoreAndLog };

struct SourceSpec {
  std::string store_type = "local";  // local | datagen | kafka
  std::string relation;              // db.schema.name, for messages
  std::string topic;
  int32_t partitions = 1;
  Schema relation_schema;    // every declared column
  std::vector<int> columns;  // relation columns the query reads, in batch column order
  std::string value_format = "json";
  int timestamp_column = -1;      // index into relation_schema; -1 = the record's timestamp
  bool start_at_earliest = true;  // 'starting.position'
  // 'starting.position' given as a time (epoch ms): start at each partition's first record whose
  // timestamp is at or after it; -1 when the position is 'earliest' or 'latest'.
  int64_t start_timestamp_ms = -1;
  // 'ending.position'='latest': a bounded read. The source ends once every partition it reads is
  // read up to `end_offsets`, the log's end as of the query's start: the engine pins them into a
  // persistent query's plan when it launches it (a restarted worker stops at the same place);
  // left empty, the source takes the ends when it opens. Local and Kafka stores (Kafka: high
  // watermarks, the last stable offsets under read_committed).
  bool end_at_latest = false;
  std::vector<int64_t> end_offsets;
  ErrorHandling error_handling = ErrorHandling::kTerminate;
  std::string error_topic;                        // where IGNORE_AND_LOG writes bad records
  std::map<std::string, std::string> properties;  // store-specific settings (datagen, kafka)
  // A changelog read as the versioned side of a temporal join: tombstones (a key with no value)
  // become rows of RowKind::kDelete with only the key columns set, instead of being skipped.
  bool emit_deletes = false;
  std::vector<int> key_columns;  // relation columns forming the record key (changelogs)

  // Row functions the query calls: hidden columns after `columns`, in this order.
  std::vector<RowMetadata> metadata;
  // Set by the worker, not serialized: with 'parallelism' N this source reads only partitions
  // p with p % worker_count == worker_index (Kafka, and the local repartition topic).
  int32_t worker_index = 0;
  int32_t worker_count = 1;
  bool OwnsPartition(int32_t partition) const { return partition % worker_count == worker_index; }
  // Set by the worker, not serialized: the source is a repartition topic, whose records carry
  // their origin partition in a header and whose watermark marks carry no row
  // (runtime/connector/repartition_format.h).
  bool repartitioned = false;
  // Set by the worker, not serialized: a repartition topic whose writers (the query's other
  // workers) kept running while this worker was restarted alone after a crash.
  bool siblings_kept_running = false;
  // Set by the worker, not serialized: a repartition topic written by a join's stage-2 workers
  // (stage 3 of a GROUP BY over a join), whose watermark marks name their writer and carry the
  // event time it guarantees for its later rows; the rows themselves move no watermark.
  bool marks_by_writer = false;

  // The batches the source produces: the decoded columns, then the metadata columns.
  Schema batch_schema() const;
};

enum class SinkKind : uint8_t {
  kLocalLog,  // append JSON records to a local topic
  kDiscard,   // count and drop (benchmarks)
  kCollect,   // hand batches to the caller (interactive queries)
  kKafka,     // produce JSON records to a Kafka topic (properties: the store's settings)
  kView,      // a materialized view's store (properties["view.dir"]) and its changelog topic
};

struct SinkSpec {
  SinkKind kind = SinkKind::kCollect;
  std::string relation;  // db.schema.name, for messages
  std::string topic;
  int32_t partitions = 1;
  Schema schema;                 // the sink relation's columns, in the order rows are produced
  std::vector<int> key_columns;  // output columns forming the record key (partitioning)
  std::string value_format = "json";
  std::map<std::string, std::string> properties;  // store settings (kafka); never secrets
};

enum class PhysicalOperatorKind : uint8_t { kFilter, kProject, kAggregate, kJoin };

// One step of the pipeline. Stateless operators transform a batch in place.
class PhysicalOperator {
 public:
  explicit PhysicalOperator(PhysicalOperatorKind kind) : kind_(kind) {}
  virtual ~PhysicalOperator() = default;
  PhysicalOperatorKind kind() const { return kind_; }
  // The schema of the batches this operator produces.
  virtual const Schema& output_schema() const = 0;

 private:
  PhysicalOperatorKind kind_;
};

// Keeps the rows for which the predicate IS TRUE.
class PhysicalFilter final : public PhysicalOperator {
 public:
  PhysicalFilter(std::unique_ptr<Expression> predicate, Schema schema)
      : PhysicalOperator(PhysicalOperatorKind::kFilter),
        predicate_(std::move(predicate)),
        schema_(std::move(schema)) {}
  const Expression& predicate() const { return *predicate_; }
  const Schema& output_schema() const override { return schema_; }

 private:
  std::unique_ptr<Expression> predicate_;
  Schema schema_;  // same as its input
};

// Computes one output column per expression.
class PhysicalProject final : public PhysicalOperator {
 public:
  PhysicalProject(std::vector<std::unique_ptr<Expression>> expressions, Schema schema)
      : PhysicalOperator(PhysicalOperatorKind::kProject),
        expressions_(std::move(expressions)),
        schema_(std::move(schema)) {}
  const std::vector<std::unique_ptr<Expression>>& expressions() const { return expressions_; }
  const Schema& output_schema() const override { return schema_; }

 private:
  std::vector<std::unique_ptr<Expression>> expressions_;
  Schema schema_;
};

constexpr int64_t kDefaultCheckpointIntervalMs = 1000;
constexpr int32_t kMaxParallelism = 64;
// 'state.cache.max.bytes' by default: the in-memory budget of a non-windowed GROUP BY's groups.
constexpr int64_t kDefaultStateCacheMaxBytes = int64_t{64} << 20;

struct PhysicalPlan {
  int64_t query_id = 0;
  SourceSpec source;
  // The right side of a JOIN (operators[0] is then the PhysicalJoin; `source` is its left side).
  std::optional<SourceSpec> join_source;
  std::vector<std::unique_ptr<PhysicalOperator>> operators;
  SinkSpec sink;
  int64_t limit = -1;  // interactive LIMIT; -1 = none
  // Persistent queries: 'checkpoint.interval.millis', how often a busy query commits.
  int64_t checkpoint_interval_ms = kDefaultCheckpointIntervalMs;
  // Persistent queries: 'parallelism', how many worker processes share the source partitions.
  int32_t parallelism = 1;
  // A GROUP BY or a join with parallelism N > 1: the local topic its rows are
  // repartitioned through by key (runtime/plan/repartition_plan.h); the query then runs 2N
  // workers, N per stage (3N for a join: N per side in stage 1, whose right side writes to
  // RepartitionRightTopic(repartition_topic); 4N for a GROUP BY over a join, whose join
  // workers write to RepartitionGroupTopic(repartition_topic)). Empty: no repartitioning.
  std::string repartition_topic;

  // Groups of `parallelism` workers: 1, 2 for a repartitioned GROUP BY (stage 1, stage 2), 3
  // for a repartitioned join (stage 1 left, stage 1 right, stage 2), 4 for a repartitioned
  // GROUP BY over a join (the join's three, then stage 3 aggregating).
  int32_t worker_groups() const {
    return repartition_topic.empty() ? 1 : repartitioned_worker_groups();
  }
  // The groups a repartitioned plan runs in, also before its topic is named (EXPLAIN).
  int32_t repartitioned_worker_groups() const {
    if (!join_source.has_value()) return 2;
    return has_aggregate() ? 4 : 3;
  }
  // Whether an operator of the plan is an aggregate (a GROUP BY).
  bool has_aggregate() const;
  // A repartitioned materialized view: its last group writes the view's rows to a local topic
  // (RepartitionViewTopic) and one more worker, after the groups, applies them to the view
  // store, which has one writer.
  bool has_view_worker() const {
    return !repartition_topic.empty() && sink.kind == SinkKind::kView;
  }
  // How many worker processes run the plan.
  int32_t worker_count() const {
    return parallelism * worker_groups() + (has_view_worker() ? 1 : 0);
  }
  // Persistent queries: 'state.cache.max.bytes', the bytes of groups a non-windowed GROUP BY
  // keeps in memory (colder ones are evicted to its state table) and the uncommitted state after
  // which the query checkpoints early (docs/checkpoints.md).
  int64_t state_cache_max_bytes = kDefaultStateCacheMaxBytes;
  // Persistent queries: 'state.ttl.millis', the event time after which a non-windowed GROUP BY
  // drops a group not updated since; 0: never.
  int64_t state_ttl_ms = 0;

  // Schema of the rows that reach the sink.
  Schema output_schema() const;
};

std::string PhysicalPlanToJson(const PhysicalPlan& plan);
Result<std::unique_ptr<PhysicalPlan>> PhysicalPlanFromJson(std::string_view json);

std::string_view ErrorHandlingName(ErrorHandling handling);
Result<ErrorHandling> ParseErrorHandling(std::string_view text);

// 'starting.position': 'earliest', 'latest', epoch milliseconds, or a UTC timestamp such as
// '2026-11-23 08:00:00'. Sets the spec's start_at_earliest / start_timestamp_ms.
Status ParseStartingPosition(std::string_view text, SourceSpec& spec);
// 'ending.position': 'latest' (end at the log's end as of the query's start) or 'unbounded' (the
// default). Sets the spec's end_at_latest.
Status ParseEndingPosition(std::string_view text, SourceSpec& spec);

}  // namespace sluice
