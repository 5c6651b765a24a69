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
    const int64_t slot = versions_.FindOrAdd(key_, JoinKeyIndex::Hash(key_));
    bool added = false;
    VersionTable::Version& version = VersionTable::At(versions_.at(slot), meta.timestamp, &added);
    if (added) ++version_count_;
    // Two changes at the same time: the later in the log wins, as an upsert would.
    Unblock(version);
    version.bytes.clear();
    if (meta.kind == RowKind::kDelete) {
      // Only its time and flag are ever read (a lookup that finds it matches nothing), so a
      // delete keeps no cells: no heap block for them (q3: most people fail its state filter and
      // come as deletes), and fewer bytes to checkpoint.
      JoinRowCodec::EncodeHeader(meta.timestamp, true, version.bytes);
    } else {
      EncodeRow(JoinSide::kRight, input, row, meta.timestamp, false, version.bytes);
    }
    if (table_ != nullptr) pending_.emplace_back(meta.timestamp, slot);
    QueuePurge(slot);
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
  // Batch-at-a-time probing: hash every key first and load what the lookups will touch in
  // stages (see VersionTable), so one row's cache misses do not wait for the previous row's.
  hashes_.assign(input.num_rows(), 0);  // 0: a NULL key
  for (size_t row = 0; row < input.num_rows(); ++row) {
    if (!EncodeKey(row, key_)) continue;
    hashes_[row] = JoinKeyIndex::Hash(key_);
    versions_.PrefetchEntry(hashes_[row]);
  }
  for (uint64_t hash : hashes_) {
    if (hash != 0) versions_.PrefetchKey(hash);
  }
  for (uint64_t hash : hashes_) {
    if (hash != 0) versions_.PrefetchVersions(hash);
  }
  // Without a rest of ON every candidate is a match: output rows are built at once, in input
  // order, instead of going through candidates_.
  const bool direct = !plan_.condition;
  RecordBatch& target = direct ? output : candidates_;
  for (size_t row = 0; row < input.num_rows(); ++row) {
    const RecordMeta& meta = input.meta()[row];
    if (IsLate(input, row, watermark_before_row)) continue;
    on_time[row] = 1;
    const VersionTable::Version* version = nullptr;
    if (hashes_[row] != 0 && EncodeKey(row, key_)) {
      const int64_t slot = versions_.Find(key_, hashes_[row]);
      // None: the key did not exist yet; a delete: deleted as of this time.
      if (slot >= 0) version = VersionTable::AsOf(versions_.at(slot), meta.timestamp);
      if (version != nullptr && JoinRowCodec::Flag(version->bytes)) version = nullptr;
    }
    if (version == nullptr) {
      if (direct && keep_unmatched) {
        AppendCells(JoinSide::kLeft, input, row, output);
        AppendNulls(JoinSide::kRight, output);
        FinishRow(meta, output);
      }
      continue;
    }
    AppendCells(JoinSide::kLeft, input, row, target);
    RETURN_NOT_OK(AppendStored(JoinSide::kRight, version->bytes, target));
    FinishRow(meta, target);
    if (!direct) candidate_rows.push_back(row);
  }
  if (direct) return Status::OK();
  std::vector<uint8_t> keep(candidate_rows.size(), 1);
  if (!candidate_rows.empty()) {
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
  while (!in_order_purges_.empty() && in_order_purges_.front().first <= watermark_) {
    const int64_t slot = in_order_purges_.front().second;
    in_order_purges_.pop_front();
    PurgeKey(slot);
  }
  while (!purge_queue_.empty() && purge_queue_.top().first <= watermark_) {
    const int64_t slot = purge_queue_.top().second;
    purge_queue_.pop();
    PurgeKey(slot);
  }
  return Status::OK();
}

void TemporalJoinOperator::QueuePurge(int64_t slot) {
  const VersionTable::Key& key = versions_.at(slot);
  if (key.versions.size() == 1 && !JoinRowCodec::Flag(key.versions.front().bytes)) return;
  const int64_t time = key.versions.back().time;
  if (in_order_purges_.empty() || in_order_purges_.back().first <= time) {
    in_order_purges_.emplace_back(time, slot);
  } else {
    purge_queue_.emplace(time, slot);
  }
}

void TemporalJoinOperator::PurgeKey(int64_t slot) {
  VersionTable::Key& key = versions_.at(slot);
  if (key.versions.empty()) return;  // freed since
  // The newest version at or before the watermark answers every on-time lookup from now on.
  const VersionTable::Version* newest = VersionTable::AsOf(key, watermark_);
  if (newest == nullptr) return;
  size_t newest_idx = static_cast<size_t>(newest - key.versions.data());
  if (JoinRowCodec::Flag(newest->bytes)) ++newest_idx;  // a delete that is the newest goes too
  Erase(key, 0, newest_idx);
  if (key.versions.empty()) versions_.Release(slot);
}

void TemporalJoinOperator::Erase(VersionTable::Key& key, size_t first, size_t last) {
  if (first == last) return;
  for (size_t version_idx = first; version_idx < last; ++version_idx) {
    Unblock(key.versions[version_idx]);
  }
  key.versions.erase(key.versions.begin() + static_cast<std::ptrdiff_t>(first),
                     key.versions.begin() + static_cast<std::ptrdiff_t>(last));
  version_count_ -= last - first;
}

}  // namespace sluice
