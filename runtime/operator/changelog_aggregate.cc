#include "runtime/operator/changelog_aggregate.h"

#include <algorithm>
#include <utility>

#include "common/big_endian.h"
#include "runtime/operator/aggregate_accumulator.h"

namespace sluice {

ChangelogAggregateOperator::ChangelogAggregateOperator(const PhysicalAggregate& plan,
                                                       EvalContext& context)
    : plan_(plan), context_(context) {
  for (const AggregateCall& call : plan_.aggregates) {
    argument_kinds_.push_back(call.argument ? call.argument->type().physical()
                                            : PhysicalKind::kInt64);
    if (call.distinct || call.function == AggregateFunction::kMin ||
        call.function == AggregateFunction::kMax) {
      variable_size_groups_ = true;  // keeps a multiset of its values
    }
  }
}

namespace {

// A length-prefixed cell encoded in place at the end of `out`: BeginPrefixed leaves room for the
// length, which FinishPrefixed fills in once the cell is written (no copy through a scratch
// string).
size_t BeginPrefixed(std::string& out) {
  out.append(4, '\0');
  return out.size();
}

void FinishPrefixed(size_t begin, std::string& out) {
  const size_t length = out.size() - begin;
  for (size_t byte_idx = 0; byte_idx < 4; ++byte_idx) {
    out[begin - 4 + byte_idx] = static_cast<char>(length >> (8 * (3 - byte_idx)));
  }
}

}  // namespace

void ChangelogAggregateOperator::MarkDirty(const std::string& group_key, Group& group) {
  if (table_ == nullptr || group.dirty) return;
  group.dirty = true;
  dirty_groups_.push_back(group_key);
}

void ChangelogAggregateOperator::MarkChunkDirty(uint32_t chunk) {
  chunks_[chunk].last_batch = batch_counter_;
  if (chunks_[chunk].dirty) return;
  chunks_[chunk].dirty = true;
  dirty_chunks_.push_back(chunk);
}

void ChangelogAggregateOperator::AddToChunk(RowIndex entry) {
  if (open_chunk_ == kNoChunk || open_chunk_added_ >= kChunkRows) {
    open_chunk_added_ = 0;
    if (!free_chunks_.empty()) {
      open_chunk_ = free_chunks_.back();
      free_chunks_.pop_back();
    } else {
      open_chunk_ = static_cast<uint32_t>(chunks_.size());
      chunks_.emplace_back();
    }
  }
  rows_.set_chunk(entry, open_chunk_);
  chunks_[open_chunk_].members.push_back(entry);
  ++open_chunk_added_;
  MarkChunkDirty(open_chunk_);
}

void ChangelogAggregateOperator::RemoveFromChunk(RowIndex entry) {
  const uint32_t chunk = rows_.chunk(entry);
  std::vector<RowIndex>& members = chunks_[chunk].members;
  auto it = std::find(members.begin(), members.end(), entry);
  if (it != members.end()) {
    *it = members.back();
    members.pop_back();
  }
  MarkChunkDirty(chunk);
}

Result<ChangelogAggregateOperator::GroupMap::iterator> ChangelogAggregateOperator::GroupOf(
    std::string_view group_key) {
  auto it = groups_.find(group_key);
  if (it == groups_.end() && caching() && groups_in_table_.MayContain(group_key)) {
    ASSIGN_OR_RETURN(it, ReadBackGroup(group_key));
  }
  if (it == groups_.end()) {
    Group group;
    for (const Column& column : *key_columns_) group.keys.push_back(column.GetValue(key_row_));
    group.accumulators.resize(plan_.aggregates.size());
    it = groups_.emplace(std::string(group_key), std::move(group)).first;
    if (caching()) {
      it->second.charged_bytes = static_cast<uint32_t>(GroupBytes(it->first, it->second));
      groups_bytes_ += it->second.charged_bytes;
    }
  }
  return it;
}

void ChangelogAggregateOperator::Touch(GroupMap::iterator it) {
  Group& group = it->second;
  if (caching()) {
    group.last_batch = batch_counter_;
    if (variable_size_groups_) {
      groups_bytes_ -= group.charged_bytes;
      group.charged_bytes = static_cast<uint32_t>(GroupBytes(it->first, group));
      groups_bytes_ += group.charged_bytes;
    }
  }
  if (std::find(touched_.begin(), touched_.end(), &group) == touched_.end()) {
    touched_.push_back(&group);
  }
  MarkDirty(it->first, group);
  if (group.rows <= 0) emptied_.push_back(it->first);
}

Status ChangelogAggregateOperator::Apply(std::string_view row, int sign) {
  std::string_view group_key;
  // The operator wrote the bytes itself (or checked them at restore): they always split.
  if (!SplitPrevious(row, plan_.aggregates.size(), &group_key, &previous_views_)) {
    return Status::Internal("a previous row of the aggregate does not split");
  }
  return Apply(group_key, previous_views_, sign);
}

Status ChangelogAggregateOperator::Apply(std::string_view group_key,
                                         const std::vector<std::string_view>& arguments, int sign) {
  ASSIGN_OR_RETURN(auto it, GroupOf(group_key));
  Group& group = it->second;
  group.rows += sign;
  for (size_t call_idx = 0; call_idx < plan_.aggregates.size(); ++call_idx) {
    ApplyCell(plan_.aggregates[call_idx], argument_kinds_[call_idx], arguments[call_idx], sign,
              group.accumulators[call_idx]);
  }
  Touch(it);
  return Status::OK();
}

Status ChangelogAggregateOperator::Replace(std::string_view previous, std::string_view next_group,
                                           const std::vector<std::string_view>& next_arguments) {
  std::string_view previous_group;
  if (!SplitPrevious(previous, plan_.aggregates.size(), &previous_group, &previous_views_)) {
    return Status::Internal("a previous row of the aggregate does not split");
  }
  if (previous_group != next_group) {
    RETURN_NOT_OK(Apply(previous_group, previous_views_, -1));
    return Apply(next_group, next_arguments, +1);
  }
  // The key stays in its group (the common case: an auction's new highest bid): one lookup, the
  // old arguments retracted and the new ones added, the group's row count unchanged.
  ASSIGN_OR_RETURN(auto it, GroupOf(next_group));
  Group& group = it->second;
  for (size_t call_idx = 0; call_idx < plan_.aggregates.size(); ++call_idx) {
    const AggregateCall& call = plan_.aggregates[call_idx];
    ApplyCell(call, argument_kinds_[call_idx], previous_views_[call_idx], -1,
              group.accumulators[call_idx]);
    ApplyCell(call, argument_kinds_[call_idx], next_arguments[call_idx], +1,
              group.accumulators[call_idx]);
  }
  Touch(it);
  return Status::OK();
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
  ++batch_counter_;
  argument_ends_.resize(plan_.aggregates.size());
  argument_views_.resize(plan_.aggregates.size());
  // At most two touched groups per row, mostly one: room for a row each, so staging a batch's
  // rows does not grow the vectors step by step.
  if (staged_.num_columns() == 0) staged_ = RecordBatch(plan_.schema);
  for (size_t column_idx = 0; column_idx < staged_.num_columns(); ++column_idx) {
    staged_.column(column_idx).Reserve(input.num_rows());
  }
  staged_.meta().reserve(input.num_rows());
  staged_.keys().reserve(input.num_rows());
  staged_groups_.reserve(input.num_rows());
  staged_empty_.reserve(input.num_rows());
  // Batch-at-a-time: every row's primary key is encoded and hashed first and the index slots
  // its lookup reads are prefetched (the entry a few rows ahead too), so one row's cache misses
  // do not wait for the previous row's.
  batch_keys_.clear();
  key_ends_.resize(input.num_rows());
  key_hashes_.resize(input.num_rows());
  for (size_t row = 0; row < input.num_rows(); ++row) {
    const size_t key_begin = batch_keys_.size();
    for (int column : plan_.changelog_key) {
      EncodeCell(input.column(static_cast<size_t>(column)), row, batch_keys_);
    }
    key_ends_[row] = batch_keys_.size();
    key_hashes_[row] = PreviousRowMap::Hash(
        std::string_view(batch_keys_).substr(key_begin, batch_keys_.size() - key_begin));
    rows_.Prefetch(key_hashes_[row]);
  }
  constexpr size_t kEntryAhead = 8;
  for (size_t row = 0; row < input.num_rows(); ++row) {
    if (row + kEntryAhead < input.num_rows()) rows_.PrefetchEntry(key_hashes_[row + kEntryAhead]);
    const RecordMeta& meta = input.meta()[row];
    const size_t key_begin = row == 0 ? 0 : key_ends_[row - 1];
    const std::string_view primary_key =
        std::string_view(batch_keys_).substr(key_begin, key_ends_[row] - key_begin);
    RowIndex previous = rows_.Find(primary_key, key_hashes_[row]);
    // (Without a budget too: the table may hold rows saved one per key by an older version.)
    if (previous == kNoRow && table_ != nullptr && rows_in_table_.MayContain(primary_key)) {
      ASSIGN_OR_RETURN(previous, ReadBackRow(std::string(primary_key)));
    }
    key_row_ = row;
    std::string_view next_group;  // and argument_views_: next_'s cells, when the row adds
    const bool adds = meta.kind == RowKind::kUpsert && passes[row];
    if (adds) {
      // Each cell's end is noted as it is written, so the row needs no splitting afterwards.
      next_.clear();
      size_t cell_begin = BeginPrefixed(next_);
      for (const Column& column : key_columns) EncodeCell(column, row, next_);
      FinishPrefixed(cell_begin, next_);
      const size_t group_end = next_.size();
      for (size_t call_idx = 0; call_idx < plan_.aggregates.size(); ++call_idx) {
        cell_begin = BeginPrefixed(next_);
        if (plan_.aggregates[call_idx].argument) {
          EncodeCell(argument_columns[call_idx], row, next_);
        }
        FinishPrefixed(cell_begin, next_);
        argument_ends_[call_idx] = next_.size();
      }
      next_group = std::string_view(next_).substr(4, group_end - 4);
      for (size_t call_idx = 0, begin = group_end; call_idx < argument_ends_.size(); ++call_idx) {
        argument_views_[call_idx] =
            std::string_view(next_).substr(begin + 4, argument_ends_[call_idx] - begin - 4);
        begin = argument_ends_[call_idx];
      }
      // The key's row again, unchanged (a repeated upsert): no group moves.
      if (previous != kNoRow && rows_.row(previous) == next_) continue;
    } else if (previous == kNoRow) {
      continue;  // a tombstone, or a filtered row, for a key not counted: nothing to retract
    }
    touched_.clear();
    if (adds) {
      if (previous == kNoRow) {
        RETURN_NOT_OK(Apply(next_group, argument_views_, +1));
        previous = rows_.Insert(primary_key, key_hashes_[row], next_).first;
        if (table_ != nullptr) AddToChunk(previous);
      } else {
        RETURN_NOT_OK(Replace(rows_.row(previous), next_group, argument_views_));
        if (table_ != nullptr) MarkChunkDirty(rows_.chunk(previous));
        rows_bytes_ -= RowBytes(previous);
        rows_.SetRow(previous, next_);
      }
      rows_bytes_ += RowBytes(previous);
    } else {
      RETURN_NOT_OK(Apply(rows_.row(previous), -1));
      if (table_ != nullptr) RemoveFromChunk(previous);
      rows_bytes_ -= RowBytes(previous);
      rows_.Erase(previous);
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
  // A group emptied and refilled within the batch stays (its downstream row too). One that
  // stays empty leaves the table now: a checkpoint writes only groups in memory.
  for (const std::string& group_key : emptied_) {
    auto it = groups_.find(group_key);
    if (it == groups_.end() || it->second.rows > 0) continue;
    if (table_ != nullptr) RETURN_NOT_OK(table_->Delete("g" + group_key));
    groups_bytes_ -= it->second.charged_bytes;
    groups_.erase(it);
  }
  emptied_.clear();
  if (std::find(keep.begin(), keep.end(), 0) != keep.end()) rows.Filter(keep);
  AppendRows(std::move(rows), output);
  return Status::OK();
}

Status ChangelogAggregateOperator::AdvanceWatermark(int64_t watermark, RecordBatch& output) {
  (void)watermark;
  (void)output;
  return Status::OK();
}

}  // namespace sluice
