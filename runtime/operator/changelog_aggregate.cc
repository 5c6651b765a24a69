#include "runtime/operator/changelog_aggregate.h"

#include <algorithm>

#include "runtime/operator/aggregate_accumulator.h"

namespace sluice {

ChangelogAggregateOperator::ChangelogAggregateOperator(const PhysicalAggregate& plan,
                                                       EvalContext& context)
    : plan_(plan), context_(context) {
  for (const AggregateCall& call : plan_.aggregates) {
    argument_kinds_.push_back(call.argument ? call.argument->type().physical()
                                            : PhysicalKind::kInt64);
  }
}

ChangelogAggregateOperator::Group& ChangelogAggregateOperator::Apply(const std::string& group_key,
                                                                     const PreviousRow& row,
                                                                     int sign) {
  auto it = groups_.find(group_key);
  if (it == groups_.end()) {
    Group group;
    for (const Column& column : *key_columns_) group.keys.push_back(column.GetValue(key_row_));
    group.accumulators.resize(plan_.aggregates.size());
    it = groups_.emplace(group_key, std::move(group)).first;
  }
  Group& group = it->second;
  group.rows += sign;
  for (size_t call_idx = 0; call_idx < plan_.aggregates.size(); ++call_idx) {
    ApplyCell(plan_.aggregates[call_idx], argument_kinds_[call_idx], row.arguments[call_idx], sign,
              group.accumulators[call_idx]);
  }
  Touch(group_key);
  return group;
}

void ChangelogAggregateOperator::Touch(const std::string& group_key) {
  if (std::find(touched_.begin(), touched_.end(), group_key) == touched_.end()) {
    touched_.push_back(group_key);
  }
  if (table_ != nullptr) dirty_groups_.insert(group_key);
}

Status ChangelogAggregateOperator::Process(const RecordBatch& input, RecordBatch& output) {
  if (input.num_rows() == 0) return Status::OK();
  std::vector<Column> key_columns(plan_.keys.size());
  for (size_t key_idx = 0; key_idx < plan_.keys.size(); ++key_idx) {
    RETURN_NOT_OK(Evaluate(*plan_.keys[key_idx], input, &key_columns[key_idx], context_));
  }
  std::vector<Column> argument_columns(plan_.aggregates.size());
  for (size_t call_idx = 0; call_idx < plan_.aggregates.size(); ++call_idx) {
    const AggregateCall& call = plan_.aggregates[call_idx];
    if (call.argument) {
      RETURN_NOT_OK(Evaluate(*call.argument, input, &argument_columns[call_idx], context_));
    }
  }
  std::vector<uint8_t> passes(input.num_rows(), 1);
  if (plan_.changelog_filter) {
    RETURN_NOT_OK(EvaluateFilter(*plan_.changelog_filter, input, &passes, context_));
  }
  key_columns_ = &key_columns;
  std::string primary_key;
  for (size_t row = 0; row < input.num_rows(); ++row) {
    const RecordMeta& meta = input.meta()[row];
    primary_key.clear();
    for (int column : plan_.changelog_key) {
      EncodeCell(input.column(static_cast<size_t>(column)), row, primary_key);
    }
    touched_.clear();
    auto previous = rows_.find(primary_key);
    const bool had_previous = previous != rows_.end();
    key_row_ = row;
    const bool adds = meta.kind == RowKind::kUpsert && passes[row];
    if (previous != rows_.end()) Apply(previous->second.group_key, previous->second, -1);
    if (adds) {
      PreviousRow next;
      for (const Column& column : key_columns) EncodeCell(column, row, next.group_key);
      next.arguments.resize(plan_.aggregates.size());
      for (size_t call_idx = 0; call_idx < plan_.aggregates.size(); ++call_idx) {
        if (plan_.aggregates[call_idx].argument) {
          EncodeCell(argument_columns[call_idx], row, next.arguments[call_idx]);
        }
      }
      Apply(next.group_key, next, +1);
      if (previous != rows_.end()) {
        previous->second = std::move(next);
      } else {
        rows_.emplace(primary_key, std::move(next));
      }
    } else if (previous != rows_.end()) {
      rows_.erase(previous);
    }
    if (table_ != nullptr && (adds || had_previous)) dirty_rows_.insert(primary_key);
    StageTouched(meta.timestamp);
  }
  key_columns_ = nullptr;
  return FlushStaged(output);
}

void ChangelogAggregateOperator::StageTouched(int64_t event_time) {
  if (staged_.num_columns() == 0) staged_ = RecordBatch(plan_.schema);
  for (const std::string& group_key : touched_) {
    auto it = groups_.find(group_key);
    const Group& group = it->second;
    size_t column_idx = 0;
    for (const Value& key : group.keys) staged_.column(column_idx++).AppendValue(key);
    for (size_t call_idx = 0; call_idx < plan_.aggregates.size(); ++call_idx) {
      AppendRetractableResult(plan_.aggregates[call_idx], group.accumulators[call_idx],
                              staged_.column(column_idx++));
    }
    staged_.meta().push_back(RecordMeta{event_time, 0, 0, RowKind::kUpsert});
    staged_.keys().emplace_back();
    staged_keys_.push_back(group_key);
    staged_empty_.push_back(group.rows <= 0 ? 1 : 0);
    if (group.rows <= 0) groups_.erase(it);
  }
  touched_.clear();
}

Status ChangelogAggregateOperator::FlushStaged(RecordBatch& output) {
  if (staged_keys_.empty()) return Status::OK();
  RecordBatch rows = std::move(staged_);
  staged_ = RecordBatch();
  std::vector<std::string> keys = std::move(staged_keys_);
  std::vector<uint8_t> empty = std::move(staged_empty_);
  staged_keys_.clear();
  staged_empty_.clear();
  std::vector<uint8_t> keep(rows.num_rows(), 1);
  if (plan_.having) RETURN_NOT_OK(EvaluateFilter(*plan_.having, rows, &keep, context_));
  for (size_t row = 0; row < rows.num_rows(); ++row) {
    const bool live = emitted_.count(keys[row]) > 0;
    if (!empty[row] && keep[row]) {
      emitted_.insert(keys[row]);
      continue;
    }
    keep[row] = live ? 1 : 0;
    if (live) {
      // The group emptied or stopped satisfying HAVING: retract its row downstream.
      emitted_.erase(keys[row]);
      rows.meta()[row].kind = RowKind::kDelete;
    }
  }
  rows.Filter(keep);
  AppendRows(std::move(rows), output);
  return Status::OK();
}

Status ChangelogAggregateOperator::AdvanceWatermark(int64_t watermark, RecordBatch& output) {
  (void)watermark;
  (void)output;
  return Status::OK();
}

}  // namespace sluice
