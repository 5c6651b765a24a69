// See repartition_sink.h.

#include "runtime/connector/repartition_sink.h"

#include <algorithm>
#include <climits>

#include "runtime/connector/repartition_end.h"
#include "runtime/operator/aggregate_accumulator.h"
#include "storage/log/partitioner.h"

namespace sluice {

RepartitionSink::RepartitionSink(std::string topic, int32_t writer, int32_t workers,
                                 const Schema& schema,
                                 std::vector<std::unique_ptr<Expression>> keys,
                                 std::unique_ptr<LocalLogStore> store)
    : topic_(std::move(topic)),
      writer_(writer),
      workers_(workers),
      keys_(std::move(keys)),
      store_(std::move(store)),
      encoder_(schema),
      writers_(*store_) {}

Result<std::unique_ptr<RepartitionSink>> RepartitionSink::Open(
    const std::string& topic, int32_t writer, int32_t workers, const Schema& schema,
    std::vector<std::unique_ptr<Expression>> keys, const std::string& log_dir) {
  ASSIGN_OR_RETURN(std::unique_ptr<LocalLogStore> store, LocalLogStore::Open(log_dir));
  Result<TopicInfo> info = store->GetTopicInfo(topic);
  if (!info.ok() || info->partitions != workers * workers) {
    return Status::Connector("repartition topic '" + topic + "' is missing or does not have " +
                             std::to_string(workers * workers) +
                             " partitions (was the query terminated?)");
  }
  return std::unique_ptr<RepartitionSink>(
      new RepartitionSink(topic, writer, workers, schema, std::move(keys), std::move(store)));
}

void RepartitionSink::ObserveRead(const std::vector<RecordMeta>& read) {
  if (!forward_event_time_) return;
  for (const RecordMeta& meta : read) {
    const auto partition = static_cast<size_t>(meta.partition);
    if (partition >= read_max_.size()) {
      read_max_.resize(partition + 1, INT64_MIN);
      marked_max_.resize(partition + 1, INT64_MIN);
    }
    read_max_[partition] = std::max(read_max_[partition], meta.timestamp);
  }
}

bool RepartitionSink::ObserveWatermark(int64_t watermark) {
  const auto writer = static_cast<size_t>(writer_);
  if (writer >= read_max_.size()) {
    read_max_.resize(writer + 1, INT64_MIN);
    marked_max_.resize(writer + 1, INT64_MIN);
  }
  read_max_[writer] = std::max(read_max_[writer], watermark);
  return read_max_[writer] > marked_max_[writer];
}

Status RepartitionSink::AppendTo(int32_t group, const std::vector<LogRecord>& records) {
  if (records.empty()) return Status::OK();
  ASSIGN_OR_RETURN(PartitionWriter * writer, writers_.Get(topic_, writer_ * workers_ + group));
  return writer->Append(records).status();
}

void RepartitionSink::RouteByPrimaryKey(std::vector<int> key_columns, std::string source) {
  primary_key_ = std::move(key_columns);
  source_ = std::move(source);
  routes_ = std::make_unique<ChangelogRoutes>();
}

Status RepartitionSink::RouteChangelog(const RecordBatch& batch) {
  const size_t rows = batch.num_rows();
  retract_from_.assign(rows, -1);
  for (size_t row = 0; row < rows; ++row) {
    const RecordMeta& meta = batch.meta()[row];
    key_.clear();
    for (int column : primary_key_)
      EncodeCell(batch.column(static_cast<size_t>(column)), row, key_);
    Result<ChangelogRoutes::Sends> sends =
        routes_->Route(key_, group_of_[row], meta.partition, meta.kind == RowKind::kDelete);
    if (!sends.ok()) {
      std::string shown;
      for (int column : primary_key_) {
        if (!shown.empty()) shown += ", ";
        AppendValueJson(batch.column(static_cast<size_t>(column)).GetValue(row), shown);
      }
      return sends.status().WithContext("key (" + shown + ") of " + source_);
    }
    retract_from_[row] = sends->retract_from;
    group_of_[row] = sends->send_to;
  }
  return Status::OK();
}

Status RepartitionSink::Write(const RecordBatch& batch) {
  const size_t rows = batch.num_rows();
  key_columns_.resize(keys_.size());
  for (size_t key_idx = 0; key_idx < keys_.size(); ++key_idx) {
    eval_context_.error_row = -1;
    RETURN_NOT_OK(Evaluate(*keys_[key_idx], batch, &key_columns_[key_idx], eval_context_)
                      .WithContext("cannot compute the GROUP BY key to repartition by"));
  }
  // Encode first (views into the buffers stay valid while appending), then append each
  // group's records in the order read.
  values_.clear();
  value_ends_.resize(rows);
  origins_.resize(rows);
  headers_.resize(2 * rows);  // origin, and the delete flag of a changelog delete
  by_group_.resize(static_cast<size_t>(workers_));
  for (auto& records : by_group_) records.clear();
  group_of_.resize(rows);
  std::string& key = key_;
  for (size_t row = 0; row < rows; ++row) {
    encoder_.EncodeRow(batch, row, values_);
    value_ends_[row] = values_.size();
    key.clear();
    for (const Column& column : key_columns_) {
      AppendValueJson(column.GetValue(row), key);
      key.push_back('\x1f');
    }
    group_of_[row] = PartitionForKey(key, workers_);
    origins_[row] = std::to_string(batch.meta()[row].partition);
    headers_[2 * row] = LogHeader{kRepartitionOriginHeader, origins_[row]};
    headers_[2 * row + 1] = LogHeader{kRepartitionDeleteHeader, "1"};
  }
  if (routes_ != nullptr) RETURN_NOT_OK(RouteChangelog(batch));
  for (size_t row = 0; row < rows; ++row) {
    const size_t start = row == 0 ? 0 : value_ends_[row - 1];
    LogRecord record;
    record.value = std::string_view(values_).substr(start, value_ends_[row] - start);
    record.timestamp = batch.meta()[row].timestamp;
    if (routes_ != nullptr && retract_from_[row] >= 0) {
      // The key's group moved: its old group's worker retracts the row it holds (stage 2 reads a
      // delete by primary key; the rest of the row is not used).
      record.headers = std::span<const LogHeader>(&headers_[2 * row], 2);
      by_group_[static_cast<size_t>(retract_from_[row])].push_back(record);
    }
    if (group_of_[row] < 0) continue;  // a delete of a key no worker holds
    const bool deleted = batch.meta()[row].kind == RowKind::kDelete;
    record.headers = std::span<const LogHeader>(&headers_[2 * row], deleted ? 2 : 1);
    by_group_[static_cast<size_t>(group_of_[row])].push_back(record);
  }
  for (int32_t group = 0; group < workers_; ++group) {
    RETURN_NOT_OK(AppendTo(group, by_group_[static_cast<size_t>(group)]));
  }
  records_out_ += static_cast<int64_t>(rows);
  // After the rows: a mark never overtakes a row read before it.
  return AppendMarks();
}

Status RepartitionSink::AppendMarks() {
  if (!held_.empty()) {
    // Held partitions: one that showed a record is marked with its event time below; one read
    // past its records without any is released (no event time).
    std::vector<LogRecord> releases;
    origins_.clear();
    for (size_t held_idx = 0; held_idx < held_.size();) {
      const auto partition = static_cast<size_t>(held_[held_idx]);
      const bool shown = partition < read_max_.size() && read_max_[partition] != INT64_MIN;
      if (!shown && partition < unread_->size() && (*unread_)[partition] != 0) {
        ++held_idx;
        continue;
      }
      if (!shown) origins_.push_back(std::to_string(partition));
      held_[held_idx] = held_.back();
      held_.pop_back();
    }
    headers_.resize(origins_.size());
    for (size_t release_idx = 0; release_idx < origins_.size(); ++release_idx) {
      headers_[release_idx] = LogHeader{kRepartitionMarkHeader, origins_[release_idx]};
      LogRecord release;
      release.timestamp = INT64_MIN;
      release.headers = std::span<const LogHeader>(&headers_[release_idx], 1);
      releases.push_back(release);
    }
    for (int32_t group = 0; group < workers_; ++group) RETURN_NOT_OK(AppendTo(group, releases));
  }
  origins_.clear();
  for (size_t partition = 0; partition < read_max_.size(); ++partition) {
    if (read_max_[partition] > marked_max_[partition]) {
      origins_.push_back(std::to_string(partition));
    }
  }
  if (origins_.empty()) return Status::OK();
  headers_.resize(origins_.size());
  std::vector<LogRecord> marks;
  size_t mark_idx = 0;
  for (size_t partition = 0; partition < read_max_.size(); ++partition) {
    if (read_max_[partition] <= marked_max_[partition]) continue;
    headers_[mark_idx] = LogHeader{kRepartitionMarkHeader, origins_[mark_idx]};
    LogRecord mark;
    mark.timestamp = read_max_[partition];
    mark.headers = std::span<const LogHeader>(&headers_[mark_idx], 1);
    marks.push_back(mark);
    marked_max_[partition] = read_max_[partition];
    ++mark_idx;
  }
  for (int32_t group = 0; group < workers_; ++group) RETURN_NOT_OK(AppendTo(group, marks));
  return Status::OK();
}

Status RepartitionSink::AppendWriterMark(std::string_view header_name) {
  // After any pending watermark marks, like every row read before.
  RETURN_NOT_OK(AppendMarks());
  const std::string writer = std::to_string(writer_);
  const LogHeader header{header_name, writer};
  LogRecord mark;
  mark.timestamp = 0;
  mark.headers = std::span<const LogHeader>(&header, 1);
  const std::vector<LogRecord> marks{mark};
  for (int32_t group = 0; group < workers_; ++group) RETURN_NOT_OK(AppendTo(group, marks));
  return Status::OK();
}

Result<bool> RepartitionSink::ObserveStart(const std::vector<uint8_t>* unread) {
  if (!announce_start_ || ended_) return false;
  announce_start_ = false;
  std::string held;
  if (unread != nullptr) {
    unread_ = unread;
    for (size_t partition = 0; partition < unread->size(); ++partition) {
      if ((*unread)[partition] == 0) continue;
      if (!held.empty()) held.push_back(',');
      held += std::to_string(partition);
      held_.push_back(static_cast<int32_t>(partition));
    }
  }
  const std::string writer = std::to_string(writer_);
  const LogHeader headers[] = {{kRepartitionStartHeader, writer}, {kRepartitionHeldHeader, held}};
  LogRecord mark;
  mark.timestamp = 0;
  mark.headers = std::span<const LogHeader>(headers, 2);
  const std::vector<LogRecord> marks{mark};
  for (int32_t group = 0; group < workers_; ++group) RETURN_NOT_OK(AppendTo(group, marks));
  return true;
}

Result<bool> RepartitionSink::ObserveCaughtUp() {
  if (!announce_caught_up_ || announced_ || ended_) return false;
  RETURN_NOT_OK(AppendWriterMark(kRepartitionCaughtUpHeader));
  announced_ = true;
  return true;
}

Result<bool> RepartitionSink::ObserveEnd() {
  if (ended_) return false;
  // The end mark is the writer's last record.
  RETURN_NOT_OK(AppendWriterMark(kRepartitionEndHeader));
  ended_ = true;
  return true;
}

Result<bool> RepartitionSink::BeginStaging(const SinkPositions& committed) {
  auto found = committed.find(topic_);
  RETURN_NOT_OK(
      writers_.OpenStagedRange(topic_, writer_ * workers_, (writer_ + 1) * workers_,
                               found != committed.end() ? found->second : std::vector<int64_t>()));
  // A writer restarted after its committed end mark (RESTART QUERY of a finished query) appends
  // nothing more, not even a caught-up mark: a stage-2 worker may have ended already.
  const std::vector<int64_t> ends = writers_.EndOffsets(topic_, workers_ * workers_);
  const auto first = static_cast<size_t>(writer_ * workers_);
  ASSIGN_OR_RETURN(int32_t marked,
                   EndMarkAt(*store_, topic_, writer_ * workers_, ends.at(first) - 1));
  if (marked == writer_) ended_ = announced_ = true;
  return true;
}

SinkPositions RepartitionSink::staged_positions() const {
  return {{topic_, writers_.EndOffsets(topic_, workers_ * workers_)}};
}

}  // namespace sluice
