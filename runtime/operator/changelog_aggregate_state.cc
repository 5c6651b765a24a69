// Checkpointing of ChangelogAggregateOperator. Table keys: 'g' + encoded group key -> the group
// as one JSON object (GroupStateSchema); 'c' + a chunk id (4 bytes, big-endian) -> the previous
// rows of up to kChunkRows keys, each the key and then its previous row's bytes, both prefixed by
// their 4-byte length. A multiset entry (MIN, MAX, COUNT(DISTINCT)) is stored as 8 big-endian
// bytes of its count followed by the cell. 'p' + encoded primary key -> the previous row's bytes of
// a key not in any chunk: evicted from memory (changelog_aggregate_cache.cc), or saved by a
// version before chunks; read back, and deleted, when the key comes again.

#include <algorithm>

#include "common/big_endian.h"
#include "common/json_codec.h"
#include "runtime/operator/aggregate_accumulator.h"
#include "runtime/operator/changelog_aggregate.h"

namespace sluice {

namespace {

// Reads one length-prefixed string at `*pos`; false when the bytes end early.
// Inline, with the bounds checked once (no substr): it runs for every cell of every previous row
// a changelog row retracts.
inline bool ReadPrefixed(std::string_view bytes, size_t* pos, std::string_view* out) {
  if (bytes.size() - *pos < 4) return false;
  const size_t length = ReadBigEndian(std::string_view(bytes.data() + *pos, 4), 4);
  *pos += 4;
  if (bytes.size() - *pos < length) return false;
  *out = std::string_view(bytes.data() + *pos, length);
  *pos += length;
  return true;
}

}  // namespace

Schema ChangelogAggregateOperator::GroupStateSchema() const {
  Schema schema = AggregateStateSchema(
      plan_.keys, plan_.aggregates.size(), [](const std::string& prefix, size_t, Schema& fields) {
        fields.Add(Field{prefix + "values", DataType::Array(DataType::Bytes())});
      });
  schema.Add(Field{"rows", DataType::Bigint()});
  schema.Add(Field{"emitted", DataType::Boolean()});
  return schema;
}

bool ChangelogAggregateOperator::SplitPrevious(std::string_view bytes, size_t num_calls,
                                               std::string_view* group_key,
                                               std::vector<std::string_view>* arguments) {
  size_t pos = 0;
  if (!ReadPrefixed(bytes, &pos, group_key)) return false;
  if (arguments->size() != num_calls) arguments->resize(num_calls);
  for (std::string_view& argument : *arguments) {
    if (!ReadPrefixed(bytes, &pos, &argument)) return false;
  }
  return pos == bytes.size();
}

std::string ChangelogAggregateOperator::ChunkTableKey(uint32_t chunk) {
  std::string key = "c";
  AppendBigEndian(chunk, 4, key);
  return key;
}

Status ChangelogAggregateOperator::RestoreChunk(uint32_t chunk, std::string_view value) {
  if (chunk >= chunks_.size()) chunks_.resize(chunk + 1);
  std::string_view group_key;
  size_t pos = 0;
  while (pos < value.size()) {
    std::string_view primary_key;
    std::string_view row;
    if (!ReadPrefixed(value, &pos, &primary_key) || !ReadPrefixed(value, &pos, &row) ||
        !SplitPrevious(row, plan_.aggregates.size(), &group_key, &previous_views_)) {
      return Status::Storage("corrupt previous rows in the aggregate's state");
    }
    auto [entry, added] = rows_.Insert(primary_key, row);
    if (!added) return Status::Storage("a key saved twice in the aggregate's state");
    rows_.set_chunk(entry, chunk);
    chunks_[chunk].members.push_back(entry);
    rows_bytes_ += RowBytes(entry);
  }
  return Status::OK();
}

Status ChangelogAggregateOperator::DecodeGroup(std::string_view value, JsonRecordDecoder& decoder,
                                               RecordBatch& row, Group& group) const {
  RETURN_NOT_OK(decoder.DecodeRow(value, row));
  size_t column_idx = 0;
  for (size_t key_idx = 0; key_idx < plan_.keys.size(); ++key_idx) {
    group.keys.push_back(row.column(column_idx++).GetValue(0));
  }
  group.accumulators.resize(plan_.aggregates.size());
  for (RetractableAccumulator& acc : group.accumulators) {
    acc.count = row.column(column_idx++).GetInt64(0);
    acc.int_sum = row.column(column_idx++).GetInt64(0);
    acc.double_sum = row.column(column_idx++).GetDouble(0);
    const Column& values = row.column(column_idx++);
    if (values.IsNull(0)) continue;
    for (const Value& entry : values.GetNested(0).nested().values) {
      const std::string& bytes = entry.string_value();
      if (bytes.size() < 8) continue;
      acc.values.emplace(bytes.substr(8), static_cast<int64_t>(ReadBigEndian(bytes, 8)));
    }
  }
  group.rows = row.column(column_idx++).GetInt64(0);
  group.emitted = row.column(column_idx).GetInt64(0) != 0;
  return Status::OK();
}

void ChangelogAggregateOperator::AppendGroupRow(const Group& group, RecordBatch& rows) {
  size_t column_idx = 0;
  for (const Value& key : group.keys) rows.column(column_idx++).AppendValue(key);
  for (const RetractableAccumulator& acc : group.accumulators) {
    rows.column(column_idx++).AppendInt64(acc.count);
    rows.column(column_idx++).AppendInt64(acc.int_sum);
    rows.column(column_idx++).AppendDouble(acc.double_sum);
    std::vector<Value> entries;
    for (const auto& [cell, count] : acc.values) {
      std::string bytes;
      AppendBigEndian(static_cast<uint64_t>(count), 8, bytes);
      bytes += cell;
      entries.push_back(Value::Bytes(std::move(bytes)));
    }
    rows.column(column_idx++)
        .AppendNested(Value::Array(DataType::Array(DataType::Bytes()), std::move(entries)));
  }
  rows.column(column_idx++).AppendInt64(group.rows);
  rows.column(column_idx++).AppendValue(Value::Boolean(group.emitted));
  rows.meta().emplace_back();
}

Status ChangelogAggregateOperator::RestoreChunks() {
  // In slices: once the chunks read fill the budget, the coldest are evicted before reading on,
  // so a restore holds no more than a running operator.
  std::string begin = "c";
  for (;;) {
    bool full = false;
    Status status = Status::OK();
    RETURN_NOT_OK(table_->Scan(begin, "d", [&](std::string_view key, std::string_view value) {
      if (key.size() != 5) {
        status = Status::Storage("corrupt chunk key in the aggregate's state");
        return false;
      }
      status = RestoreChunk(static_cast<uint32_t>(ReadBigEndian(key.substr(1), 4)), value);
      if (!status.ok()) return false;
      if (caching() && cached_bytes() > cache_max_bytes_) {
        full = true;
        begin.assign(key);
        begin.push_back('\0');  // the next chunk key
        return false;
      }
      return true;
    }));
    RETURN_NOT_OK(status);
    if (!full) return Status::OK();
    RETURN_NOT_OK(EvictCold());
  }
}

Status ChangelogAggregateOperator::AttachState(StateTable* table) {
  table_ = table;
  const Schema schema = GroupStateSchema();
  JsonRecordDecoder decoder(schema, AllColumns(schema));
  RecordBatch row(decoder.output_schema());
  Status status = Status::OK();
  // Groups, as many as the budget takes; the others stay in the table until a row needs them.
  RETURN_NOT_OK(table_->Scan("g", "h", [&](std::string_view key, std::string_view value) {
    const std::string_view group_key = key.substr(1);
    if (caching() && cached_bytes() > cache_max_bytes_) {
      groups_in_table_.Add(group_key);
      return true;
    }
    row.Clear();
    Group group;
    status = DecodeGroup(value, decoder, row, group);
    if (!status.ok()) return false;
    auto it = groups_.emplace(std::string(group_key), std::move(group)).first;
    if (caching()) {
      it->second.charged_bytes = static_cast<uint32_t>(GroupBytes(it->first, it->second));
      groups_bytes_ += it->second.charged_bytes;
    }
    return true;
  }));
  RETURN_NOT_OK(status);
  RETURN_NOT_OK(RestoreChunks());
  // Previous rows under 'p' were evicted (or saved one per key by versions before chunks): they
  // are read back when their key comes again.
  RETURN_NOT_OK(table_->Scan("p", "q", [&](std::string_view key, std::string_view value) {
    std::string_view group_key;
    if (!SplitPrevious(value, plan_.aggregates.size(), &group_key, &previous_views_)) {
      status = Status::Storage("corrupt previous row in the aggregate's state");
      return false;
    }
    if (rows_.Find(key.substr(1)) != kNoRow) {
      status = Status::Storage("a key saved twice in the aggregate's state");
      return false;
    }
    rows_in_table_.Add(key.substr(1));
    return true;
  }));
  RETURN_NOT_OK(status);
  // New keys start a chunk of their own, in an id no chunk holds (evicted, or never restored).
  open_chunk_ = kNoChunk;
  free_chunks_.clear();
  for (uint32_t chunk_id = static_cast<uint32_t>(chunks_.size()); chunk_id-- > 0;) {
    if (chunks_[chunk_id].members.empty()) free_chunks_.push_back(chunk_id);
  }
  return Status::OK();
}

Status ChangelogAggregateOperator::PrepareCheckpoint() {
  if (table_ == nullptr) return Status::OK();
  // Nothing reads the table until the commit: its writes skip the read index (a skip-list search
  // per write), and evicted rows go to RocksDB's memtable in key order.
  table_->WriteWithoutReadsUntilCommit();
  if (over_budget()) RETURN_NOT_OK(EvictCold());
  const Schema schema = GroupStateSchema();
  RecordBatch rows(schema);
  std::vector<std::string> keys;
  // A key listed twice (erased, then created again) is written once: the first visit clears
  // its dirty flag. One not in memory was deleted from the table when it emptied, or written
  // there when evicted.
  for (const std::string& group_key : dirty_groups_) {
    auto it = groups_.find(group_key);
    if (it == groups_.end()) continue;
    Group& group = it->second;
    if (!group.dirty) continue;
    group.dirty = false;
    AppendGroupRow(group, rows);
    keys.push_back("g" + group_key);
  }
  dirty_groups_.clear();
  RETURN_NOT_OK(PutStateRows(schema, rows, keys, *table_));
  std::string value;
  for (uint32_t chunk_id : dirty_chunks_) {
    Chunk& chunk = chunks_[chunk_id];
    chunk.dirty = false;
    if (chunk.members.empty()) {
      RETURN_NOT_OK(table_->Delete(ChunkTableKey(chunk_id)));
      continue;
    }
    value.clear();
    for (RowIndex member : chunk.members) {
      AppendBigEndian(rows_.key(member).size(), 4, value);
      value += rows_.key(member);
      AppendBigEndian(rows_.row(member).size(), 4, value);
      value += rows_.row(member);
    }
    RETURN_NOT_OK(table_->Put(ChunkTableKey(chunk_id), value));
  }
  dirty_chunks_.clear();
  return Status::OK();
}

}  // namespace sluice
