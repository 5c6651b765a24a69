#include "runtime/operator/changelog_aggregate.h"

#include <algorithm>
#include <utility>

#include "runtime/operator/aggregate_accumulator.h"

namespace sluice {

ChangelogAggregateOperator::ChangelogAggregateOperator(const PhysicalAggregate& plan,
                                                       EvalContext& context)
    : plan_(plan), context_(context) {
  for (const AggregateCall& call : plan_.aggregates) {
    argument_kinds_.push_back(call.argument ? call.argument->type().physical()
                                            : PhysicalKind::kInt64);
  }
  next_.arguments.resize(plan_.aggregates.size());
}

void ChangelogAggregateOperator::MarkDirty(const std::string& group_key, Group& group) {
  if (table_ == nullptr || group.dirty) return;
  group.dirty = true;
  dirty_groups_.push_back(group_key);
}

void ChangelogAggregateOperator::Apply(const PreviousRow& row, int sign) {
  auto it = groups_.find(row.group_key);
  if (it == groups_.end()) {
    Group group;
    for (const Column& column : *key_columns_) group.keys.push_back(column.GetValue(key_row_));
    group.accumulators.resize(plan_.aggregates.size());
    it = groups_.emplace(row.group_key, std::move(group)).first;
  }
  Group& group = it->second;
  group.rows += sign;
  for (size_t call_idx = 0; call_idx < plan_.aggregates.size(); ++call_idx) {
    ApplyCell(plan_.aggregates[call_idx], argument_kinds_[call_idx], row.arguments[call_idx], sign,
              group.accumulators[call_idx]);
  }
  if (std::find(touched_.begin(), touched_.end(), &group) == touched_.end()) {
    touched_.push_back(&group);
  }
  MarkDirty(it->first, group);
  if (group.rows <= 0) emptied_.push_back(it->first);
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
    auto previous = rows_.find(primary_key);
    key_row_ = row;
    const bool adds = meta.kind == RowKind::kUpsert && passes[row];
    if (adds) {
      next_.group_key.clear();
      for (const Column& column : key_columns) EncodeCell(column, row, next_.group_key);
      for (size_t call_idx = 0; call_idx < plan_.aggregates.size(); ++call_idx) {
        next_.arguments[call_idx].clear();
        if (plan_.aggregates[call_idx].argument) {
          EncodeCell(argument_columns[call_idx], row, next_.arguments[call_idx]);
        }
      }
      // The key's row again, unchanged (a repeated upsert): no group moves.
      if (previous != rows_.end() && previous->second.SameAs(next_)) continue;
    } else if (previous == rows_.end()) {
      continue;  // a tombstone, or a filtered row, for a key not counted: nothing to retract
    }
    touched_.clear();
    if (previous != rows_.end()) Apply(previous->second, -1);
    if (adds) {
      Apply(next_, +1);
      if (previous == rows_.end()) {
        previous = rows_.emplace(primary_key, PreviousRow()).first;
        previous->second.arguments.resize(plan_.aggregates.size());
      }
      // Swapped, not copied: the replaced row's buffers serve the next row read.
      PreviousRow& kept = previous->second;
      kept.group_key.swap(next_.group_key);
      kept.arguments.swap(next_.arguments);
      if (table_ != nullptr && !kept.dirty) {
        kept.dirty = true;
        dirty_rows_.push_back(primary_key);
      }
    } else {
      if (table_ != nullptr && !previous->second.dirty) dirty_rows_.push_back(primary_key);
      rows_.erase(previous);
    }
    StageTouched(meta.timestamp);
  }
  key_columns_ = nullptr;
  return FlushStaged(output);
}

void ChangelogAggregateOperator::StageTouched(int64_t event_time) {
  if (staged_.num_columns() == 0) staged_ = RecordBatch(plan_.schema);
  for (Group* group : touched_) {
    size_t column_idx = 0;
    for (const Value& key : group->keys) staged_.column(column_idx++).AppendValue(key);
    for (size_t call_idx = 0; call_idx < plan_.aggregates.size(); ++call_idx) {
      AppendRetractableResult(plan_.aggregates[call_idx], group->accumulators[call_idx],
                              staged_.column(column_idx++));
    }
    staged_.meta().push_back(RecordMeta{event_time, 0, 0, RowKind::kUpsert});
    staged_.keys().emplace_back();
    staged_groups_.push_back(group);
    staged_empty_.push_back(group->rows <= 0 ? 1 : 0);
  }
  touched_.clear();
}

Status ChangelogAggregateOperator::FlushStaged(RecordBatch& output) {
  if (staged_groups_.empty()) return Status::OK();
  RecordBatch rows = std::move(staged_);
  staged_ = RecordBatch();
  std::vector<Group*> groups = std::move(staged_groups_);
  std::vector<uint8_t> empty = std::move(staged_empty_);
  staged_groups_.clear();
  staged_empty_.clear();
  std::vector<uint8_t> keep(rows.num_rows(), 1);
  if (plan_.having) RETURN_NOT_OK(EvaluateFilter(*plan_.having, rows, &keep, context_));
  for (size_t row = 0; row < rows.num_rows(); ++row) {
    Group& group = *groups[row];
    if (!empty[row] && keep[row]) {
      group.emitted = true;
      continue;
    }
    keep[row] = group.emitted ? 1 : 0;
    if (group.emitted) {
      // The group emptied or stopped satisfying HAVING: retract its row downstream.
      group.emitted = false;
      rows.meta()[row].kind = RowKind::kDelete;
    }
  }
  // A group emptied and refilled within the batch stays (its downstream row too).
  for (const std::string& group_key : emptied_) {
    auto it = groups_.find(group_key);
    if (it != groups_.end() && it->second.rows <= 0) groups_.erase(it);
  }
  emptied_.clear();
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
