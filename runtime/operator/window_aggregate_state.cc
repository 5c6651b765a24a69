// Checkpointing of WindowAggregateOperator: groups to and from its StateTable. A table key is
// 'w' + window start + window end (big-endian, sign-flipped) + the encoded group key, or 's' +
// the encoded group key + session start + end; the value is the group as one JSON object.

#include <algorithm>
#include <set>

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

}  // namespace

Schema WindowAggregateOperator::StateSchema() const {
  Schema schema;
  for (size_t key_idx = 0; key_idx < plan_.keys.size(); ++key_idx) {
    schema.Add(Field{"k" + std::to_string(key_idx), plan_.keys[key_idx]->type()});
  }
  for (size_t call_idx = 0; call_idx < plan_.aggregates.size(); ++call_idx) {
    const std::string prefix = "a" + std::to_string(call_idx) + "_";
    schema.Add(Field{prefix + "count", DataType::Bigint()});
    schema.Add(Field{prefix + "isum", DataType::Bigint()});
    schema.Add(Field{prefix + "dsum", DataType::Double()});
    schema.Add(Field{prefix + "bint", DataType::Bigint()});
    schema.Add(Field{prefix + "bdouble", DataType::Double()});
    schema.Add(Field{prefix + "bstring", DataType::Bytes()});
    schema.Add(Field{prefix + "bvalue", plan_.aggregates[call_idx].type});
    schema.Add(Field{prefix + "seq", DataType::Bigint()});
    schema.Add(Field{prefix + "distinct", DataType::Array(DataType::Bytes())});
  }
  schema.Add(Field{"emitted", DataType::Boolean()});
  return schema;
}

std::string WindowAggregateOperator::EncodeGroup(const Group& group) const {
  Schema schema = StateSchema();
  RecordBatch row(schema);
  size_t column_idx = 0;
  for (const Value& key : group.keys) row.column(column_idx++).AppendValue(key);
  for (const AggregateAccumulator& acc : group.accumulators) {
    row.column(column_idx++).AppendInt64(acc.count);
    row.column(column_idx++).AppendInt64(acc.int_sum);
    row.column(column_idx++).AppendDouble(acc.double_sum);
    row.column(column_idx++).AppendInt64(acc.best_int);
    row.column(column_idx++).AppendDouble(acc.best_double);
    row.column(column_idx++).AppendString(acc.best_string);
    row.column(column_idx++).AppendValue(acc.best_value);
    row.column(column_idx++).AppendInt64(acc.best_sequence);
    std::vector<Value> distinct;
    for (const std::string& cell : acc.distinct) distinct.push_back(Value::Bytes(cell));
    row.column(column_idx++)
        .AppendNested(Value::Array(DataType::Array(DataType::Bytes()), std::move(distinct)));
  }
  row.column(column_idx++).AppendValue(Value::Boolean(group.emitted));
  row.meta().emplace_back();
  std::string json;
  JsonRecordEncoder(schema).EncodeRow(row, 0, json);
  return json;
}

Status WindowAggregateOperator::DecodeGroup(std::string_view json, Group& group) const {
  Schema schema = StateSchema();
  std::vector<int> columns(schema.size());
  for (size_t column_idx = 0; column_idx < schema.size(); ++column_idx) {
    columns[column_idx] = static_cast<int>(column_idx);
  }
  JsonRecordDecoder decoder(schema, columns);
  RecordBatch row(decoder.output_schema());
  RETURN_NOT_OK(decoder.DecodeRow(json, row));
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
  RETURN_NOT_OK(table_->Scan("", "", [&](std::string_view key, std::string_view value) {
    Group group;
    status = DecodeGroup(value, group);
    if (!status.ok()) return false;
    persisted_keys_.emplace_back(key);
    if (key[0] == 'w') {
      int64_t start = ReadTime(key.substr(1, 8));
      int64_t end = ReadTime(key.substr(9, 8));
      windows_[{start, end}].emplace(std::string(key.substr(17)), std::move(group));
    } else {
      std::string_view group_key = key.substr(1, key.size() - 17);
      Session session{ReadTime(key.substr(key.size() - 16, 8)),
                      ReadTime(key.substr(key.size() - 8, 8)), std::move(group)};
      sessions_[std::string(group_key)].push_back(std::move(session));
    }
    return true;
  }));
  return status;
}

Status WindowAggregateOperator::PrepareCheckpoint() {
  if (table_ == nullptr) return Status::OK();
  std::set<std::string> current;
  for (const auto& [window, groups] : windows_) {
    for (const auto& [group_key, group] : groups) {
      std::string key = "w";
      AppendTime(window.first, key);
      AppendTime(window.second, key);
      key += group_key;
      RETURN_NOT_OK(table_->Put(key, EncodeGroup(group)));
      current.insert(std::move(key));
    }
  }
  for (const auto& [group_key, sessions] : sessions_) {
    for (const Session& session : sessions) {
      std::string key = "s" + group_key;
      AppendTime(session.start, key);
      AppendTime(session.end, key);
      RETURN_NOT_OK(table_->Put(key, EncodeGroup(session.group)));
      current.insert(std::move(key));
    }
  }
  for (const std::string& key : persisted_keys_) {
    if (current.count(key) == 0) RETURN_NOT_OK(table_->Delete(key));
  }
  persisted_keys_.assign(current.begin(), current.end());
  return Status::OK();
}

}  // namespace sluice
