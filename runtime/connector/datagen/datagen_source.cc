#include "runtime/connector/datagen/datagen_source.h"

#include <algorithm>
#include <thread>
#include <utility>

namespace sluice {

namespace {

Status AsConnectorError(const Status& status, const std::string& relation) {
  std::string prefix = relation.empty() ? "datagen" : "datagen relation " + relation;
  return Status(ErrorCategory::kConnector, prefix + ": " + status.message());
}

bool HasKey(const std::map<std::string, std::string>& properties, std::string_view key) {
  for (const auto& [name, value] : properties) {
    if (AsciiLower(name) == key) return true;
  }
  return false;
}

// Microseconds after event 0 at which event `event` is due when paced at `rate` per second.
int64_t DueMicros(int64_t event, int64_t rate) {
  return static_cast<int64_t>(static_cast<__int128>(event) * 1'000'000 / rate);
}

// The first event whose time is later than `time` (see DatagenOptions::EventTime).
int64_t FirstEventAfter(int64_t time, int64_t rate) {
  __int128 next_millis = time - DatagenOptions::kBaseTimeMillis + 1;
  return static_cast<int64_t>((next_millis * rate + 999) / 1000);
}

}  // namespace

Status ValidateDatagenColumns(const Schema& schema,
                              const std::map<std::string, std::string>& properties) {
  ASSIGN_OR_RETURN(DatagenOptions options, ParseDatagenOptions(properties));
  return CheckDatagenColumns(options, schema);
}

Result<std::unique_ptr<Source>> CreateDatagenSource(const SourceSpec& spec) {
  ASSIGN_OR_RETURN(std::unique_ptr<DatagenSource> source, DatagenSource::Create(spec));
  return std::unique_ptr<Source>(std::move(source));
}

Result<std::unique_ptr<DatagenSource>> DatagenSource::Create(const SourceSpec& spec) {
  Result<DatagenOptions> options = ParseDatagenOptions(spec.properties);
  if (!options.ok()) return AsConnectorError(options.status(), spec.relation);
  if (!HasKey(spec.properties, "partitions")) options->partitions = std::max(spec.partitions, 1);

  Result<std::unique_ptr<DatagenGenerator>> generator =
      MakeDatagenGenerator(*options, spec.relation_schema, spec.timestamp_column);
  if (!generator.ok()) return AsConnectorError(generator.status(), spec.relation);

  std::unique_ptr<DatagenSource> source(new DatagenSource());
  source->options_ = std::move(options).value();
  source->generator_ = std::move(generator).value();
  source->shape_ = source->generator_->shape();
  source->topic_ = spec.topic.empty() ? spec.relation : spec.topic;

  const int relation_columns = static_cast<int>(spec.relation_schema.size());
  for (size_t batch_idx = 0; batch_idx < spec.columns.size(); ++batch_idx) {
    int column_idx = spec.columns[batch_idx];
    if (column_idx < 0 || column_idx >= relation_columns) {
      return Status::Internal("datagen source asked for column " + std::to_string(column_idx) +
                              " of a relation with " + std::to_string(relation_columns));
    }
    source->columns_.push_back(source->generator_->MakeColumn(column_idx));
    if (column_idx == spec.timestamp_column) {
      source->timestamp_batch_column_ = static_cast<int>(batch_idx);
    }
  }
  if (spec.timestamp_column >= relation_columns) {
    return Status::Internal("datagen timestamp column out of range");
  }
  if (spec.timestamp_column >= 0) {
    if (source->timestamp_batch_column_ >= 0 &&
        source->columns_[static_cast<size_t>(source->timestamp_batch_column_)]->is_event_time()) {
      source->timestamp_batch_column_ = -1;  // event time, no need to read the column back
    } else if (source->timestamp_batch_column_ < 0) {
      auto column = source->generator_->MakeColumn(spec.timestamp_column);
      if (!column->is_event_time()) {
        source->timestamp_only_column_ = std::move(column);
        source->timestamp_scratch_ =
            Column(spec.relation_schema.field(static_cast<size_t>(spec.timestamp_column)).type);
      }
    }
  }

  const int32_t partitions = source->options_.partitions;
  source->next_offsets_.assign(static_cast<size_t>(partitions), 0);
  if (source->options_.bounded()) {
    source->total_rows_ = source->shape_.RowCount(source->options_.events);
    source->final_offsets_ = source->PartitionRows(source->total_rows_);
  }
  return source;
}

std::vector<int64_t> DatagenSource::PartitionRows(int64_t rows) const {
  const int64_t partitions = options_.partitions;
  std::vector<int64_t> counts(static_cast<size_t>(partitions));
  for (int64_t partition = 0; partition < partitions; ++partition) {
    counts[static_cast<size_t>(partition)] =
        rows > partition ? (rows - partition + partitions - 1) / partitions : 0;
  }
  return counts;
}

int64_t DatagenSource::DueEvents() const {
  int64_t elapsed_us = std::chrono::duration_cast<std::chrono::microseconds>(
                           std::chrono::steady_clock::now() - pacing_origin_)
                           .count();
  if (elapsed_us < 0) return 0;
  return static_cast<int64_t>(static_cast<__int128>(elapsed_us) * options_.rate / 1'000'000) + 1;
}

Status DatagenSource::Seek(const std::vector<int64_t>& positions) {
  if (positions.size() != next_offsets_.size()) {
    return Status::Connector("datagen stream " + topic_ + " has " +
                             std::to_string(next_offsets_.size()) + " partitions, not " +
                             std::to_string(positions.size()));
  }
  for (size_t partition = 0; partition < positions.size(); ++partition) {
    if (positions[partition] < 0 ||
        (!final_offsets_.empty() && positions[partition] > final_offsets_[partition])) {
      return Status::Connector("datagen stream " + topic_ + " partition " +
                               std::to_string(partition) + " has no offset " +
                               std::to_string(positions[partition]));
    }
  }
  next_offsets_ = positions;
  pacing_started_ = false;
  return Status::OK();
}

bool DatagenSource::exhausted() const {
  if (total_rows_ < 0) return false;
  for (size_t partition = 0; partition < next_offsets_.size(); ++partition) {
    if (next_offsets_[partition] < final_offsets_[partition]) return false;
  }
  return true;
}

std::vector<int64_t> DatagenSource::end_offsets() const {
  if (options_.rate_limit && pacing_started_) {
    int64_t due_rows = shape_.RowCount(DueEvents());
    if (total_rows_ >= 0) due_rows = std::min(due_rows, total_rows_);
    std::vector<int64_t> ends = PartitionRows(due_rows);
    for (size_t partition = 0; partition < ends.size(); ++partition) {
      ends[partition] = std::max(ends[partition], next_offsets_[partition]);
    }
    return ends;
  }
  if (total_rows_ >= 0 && !options_.rate_limit) return final_offsets_;
  return next_offsets_;
}

Status DatagenSource::Poll(size_t max_rows, RecordBatch& batch) {
  if (batch.num_columns() != columns_.size()) {
    return Status::Internal("datagen source produces " + std::to_string(columns_.size()) +
                            " columns but the batch has " + std::to_string(batch.num_columns()));
  }
  const int64_t partitions = options_.partitions;
  // The lowest row number not yet returned, over all partitions.
  int64_t row = INT64_MAX;
  for (int64_t partition = 0; partition < partitions; ++partition) {
    row = std::min(row, next_offsets_[static_cast<size_t>(partition)] * partitions + partition);
  }
  int64_t event_limit = INT64_MAX;
  if (options_.rate_limit) {
    if (!pacing_started_) {
      pacing_origin_ = std::chrono::steady_clock::now() -
                       std::chrono::microseconds(DueMicros(shape_.EventNumber(row), options_.rate));
      pacing_started_ = true;
    }
    event_limit = DueEvents();
  }
  const int64_t row_limit = total_rows_ >= 0 ? total_rows_ : INT64_MAX;

  row_events_.clear();
  row_times_.clear();
  std::vector<RecordMeta>& meta = batch.meta();
  // Event time changes once per 1000 / rate ms worth of events; divide only when it does.
  int64_t time = 0;
  int64_t next_time_event = -1;  // first event after `time`'s millisecond
  int64_t partition = row % partitions;
  int64_t offset = row / partitions;
  for (; row < row_limit && row_events_.size() < max_rows; ++row) {
    int64_t& next_offset = next_offsets_[static_cast<size_t>(partition)];
    if (offset >= next_offset) {  // else this partition already returned the row (after Seek)
      int64_t event = shape_.EventNumber(row);
      if (event >= event_limit) break;
      if (event >= next_time_event) {  // events only grow within a poll
        time = options_.EventTime(event);
        next_time_event = FirstEventAfter(time, options_.rate);
      }
      row_events_.push_back(event);
      row_times_.push_back(time);
      meta.push_back(RecordMeta{time, static_cast<int32_t>(partition), offset});
      next_offset = offset + 1;
    }
    if (++partition == partitions) {
      partition = 0;
      ++offset;
    }
  }
  const size_t count = row_events_.size();
  if (count == 0) return Status::OK();

  DatagenRows rows{row_events_.data(), row_times_.data(), count};
  auto arena = std::make_shared<StringArena>();
  for (size_t batch_idx = 0; batch_idx < columns_.size(); ++batch_idx) {
    Column& column = batch.column(batch_idx);
    columns_[batch_idx]->Fill(rows, column, *arena);
    if (column.type().physical() == PhysicalKind::kString) {
      column.AddArena(arena);
      column.AddArena(columns_[batch_idx]->dictionary());
    }
  }
  const size_t first_meta = meta.size() - count;
  const Column* timestamps = nullptr;
  size_t first_timestamp = 0;
  if (timestamp_batch_column_ >= 0) {
    timestamps = &batch.column(static_cast<size_t>(timestamp_batch_column_));
    first_timestamp = timestamps->size() - count;
  } else if (timestamp_only_column_ != nullptr) {
    timestamp_scratch_.Clear();
    timestamp_only_column_->Fill(rows, timestamp_scratch_, *arena);
    timestamps = &timestamp_scratch_;
  }
  if (timestamps != nullptr) {
    for (size_t row_idx = 0; row_idx < count; ++row_idx) {
      // A NULL timestamp (a 'null.rate' on it) keeps the event time.
      if (!timestamps->IsNull(first_timestamp + row_idx)) {
        meta[first_meta + row_idx].timestamp = timestamps->GetInt64(first_timestamp + row_idx);
      }
    }
  }
  batch.keys().resize(batch.keys().size() + count);
  stats_.records_in += static_cast<int64_t>(count);
  return Status::OK();
}

void DatagenSource::WaitForData(int timeout_ms) {
  auto timeout = std::chrono::milliseconds(std::max(timeout_ms, 0));
  if (exhausted()) {
    std::this_thread::sleep_for(timeout);
    return;
  }
  if (!options_.rate_limit || !pacing_started_) return;
  int64_t row = INT64_MAX;
  const int64_t partitions = options_.partitions;
  for (int64_t partition = 0; partition < partitions; ++partition) {
    row = std::min(row, next_offsets_[static_cast<size_t>(partition)] * partitions + partition);
  }
  auto due = pacing_origin_ +
             std::chrono::microseconds(DueMicros(shape_.EventNumber(row), options_.rate));
  auto deadline = std::min(due, std::chrono::steady_clock::now() + timeout);
  std::this_thread::sleep_until(deadline);
}

}  // namespace sluice
