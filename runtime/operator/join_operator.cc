#include "runtime/operator/join_operator.h"

#include "runtime/operator/aggregate_accumulator.h"

namespace sluice {

Status JoinOperator::EvaluateKeys(JoinSide side, const RecordBatch& input) {
  const auto& keys = side == JoinSide::kLeft ? plan_.left_keys : plan_.right_keys;
  key_columns_.resize(keys.size());
  for (size_t key_idx = 0; key_idx < keys.size(); ++key_idx) {
    RETURN_NOT_OK(Evaluate(*keys[key_idx], input, &key_columns_[key_idx], context_));
  }
  return Status::OK();
}

bool JoinOperator::EncodeKey(size_t row, std::string& key) const {
  key.clear();
  for (const Column& column : key_columns_) {
    if (column.IsNull(row)) return false;
    EncodeCell(column, row, key);
  }
  return true;
}

void JoinOperator::AppendJoined(const std::vector<Value>* left, const std::vector<Value>* right,
                                const RecordMeta& meta, RecordBatch& output) const {
  const size_t left_width = plan_.left_width;
  for (size_t column_idx = 0; column_idx < plan_.schema.size(); ++column_idx) {
    Column& column = output.column(column_idx);
    const std::vector<Value>* values = column_idx < left_width ? left : right;
    size_t value_idx = column_idx < left_width ? column_idx : column_idx - left_width;
    if (values == nullptr) {
      column.AppendNull();
    } else {
      column.AppendValue((*values)[value_idx]);
    }
  }
  output.meta().push_back(meta);
  output.keys().emplace_back();
}

Schema JoinOperator::SideSchema(JoinSide side) const {
  Schema schema;
  size_t begin = side == JoinSide::kLeft ? 0 : plan_.left_width;
  size_t end = side == JoinSide::kLeft ? plan_.left_width : plan_.schema.size();
  for (size_t column_idx = begin; column_idx < end; ++column_idx) {
    schema.Add(plan_.schema.field(column_idx));
  }
  return schema;
}

}  // namespace sluice
