#pragma once
// The sink of a materialized view's query: upserts and deletes rows of its view store by the
// view's key, committing each pipeline flush as one atomic write batch together with the source
// positions it reflects, and also appends every row to the view's changelog topic (so other
// queries read the view as a changelog). After a restart the pipeline may replay input the store
// already reflects (stateful queries resume from their last operator checkpoint, which can be
// older), and with several source partitions the replay passes the store's positions in one
// partition before another: a keyed view holds each key's latest row until the replay has passed
// them in every partition, then applies what it held (the rows' values then reflect at least the
// store's input), so the view never moves back in time and nothing is applied twice.

#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

#include "common/json_codec.h"
#include "runtime/connector/local_log_sink.h"
#include "runtime/connector/source.h"
#include "runtime/plan/physical_plan.h"
#include "storage/view/view_store.h"

namespace sluice {

// spec.properties["view.dir"] names the store. Keyed views use spec.key_columns; a view without
// key columns (a projection of a stream) is keyed by the source record's partition and offset.
class ViewSink final : public Sink {
 public:
  static Result<std::unique_ptr<ViewSink>> Open(const SinkSpec& spec, const std::string& data_dir);
  Status Write(const RecordBatch& batch) override;
  Status Flush() override;
  int64_t records_out() const override { return changelog_->records_out(); }
  void set_source_positions(PositionsFn positions) override { positions_ = std::move(positions); }

 private:
  ViewSink(SinkSpec spec, std::unique_ptr<LocalLogSink> changelog,
           std::unique_ptr<ViewStoreWriter> store);
  // Where the source positions stand against the store's: `replaying` while every one is at or
  // before them (the input is a replay), `caught_up` once every one is at or past them (or the
  // store is new).
  struct Standing {
    bool replaying;
    bool caught_up;
  };
  Standing Compare(const ViewPositions& current) const;
  void AppendKey(const RecordBatch& batch, size_t row, std::string& key) const;
  // A keyed view: once CaughtUp, stages what held_ kept and stops holding. True when caught up.
  bool CatchUp(const ViewPositions& current);
  // Stages the batch's rows in the store, or keeps each key's latest in held_.
  void Apply(const RecordBatch& batch, bool hold);

  SinkSpec spec_;
  std::unique_ptr<LocalLogSink> changelog_;
  std::unique_ptr<ViewStoreWriter> store_;
  JsonRecordEncoder encoder_;
  PositionsFn positions_;
  std::string key_;
  std::string value_;
  // A keyed view until the replay after a restart passed the store's positions everywhere: each
  // key's latest row (nullopt: deleted), not yet in the store. caught_up_ then stays true.
  bool caught_up_ = false;
  std::unordered_map<std::string, std::optional<std::string>> held_;
};

}  // namespace sluice
