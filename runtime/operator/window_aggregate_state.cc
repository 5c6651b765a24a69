// Checkpointing of WindowAggregateOperator: groups to and from its StateTable. A table key is
// 'w' + window start + window end (big-endian, sign-flipped) + the encoded group key, or 's' +
// the encoded group key + session start + end; the value is the group as one JSON object.

#include <algorithm>

#include "common/json_codec.h"
#include "runtime/operator/window_aggregate.h"

namespace sluice {

namespace {

void AppendTime(int64_t value, std::string& out) {
  auto bits = static_cast<uint64_t>(value) ^ (1ULL << 63);
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>(bits >> shift));
}

int64_t ReadTime(std::string_view bytes) {
  uint64_t bits = 0;
  for (size_t byte_idx = 0; byte_idx < 8; ++byte_idx) {
    bits = (bits << 8) | static_cast<uint8_t>(bytes[byte_idx]);
  }
  return static_cast<int64_t>(bits ^ (1ULL << 63));
}

constexpr size_t kFieldsPerCall = 9;

std::string WindowTableKey(int64_t start, int64_t end) {
  std::string key = "w";
  AppendTime(start, key);
  AppendTime(end, key);
  return key;
}

}  // namespace

Schema WindowAggregateOperator::StateSchema() const {
  Schema schema = AggregateStateSchema(
      plan_.keys, plan_.aggregates.size(),
      [&](const std::string& prefix, size_t call_idx, Schema& fields) {
        fields.Add(Field{prefix + "bint", DataType::Bigint()});
        fields.Add(Field{prefix + "bdouble", DataType::Double()});
        fields.Add(Field{prefix + "bstring", DataType::Bytes()});
        fields.Add(Field{prefix + "bvalue", plan_.aggregates[call_idx].type});
        fields.Add(Field{prefix + "seq", DataType::Bigint()});
        fields.Add(Field{prefix + "distinct", DataType::Array(DataType::Bytes())});
      });
  schema.Add(Field{"emitted", DataType::Boolean()});
  return schema;
}

void WindowAggregateOperator::AppendGroupRow(const Group& group, RecordBatch& rows) const {
  size_t column_idx = 0;
  for (const Value& key : group.keys) rows.column(column_idx++).AppendValue(key);
  for (const AggregateAccumulator& acc : group.accumulators) {
    rows.column(column_idx++).AppendInt64(acc.count);
    rows.column(column_idx++).AppendInt64(acc.int_sum);
    rows.column(column_idx++).AppendDouble(acc.double_sum);
    rows.column(column_idx++).AppendInt64(acc.best_int);
    rows.column(column_idx++).AppendDouble(acc.best_double);
    rows.column(column_idx++).AppendString(acc.best_string);
    rows.column(column_idx++).AppendValue(acc.best_value);
    rows.column(column_idx++).AppendInt64(acc.best_sequence);
    std::vector<Value> distinct;
    for (const std::string& cell : acc.distinct) distinct.push_back(Value::Bytes(cell));
    rows.column(column_idx++)
        .AppendNested(Value::Array(DataType::Array(DataType::Bytes()), std::move(distinct)));
  }
  rows.column(column_idx++).AppendValue(Value::Boolean(group.emitted));
  rows.meta().emplace_back();
}

Status WindowAggregateOperator::DecodeGroup(JsonRecordDecoder& decoder, std::string_view json,
                                            RecordBatch& scratch, Group& group) const {
  scratch.Clear();
  RETURN_NOT_OK(decoder.DecodeRow(json, scratch));
  RecordBatch& row = scratch;
  size_t column_idx = 0;
  group.keys.clear();
  for (size_t key_idx = 0; key_idx < plan_.keys.size(); ++key_idx) {
    group.keys.push_back(row.column(column_idx++).GetValue(0));
  }
  group.accumulators.assign(plan_.aggregates.size(), AggregateAccumulator());
  for (AggregateAccumulator& acc : group.accumulators) {
    acc.count = row.column(column_idx++).GetInt64(0);
    acc.int_sum = row.column(column_idx++).GetInt64(0);
    acc.double_sum = row.column(column_idx++).GetDouble(0);
    acc.best_int = row.column(column_idx++).GetInt64(0);
    acc.best_double = row.column(column_idx++).GetDouble(0);
    acc.best_string = std::string(row.column(column_idx++).GetString(0));
    acc.best_value = row.column(column_idx++).GetValue(0);
    acc.best_sequence = row.column(column_idx++).GetInt64(0);
    const Column& distinct = row.column(column_idx++);
    if (!distinct.IsNull(0)) {
      for (const Value& cell : distinct.GetNested(0).nested().values) {
        acc.distinct.insert(cell.string_value());
      }
    }
  }
  group.emitted = row.column(column_idx).GetInt64(0) != 0;
  return Status::OK();
}

Status WindowAggregateOperator::AttachState(StateTable* table) {
  table_ = table;
  Status status = Status::OK();
  // One decoder and one scratch row for every group: building them per group would dominate.
  const Schema schema = StateSchema();
  JsonRecordDecoder decoder(schema, AllColumns(schema));
  RecordBatch scratch(decoder.output_schema());
  RETURN_NOT_OK(table_->Scan("", "", [&](std::string_view key, std::string_view value) {
    Group group;
    status = DecodeGroup(decoder, value, scratch, group);
    if (!status.ok()) return false;
    if (key[0] == 'w') {
      int64_t start = ReadTime(key.substr(1, 8));
      int64_t end = ReadTime(key.substr(9, 8));
      windows_[{start, end}].emplace(std::string(key.substr(17)), std::move(group));
    } else {
      std::string group_key(key.substr(1, key.size() - 17));
      Session session{ReadTime(key.substr(key.size() - 16, 8)),
                      ReadTime(key.substr(key.size() - 8, 8)), std::move(group)};
      sessions_[group_key].push_back(std::move(session));
      session_table_keys_[group_key].emplace_back(key);
    }
    return true;
  }));
  return status;
}

void WindowAggregateOperator::MarkDirty(Group& group, int64_t start, int64_t end,
                                        const std::string& key) {
  if (group.dirty) return;
  group.dirty = true;
  dirty_groups_.push_back({start, end, key});
}

Status WindowAggregateOperator::PrepareCheckpoint() {
  if (table_ == nullptr) return Status::OK();
  // Changed groups go into one batch of state rows, encoded with one encoder: per-group schema,
  // batch and encoder construction would cost more than the encoding.
  const Schema schema = StateSchema();
  RecordBatch rows(schema);
  std::vector<std::string> keys;
  for (const DirtyGroup& dirty : dirty_groups_) {
    auto window = windows_.find({dirty.start, dirty.end});
    if (window == windows_.end()) continue;  // closed since: deleted below
    auto group = window->second.find(dirty.key);
    if (group == window->second.end()) continue;
    keys.push_back(WindowTableKey(dirty.start, dirty.end) + dirty.key);
    AppendGroupRow(group->second, rows);
    group->second.dirty = false;
  }
  dirty_groups_.clear();
  for (const auto& [group_key, unused] : dirty_sessions_) {
    std::vector<std::string>& persisted = session_table_keys_[group_key];
    for (const std::string& key : persisted) RETURN_NOT_OK(table_->Delete(key));
    persisted.clear();
    auto sessions = sessions_.find(group_key);
    if (sessions == sessions_.end()) {
      session_table_keys_.erase(group_key);
      continue;
    }
    for (const Session& session : sessions->second) {
      std::string key = "s" + group_key;
      AppendTime(session.start, key);
      AppendTime(session.end, key);
      persisted.push_back(key);
      keys.push_back(std::move(key));
      AppendGroupRow(session.group, rows);
    }
  }
  dirty_sessions_.clear();
  RETURN_NOT_OK(PutStateRows(schema, rows, keys, *table_));
  // A closed window's groups share the key prefix 'w' + start + end.
  for (const auto& [start, end] : closed_windows_) {
    std::string begin = WindowTableKey(start, end);
    std::string stop = begin;
    stop.push_back('\xff');  // group keys never start with 0xff: EncodeCell tags each cell
    RETURN_NOT_OK(table_->DeleteRange(begin, stop));
  }
  closed_windows_.clear();
  return Status::OK();
}

}  // namespace sluice
