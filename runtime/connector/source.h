#pragma once
// A source connector turns a store's records into batches of the query's columns. It owns the bad
// record policy ('source.deserialization.error.handling'), because only it knows the raw bytes and
// where they came from.

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "common/batch.h"
#include "common/status.h"

namespace sluice {

class CheckpointedStage;

struct SourceStats {
  int64_t records_in = 0;
  int64_t records_failed = 0;  // skipped under IGNORE / IGNORE_AND_LOG
  std::string last_error;
};

class Source {
 public:
  virtual ~Source() = default;
  // Appends up to `max_rows` decoded rows (columns, meta, keys) to `batch`, which has the
  // source's output schema. Never blocks; an empty result means nothing is available right now.
  // Returns an error for a bad record under TERMINATE or a storage failure.
  virtual Status Poll(size_t max_rows, RecordBatch& batch) = 0;
  // Sleeps until data may be available or `timeout_ms` passed.
  virtual void WaitForData(int timeout_ms) = 0;
  // Next offset to read per partition (positions of everything returned so far).
  virtual std::vector<int64_t> positions() const = 0;
  // End offset per partition as of the last poll.
  virtual std::vector<int64_t> end_offsets() const = 0;
  // Resumes reading at `positions` (next offset per partition, as positions() returned them).
  virtual Status Seek(const std::vector<int64_t>& positions) = 0;
  // True when a bounded source has returned everything it will ever return.
  virtual bool exhausted() const { return false; }
  // Whether an empty Poll means everything written so far was read: true for sources that read
  // their store directly (the local log); a Kafka source only once each of its partitions
  // reached its end, since its first polls come back empty while the first fetches run.
  virtual bool caught_up() const { return true; }
  virtual const std::string& topic() const = 0;
  virtual const SourceStats& stats() const = 0;
  // The records of the last Poll in the order read, when that is more than the batch's rows: a
  // repartition topic's watermark marks carry event time but no row. Null for other sources.
  virtual const std::vector<RecordMeta>* read_meta() const { return nullptr; }
  // Per partition, 1 while the partition still holds records that were in it when the source
  // opened (or was sought, resuming: its end then) and that were not read yet; 0 once read past
  // them, and for a partition empty then or read by another worker. The watermark waits for
  // these partitions (WatermarkTracker::HoldUnread). Null when the source does not say (datagen;
  // a repartition topic, whose partitions are not the source partitions event time is tracked by).
  virtual const std::vector<uint8_t>* unread_at_start() const { return nullptr; }
  // The stage-1 writers whose caught-up mark the last Poll read (a repartitioned temporal join's
  // changelog topic: the writer had read its whole share of the changelog once). Null for
  // other sources.
  virtual const std::vector<int32_t>* caught_up_writers() const { return nullptr; }
  // The stage-1 writers whose start mark the last Poll read after any caught-up mark of theirs
  // (a new life of the writer, restarted alone or with the query: it announces again once caught
  // up). Disjoint from caught_up_writers(). Null for other sources.
  virtual const std::vector<int32_t>* restarted_writers() const { return nullptr; }
};

// Output topic -> end offset per partition: where a sink's outputs end at a checkpoint.
using SinkPositions = std::map<std::string, std::vector<int64_t>>;

// Where a pipeline's output goes.
class Sink {
 public:
  virtual ~Sink() = default;
  // Writes every row of `batch` (the plan's output schema).
  virtual Status Write(const RecordBatch& batch) = 0;
  // Every record the source returned, before operators dropped any, in order: a repartition
  // sink forwards the event time they carry as watermark marks. Others ignore it.
  virtual void ObserveRead(const std::vector<RecordMeta>& read) { (void)read; }
  // The event time the pipeline guarantees for its later output rows (a join's watermark): a
  // repartition sink written by a join's workers forwards it as a watermark mark naming this
  // writer. Returns true when a mark is pending (written with the next Write or Flush).
  virtual bool ObserveWatermark(int64_t watermark) {
    (void)watermark;
    return false;
  }
  // Before the pipeline's first poll: the source's partitions with records written before it
  // opened (Source::unread_at_start; may be null). A repartition sink of stage 1 writes a start
  // mark holding them in stage 2. Returns true when it wrote something, to be flushed.
  virtual Result<bool> ObserveStart(const std::vector<uint8_t>* unread) {
    (void)unread;
    return false;
  }
  // The source has nothing more to read right now. Returns true when the sink wrote something
  // for it (a repartition sink's caught-up mark), which must then be flushed like output.
  virtual Result<bool> ObserveCaughtUp() { return false; }
  // The bounded source was read to its fixed end (Source::exhausted), and the pipeline ends.
  // Returns true when the sink wrote something for it (a repartition sink's end mark), to be
  // flushed.
  virtual Result<bool> ObserveEnd() { return false; }
  // Makes everything written so far visible to readers (and durable where the store is).
  // A staging sink (below) only hands writes to its store: Publish() makes them visible.
  virtual Status Flush() = 0;
  // Flush for a sink that commits its output atomically with the input positions it was
  // computed from (Kafka transactions, 'delivery.guarantee'='exactly_once'): everything written
  // so far came from `source_topic` before `positions`.
  virtual Status FlushAt(const std::string& /*source_topic*/,
                         const std::vector<int64_t>& /*positions*/) {
    return Flush();
  }
  // True when every FlushAt commits: the positions are then saved right after each one (not
  // throttled), keeping the window between a commit and the saved positions as short as possible.
  virtual bool transactional() const { return false; }
  // --- Two-phase commit of a stateful query's state with a transactional sink
  // (docs/checkpoints.md). True while output written since the last FlushAt is uncommitted.
  virtual bool transaction_open() const { return false; }
  // Waits until the open transaction's records are acknowledged (so a crash cannot add any) and
  // returns a marker naming one of them ("topic:partition:offset"), empty when it holds none.
  virtual Result<std::string> PrepareTransaction() { return std::string(); }
  // After a crash, once the previous transaction is settled (the sink's Open fences it): whether
  // the transaction that `marker` names committed, i.e. its record is visible to a
  // read_committed consumer. An empty marker names no record: true.
  virtual Result<bool> TransactionCommitted(const std::string& marker) {
    (void)marker;
    return true;
  }
  virtual int64_t records_out() const = 0;
  // Sinks that commit their output together with the input positions it reflects (the view
  // store) are handed how to read the pipeline's current source positions (topic -> next offset
  // per partition, as of the last batch polled). Others ignore it.
  using PositionsFn = std::function<std::map<std::string, std::vector<int64_t>>()>;
  virtual void set_source_positions(PositionsFn positions) { (void)positions; }

  // --- Exactly-once (docs/checkpoints.md). Sinks that cannot stage keep these defaults and
  // stay at-least-once.
  // Brings the outputs back to the last commit, `committed` (empty: no commit yet, so nothing
  // unpublished is kept), and from then on keeps writes invisible until Publish(). False when
  // the sink cannot stage.
  virtual Result<bool> BeginStaging(const SinkPositions& committed) { return false; }
  // Where everything written so far ends: what a commit records before Publish().
  virtual SinkPositions staged_positions() const { return {}; }
  // Makes every write so far visible to readers.
  virtual Status Publish() { return Status::OK(); }
  // Makes every write so far survive power loss.
  virtual Status Sync() { return Status::OK(); }
  // State the sink keeps about what it wrote, checkpointed with the pipeline's positions when
  // the plan has no stateful operator (stage 1 of a GROUP BY over a changelog: where each key
  // was sent). Null for sinks without state.
  virtual CheckpointedStage* checkpointed_state() { return nullptr; }
};

}  // namespace sluice
