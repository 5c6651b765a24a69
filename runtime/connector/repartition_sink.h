#pragma once
// Stage 1 of a repartitioned GROUP BY ('parallelism'=N, docs/kafka.md "Parallelism"): writes the
// aggregate's input rows to the query's local repartition topic, each to the stage-2 worker that
// owns its group key, and forwards the event time of everything read as watermark marks.
// The topic has N * N partitions: stage-1 worker w writes only partitions w * N + g (g = hash of
// the group key mod N), stage-2 worker g reads the partitions p with p % N == g. So every
// partition has one writer and the exactly-once machinery of local sinks (staged appends cut
// past the last commit) holds for it. Over a changelog it routes by primary key too
// (ChangelogRoutes): a key whose group moved to another worker is deleted where it was first.
// A join's stage-2 workers write a GROUP BY's rows the same way to its grouped topic, their
// marks naming the writer (ObserveWatermark).

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/json_codec.h"
#include "runtime/connector/changelog_routes.h"
#include "runtime/connector/local_log_sink.h"
#include "runtime/connector/source.h"
#include "runtime/expression/evaluate.h"

namespace sluice {

// A row's header: the source partition it was read from (stage 2 tracks event time per source
// partition, as a single worker would).
inline constexpr std::string_view kRepartitionOriginHeader = "sluice.origin.partition";
// A watermark mark: no key, no value, this header naming a source partition, and as timestamp
// the largest event time stage 1 has read from that partition.
inline constexpr std::string_view kRepartitionMarkHeader = "sluice.watermark.partition";
// A row that is a changelog delete (a temporal join's changelog side): its key columns set.
inline constexpr std::string_view kRepartitionDeleteHeader = "sluice.delete";
// A caught-up mark: no key, no value, this header naming the stage-1 writer, which had read all
// of its share of the source when it wrote it (after every row read before).
inline constexpr std::string_view kRepartitionCaughtUpHeader = "sluice.caught_up.writer";
// An end mark: no key, no value, this header naming the stage-1 writer, whose bounded source
// ('ending.position'='latest') was read to its fixed end when it wrote it. It is the last record
// the writer ever appends to the partition (repartition_end.h).
inline constexpr std::string_view kRepartitionEndHeader = "sluice.end.writer";

// A start mark: no key, no value, this header naming the stage-1 writer, which started then
// (it is the first record of each of its lives in each of its partitions), and
// kRepartitionHeldHeader listing ("p,q,...", maybe empty) the source partitions it had records
// of written before it started and not read yet. Stage 2 moves no watermark before it read every
// writer's, and holds those partitions until a mark names them (WatermarkTracker).
inline constexpr std::string_view kRepartitionStartHeader = "sluice.start.writer";
inline constexpr std::string_view kRepartitionHeldHeader = "sluice.held.partitions";

class RepartitionSink final : public Sink {
 public:
  // `schema`: the rows' columns (the aggregate's input); `keys`: the group keys over them.
  // REQUIRES: 0 <= writer < workers; `topic` has workers * workers partitions.
  static Result<std::unique_ptr<RepartitionSink>> Open(
      const std::string& topic, int32_t writer, int32_t workers, const Schema& schema,
      std::vector<std::unique_ptr<Expression>> keys, const std::string& log_dir);

  Status Write(const RecordBatch& batch) override;
  void ObserveRead(const std::vector<RecordMeta>& read) override;
  // Stage 2 of a GROUP BY over a join: its watermark, sent as a mark naming this writer in
  // place of a source partition (the stage-3 reader takes the least of its writers' marks).
  bool ObserveWatermark(int64_t watermark) override;
  // With announce_caught_up: the first time the source is caught up, appends a caught-up mark
  // to each of this writer's partitions (a temporal join's stage 2 waits for every writer's
  // before it reads the stream, as one worker reads the changelog first).
  Result<bool> ObserveCaughtUp() override;
  void set_announce_caught_up(bool announce) { announce_caught_up_ = announce; }
  // False: ObserveRead forwards no event time (the view topic's reader keeps none).
  void set_forward_event_time(bool forward) { forward_event_time_ = forward; }
  // With announce_start (stage 1): appends a start mark to each of this writer's partitions,
  // once, unless the writer had ended. A held partition read past its records without a row is
  // released later with a mark carrying no event time (WatermarkTracker::kNoWatermark).
  Result<bool> ObserveStart(const std::vector<uint8_t>* unread) override;
  void set_announce_start(bool announce) { announce_start_ = announce; }
  // The rows are a changelog's versions (stage 1 of a GROUP BY over one) whose primary key is
  // `key_columns`, read from `source` (for messages): each key's row goes to the worker of its
  // group, after a delete to the worker it went to before if that differs; a delete goes where
  // the key last went. REQUIRES: before the first Write.
  void RouteByPrimaryKey(std::vector<int> key_columns, std::string source);
  CheckpointedStage* checkpointed_state() override { return routes_.get(); }
  // The bounded source was read to its fixed end: appends the pending marks and then an end mark
  // to each of this writer's partitions, once (stage 2 ends when every writer's is read).
  Result<bool> ObserveEnd() override;
  // Writes the marks still pending, so a commit covers the event time of every record read.
  Status Flush() override { return AppendMarks(); }
  int64_t records_out() const override { return records_out_; }
  Result<bool> BeginStaging(const SinkPositions& committed) override;
  SinkPositions staged_positions() const override;
  Status Publish() override { return writers_.PublishAll(); }
  Status Sync() override { return writers_.SyncAll(); }

 private:
  RepartitionSink(std::string topic, int32_t writer, int32_t workers, const Schema& schema,
                  std::vector<std::unique_ptr<Expression>> keys,
                  std::unique_ptr<LocalLogStore> store);
  // Appends a mark to each of this writer's partitions for every source partition whose
  // largest event time grew since its last mark.
  Status AppendMarks();
  // Appends the pending watermark marks, then a mark with no key or value whose header
  // `header_name` names this writer, to each of this writer's partitions.
  Status AppendWriterMark(std::string_view header_name);
  // Appends `records` to partition writer_ * workers_ + `group`.
  Status AppendTo(int32_t group, const std::vector<LogRecord>& records);
  // With routes_: replaces group_of_[row] by where each row goes (-1: nowhere) and fills
  // retract_from_.
  Status RouteChangelog(const RecordBatch& batch);

  std::string topic_;
  int32_t writer_;
  int32_t workers_;
  std::vector<std::unique_ptr<Expression>> keys_;
  std::unique_ptr<LocalLogStore> store_;
  JsonRecordEncoder encoder_;
  LocalLogWriterCache writers_;
  EvalContext eval_context_;
  int64_t records_out_ = 0;
  bool announce_caught_up_ = false;
  bool announced_ = false;
  bool forward_event_time_ = true;
  bool announce_start_ = false;
  // The source's unread_at_start (owned by the source) and the partitions the start mark held
  // that showed no record yet: AppendMarks releases those read past their records.
  const std::vector<uint8_t>* unread_ = nullptr;
  std::vector<int32_t> held_;
  // Over a changelog: its primary key's columns in the rows, where each key went, and the
  // source relation (for messages). routes_ is null otherwise.
  std::vector<int> primary_key_;
  std::unique_ptr<ChangelogRoutes> routes_;
  std::string source_;
  // The end mark is written (in this life, or committed in an earlier one: BeginStaging finds it
  // last in the partitions, and nothing more may follow it).
  bool ended_ = false;
  // Per source partition: the largest event time read, and the one last sent as a mark.
  std::vector<int64_t> read_max_;
  std::vector<int64_t> marked_max_;
  // Scratch reused across batches.
  std::vector<Column> key_columns_;
  std::string values_;
  std::vector<size_t> value_ends_;
  std::vector<std::string> origins_;
  std::vector<LogHeader> headers_;
  std::vector<std::vector<LogRecord>> by_group_;
  std::vector<int32_t> group_of_;
  std::vector<int32_t> retract_from_;
  std::string key_;
};

}  // namespace sluice
