#include "runtime/connector/local_log_sink.h"

#include <charconv>

#include "common/json_writer.h"
#include "storage/log/partitioner.h"

namespace sluice {

namespace {

// BIGINT and INTEGER cells: their decimal digits, as Value::ToString and the JSON encoder write
// them, without building a Value (a changelog sink writes a key for every row).
bool IsPlainInteger(const DataType& type) {
  return type.id() == TypeId::kBigint || type.id() == TypeId::kInteger;
}

void AppendInteger(int64_t value, std::string& out) {
  char digits[24];
  out.append(digits, std::to_chars(digits, digits + sizeof(digits), value).ptr);
}

}  // namespace

// The record key of `row`: empty optional for keyless relations.
void EncodeRecordKey(const RecordBatch& batch, size_t row, const std::vector<int>& key_columns,
                     std::string& out) {
  if (key_columns.size() == 1) {
    const Column& column = batch.column(static_cast<size_t>(key_columns[0]));
    if (column.IsNull(row)) return;
    if (column.type().physical() == PhysicalKind::kString) {
      out.append(column.GetString(row));
    } else if (IsPlainInteger(column.type())) {
      AppendInteger(column.GetInt64(row), out);
    } else {
      out += column.GetValue(row).ToString();
    }
    return;
  }
  out.push_back('{');
  for (size_t key_idx = 0; key_idx < key_columns.size(); ++key_idx) {
    const Column& column = batch.column(static_cast<size_t>(key_columns[key_idx]));
    out += key_idx > 0 ? ",\"" : "\"";
    AppendInteger(static_cast<int64_t>(key_idx), out);
    out += "\":";
    if (!column.IsNull(row) && IsPlainInteger(column.type())) {
      AppendInteger(column.GetInt64(row), out);
    } else if (!column.IsNull(row) && column.type().id() == TypeId::kVarchar) {
      AppendJsonString(column.GetString(row), out);
    } else {
      AppendValueJson(column.GetValue(row), out);
    }
  }
  out.push_back('}');
}

Result<PartitionWriter*> LocalLogWriterCache::Get(const std::string& topic, int32_t partition) {
  auto key = std::make_pair(topic, partition);
  auto it = writers_.find(key);
  if (it != writers_.end()) return it->second.get();
  ASSIGN_OR_RETURN(std::unique_ptr<PartitionWriter> writer,
                   store_.OpenPartitionWriter(topic, partition));
  PartitionWriter* raw = writer.get();
  writers_.emplace(key, std::move(writer));
  return raw;
}

Status LocalLogWriterCache::OpenStagedRange(const std::string& topic, int32_t begin, int32_t end,
                                            const std::vector<int64_t>& committed_ends) {
  for (int32_t partition = begin; partition < end; ++partition) {
    const size_t idx = static_cast<size_t>(partition);
    const int64_t committed = idx < committed_ends.size() ? committed_ends[idx] : -1;
    ASSIGN_OR_RETURN(std::unique_ptr<PartitionWriter> writer,
                     store_.OpenStagedPartitionWriter(topic, partition, committed));
    writers_[std::make_pair(topic, partition)] = std::move(writer);
  }
  return Status::OK();
}

Status LocalLogWriterCache::SyncAll() {
  for (auto& [key, writer] : writers_) RETURN_NOT_OK(writer->Sync());
  return Status::OK();
}

Status LocalLogWriterCache::PublishAll() {
  for (auto& [key, writer] : writers_) RETURN_NOT_OK(writer->Publish());
  return Status::OK();
}

std::vector<int64_t> LocalLogWriterCache::EndOffsets(const std::string& topic,
                                                     int32_t partitions) const {
  std::vector<int64_t> ends(static_cast<size_t>(partitions), -1);
  for (int32_t partition = 0; partition < partitions; ++partition) {
    auto found = writers_.find(std::make_pair(topic, partition));
    if (found != writers_.end()) {
      ends[static_cast<size_t>(partition)] = found->second->staged_end_offset();
    }
  }
  return ends;
}

Result<int64_t> AppendRowsToTopic(LocalLogWriterCache& writers, const std::string& topic,
                                  int32_t partitions, const JsonRecordEncoder& encoder,
                                  const RecordBatch& batch, const std::vector<int>& key_columns,
                                  TopicAppendScratch& scratch) {
  const size_t rows = batch.num_rows();
  if (rows == 0) return 0;
  // Every row's frame goes into its partition's batch, the value encoded in place; then each
  // partition's frames are appended with one call.
  scratch.by_partition.resize(static_cast<size_t>(partitions));
  for (FrameBatch& frames : scratch.by_partition) frames.Clear();
  std::string& key = scratch.key;
  for (size_t row = 0; row < rows; ++row) {
    const RecordMeta& meta = batch.meta()[row];
    key.clear();
    if (!key_columns.empty()) EncodeRecordKey(batch, row, key_columns, key);
    const bool has_key = !key.empty() || key_columns.size() > 1;
    const int32_t partition = has_key           ? PartitionForKey(key, partitions)
                              : partitions == 1 ? 0  // no division per row
                                                : static_cast<int32_t>(meta.partition % partitions);
    FrameBatch& frames = scratch.by_partition[static_cast<size_t>(partition)];
    if (meta.kind == RowKind::kDelete) {  // a changelog delete is a tombstone: no value
      LogRecord tombstone;
      if (has_key) tombstone.key = key;
      tombstone.timestamp = meta.timestamp;
      RETURN_NOT_OK(frames.Add(tombstone));
      continue;
    }
    encoder.EncodeRow(
        batch, row,
        has_key ? frames.BeginValue(meta.timestamp, key) : frames.BeginValue(meta.timestamp));
    RETURN_NOT_OK(frames.FinishValue());
  }
  for (int32_t partition = 0; partition < partitions; ++partition) {
    FrameBatch& frames = scratch.by_partition[static_cast<size_t>(partition)];
    if (frames.empty()) continue;
    ASSIGN_OR_RETURN(PartitionWriter * writer, writers.Get(topic, partition));
    RETURN_NOT_OK(writer->AppendFrames(frames).status());
  }
  return static_cast<int64_t>(rows);
}

LocalLogSink::LocalLogSink(SinkSpec spec, std::unique_ptr<LocalLogStore> store)
    : spec_(std::move(spec)), store_(std::move(store)), encoder_(spec_.schema), writers_(*store_) {}

Result<std::unique_ptr<LocalLogSink>> LocalLogSink::Open(const SinkSpec& spec,
                                                         const std::string& log_dir) {
  ASSIGN_OR_RETURN(std::unique_ptr<LocalLogStore> store, LocalLogStore::Open(log_dir));
  if (!store->GetTopicInfo(spec.topic).ok()) {
    return Status::Connector("output topic '" + spec.topic + "' of " + spec.relation +
                             " does not exist");
  }
  return std::unique_ptr<LocalLogSink>(new LocalLogSink(spec, std::move(store)));
}

Status LocalLogSink::Write(const RecordBatch& batch) {
  ASSIGN_OR_RETURN(int64_t written,
                   AppendRowsToTopic(writers_, spec_.topic, spec_.partitions, encoder_, batch,
                                     spec_.key_columns, scratch_));
  records_out_ += written;
  return Status::OK();
}

// Appended records survive a crash of this process and, unless staged, are already visible to
// readers; Flush does not fsync (stateful checkpoints Sync), so reporting progress stays cheap.
Status LocalLogSink::Flush() { return Status::OK(); }

Result<bool> LocalLogSink::BeginStaging(const SinkPositions& committed) {
  auto shared = spec_.properties.find(kSharedLocalSinkProperty);
  if (shared != spec_.properties.end() && shared->second == "true") return false;
  auto found = committed.find(spec_.topic);
  RETURN_NOT_OK(
      writers_.OpenStaged(spec_.topic, spec_.partitions,
                          found != committed.end() ? found->second : std::vector<int64_t>()));
  return true;
}

SinkPositions LocalLogSink::staged_positions() const {
  return {{spec_.topic, writers_.EndOffsets(spec_.topic, spec_.partitions)}};
}

}  // namespace sluice
