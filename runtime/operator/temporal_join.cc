#include "runtime/operator/temporal_join.h"

#include <algorithm>

namespace sluice {

TemporalJoinOperator::TemporalJoinOperator(const PhysicalJoin& plan, EvalContext& context)
    : JoinOperator(plan, context), candidates_(plan.schema) {}

Status TemporalJoinOperator::ProcessSide(JoinSide side, const RecordBatch& input,
                                         const std::vector<int64_t>& watermark_before_row,
                                         RecordBatch& output) {
  if (input.num_rows() == 0) return Status::OK();
  if (side == JoinSide::kRight) return ApplyChanges(input);
  return JoinStream(input, watermark_before_row, output);
}

Status TemporalJoinOperator::ApplyChanges(const RecordBatch& input) {
  RETURN_NOT_OK(EvaluateKeys(JoinSide::kRight, input));
  for (size_t row = 0; row < input.num_rows(); ++row) {
    if (!EncodeKey(row, key_)) continue;  // a NULL key can never be looked up
    const RecordMeta& meta = input.meta()[row];
    Versions& versions = versions_[key_];
    auto [it, inserted] = versions.try_emplace(meta.timestamp);
    if (inserted) ++version_count_;
    // Two changes at the same time: the later in the log wins, as an upsert would.
    it->second.bytes.clear();
    EncodeRow(JoinSide::kRight, input, row, meta.timestamp, meta.kind == RowKind::kDelete,
              it->second.bytes);
    if (table_ != nullptr) dirty_.emplace(key_, meta.timestamp);
    purge_queue_.emplace(meta.timestamp, key_);
  }
  return Status::OK();
}

Status TemporalJoinOperator::JoinStream(const RecordBatch& input,
                                        const std::vector<int64_t>& watermark_before_row,
                                        RecordBatch& output) {
  RETURN_NOT_OK(EvaluateKeys(JoinSide::kLeft, input));
  const bool keep_unmatched = plan_.keeps_unmatched(JoinSide::kLeft);
  std::vector<size_t> candidate_rows;  // input row of each candidate
  std::vector<uint8_t> matched(input.num_rows(), 0);
  std::vector<uint8_t> on_time(input.num_rows(), 0);
  for (size_t row = 0; row < input.num_rows(); ++row) {
    const RecordMeta& meta = input.meta()[row];
    if (IsLate(input, row, watermark_before_row)) continue;
    on_time[row] = 1;
    if (!EncodeKey(row, key_)) continue;
    auto found = versions_.find(key_);
    if (found == versions_.end()) continue;
    auto version = found->second.upper_bound(meta.timestamp);
    if (version == found->second.begin()) continue;  // the key did not exist yet
    --version;
    if (JoinRowCodec::Flag(version->second.bytes)) continue;  // deleted as of this time
    AppendCells(JoinSide::kLeft, input, row, candidates_);
    RETURN_NOT_OK(AppendStored(JoinSide::kRight, version->second.bytes, candidates_));
    FinishRow(meta, candidates_);
    candidate_rows.push_back(row);
  }
  std::vector<uint8_t> keep(candidate_rows.size(), 1);
  if (plan_.condition && !candidate_rows.empty()) {
    RETURN_NOT_OK(EvaluateFilter(*plan_.condition, candidates_, &keep, context_));
  }
  for (size_t candidate = 0; candidate < candidate_rows.size(); ++candidate) {
    if (keep[candidate] == 0) continue;
    matched[candidate_rows[candidate]] = 1;
  }
  // Output in input order: each stream row's match, or its outer row.
  size_t candidate = 0;
  for (size_t row = 0; row < input.num_rows(); ++row) {
    while (candidate < candidate_rows.size() && candidate_rows[candidate] < row) ++candidate;
    if (matched[row]) {
      for (size_t column_idx = 0; column_idx < candidates_.num_columns(); ++column_idx) {
        output.column(column_idx).AppendFrom(candidates_.column(column_idx), candidate);
      }
      FinishRow(candidates_.meta()[candidate], output);
    } else if (on_time[row] && keep_unmatched) {
      AppendCells(JoinSide::kLeft, input, row, output);
      AppendNulls(JoinSide::kRight, output);
      FinishRow(input.meta()[row], output);
    }
  }
  candidates_ = RecordBatch(plan_.schema);
  return Status::OK();
}

Status TemporalJoinOperator::AdvanceWatermark(int64_t watermark, RecordBatch& /*output*/) {
  watermark_ = std::max(watermark_, watermark);
  while (!purge_queue_.empty() && purge_queue_.begin()->first <= watermark_) {
    std::string key = purge_queue_.begin()->second;
    purge_queue_.erase(purge_queue_.begin());
    PurgeKey(key);
  }
  return Status::OK();
}

void TemporalJoinOperator::PurgeKey(const std::string& key) {
  auto found = versions_.find(key);
  if (found == versions_.end()) return;
  Versions& versions = found->second;
  // The newest version at or before the watermark answers every on-time lookup from now on.
  auto newest = versions.upper_bound(watermark_);
  if (newest == versions.begin()) return;
  --newest;
  while (versions.begin() != newest) Erase(key, versions, versions.begin());
  if (JoinRowCodec::Flag(newest->second.bytes)) Erase(key, versions, newest);
  if (versions.empty()) versions_.erase(found);
}

void TemporalJoinOperator::Erase(const std::string& key, Versions& versions,
                                 Versions::iterator it) {
  if (table_ != nullptr) {
    dirty_.erase({key, it->first});
    if (it->second.persisted) deleted_.push_back(TableKey(it->first, key));
  }
  versions.erase(it);
  --version_count_;
}

std::string TemporalJoinOperator::TableKey(int64_t time, const std::string& key) {
  std::string table_key = "V";
  JoinRowCodec::AppendInt(time, table_key);
  table_key += key;
  return table_key;
}

Status TemporalJoinOperator::AttachState(StateTable* table) {
  table_ = table;
  Status status = Status::OK();
  RETURN_NOT_OK(table_->Scan("", "", [&](std::string_view table_key, std::string_view value) {
    if (table_key.size() < 9 || table_key[0] != 'V') {
      status = Status::Storage("temporal join state: unexpected key");
      return false;
    }
    if (!JoinRowCodec::Valid(value)) {
      status = Status::Storage(
          "temporal join state: a version is not in this version's format (the query's state "
          "was written by an older Sluice; recreate the query)");
      return false;
    }
    const int64_t time = JoinRowCodec::ReadInt(table_key.substr(1, 8));
    std::string key(table_key.substr(9));
    Version version;
    version.persisted = true;
    version.bytes.assign(value);
    versions_[key].emplace(time, std::move(version));
    ++version_count_;
    purge_queue_.emplace(time, std::move(key));
    return true;
  }));
  return status;
}

Status TemporalJoinOperator::PrepareCheckpoint() {
  if (table_ == nullptr) return Status::OK();
  for (const std::string& key : deleted_) RETURN_NOT_OK(table_->Delete(key));
  for (const auto& [key, time] : dirty_) {
    Version& version = versions_.at(key).at(time);
    RETURN_NOT_OK(table_->Put(TableKey(time, key), version.bytes));
    version.persisted = true;
  }
  deleted_.clear();
  dirty_.clear();
  return Status::OK();
}

}  // namespace sluice
