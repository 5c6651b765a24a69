#include "runtime/operator/interval_join.h"

#include <algorithm>

namespace sluice {

IntervalJoinOperator::IntervalJoinOperator(const PhysicalJoin& plan, EvalContext& context)
    : JoinOperator(plan, context), candidates_(plan.schema) {
  codecs_[0] = std::make_unique<JoinRowCodec>(SideSchema(JoinSide::kLeft));
  codecs_[1] = std::make_unique<JoinRowCodec>(SideSchema(JoinSide::kRight));
}

int64_t IntervalJoinOperator::Insert(JoinSide side, std::string key, JoinRow row) {
  const int64_t id = next_id_++;
  SideState& side_state = state(side);
  side_state.by_key[key].push_back(id);
  side_state.by_time.emplace(row.time, id);
  side_state.rows.emplace(id, Buffered{std::move(key), std::move(row), false});
  if (table_ != nullptr) dirty_.emplace_back(static_cast<int>(side), id);
  return id;
}

void IntervalJoinOperator::Remove(JoinSide side, int64_t id) {
  SideState& side_state = state(side);
  auto found = side_state.rows.find(id);
  if (found == side_state.rows.end()) return;
  auto ids = side_state.by_key.find(found->second.key);
  if (ids != side_state.by_key.end()) {
    auto& list = ids->second;
    list.erase(std::remove(list.begin(), list.end(), id), list.end());
    if (list.empty()) side_state.by_key.erase(ids);
  }
  side_state.by_time.erase({found->second.row.time, id});
  if (table_ != nullptr && found->second.persisted) {
    deleted_.push_back(TableKey(side, id, found->second.key));
  }
  side_state.rows.erase(found);
}

Status IntervalJoinOperator::ProcessSide(JoinSide side, const RecordBatch& input,
                                         const std::vector<int64_t>& watermark_before_row,
                                         RecordBatch& output) {
  if (input.num_rows() == 0) return Status::OK();
  RETURN_NOT_OK(EvaluateKeys(side, input));
  const JoinSide other = side == JoinSide::kLeft ? JoinSide::kRight : JoinSide::kLeft;
  SideState& other_state = state(other);
  // The other side's times this side's row at t meets: [t - low, t + high].
  const int64_t low = side == JoinSide::kLeft ? plan_.before_ms : plan_.after_ms;
  const int64_t high = side == JoinSide::kLeft ? plan_.after_ms : plan_.before_ms;
  std::string key;
  for (size_t row = 0; row < input.num_rows(); ++row) {
    const RecordMeta& meta = input.meta()[row];
    if (IsLate(input, row, watermark_before_row)) continue;
    JoinRow joined{meta.timestamp, false, input.GetRow(row)};
    if (!EncodeKey(row, key)) {
      // A NULL key equals nothing: an outer join emits the row at once.
      if (plan_.keeps_unmatched(side)) {
        AppendJoined(side == JoinSide::kLeft ? &joined.values : nullptr,
                     side == JoinSide::kRight ? &joined.values : nullptr, meta, output);
      }
      continue;
    }
    const int64_t id = Insert(side, key, std::move(joined));
    auto partners = other_state.by_key.find(key);
    if (partners == other_state.by_key.end()) continue;
    const JoinRow& mine = state(side).rows.at(id).row;
    for (int64_t partner_id : partners->second) {
      const JoinRow& partner = other_state.rows.at(partner_id).row;
      if (partner.time < mine.time - low || partner.time > mine.time + high) continue;
      RecordMeta pair_meta = meta;
      pair_meta.timestamp = std::max(mine.time, partner.time);
      const bool left = side == JoinSide::kLeft;
      AppendJoined(left ? &mine.values : &partner.values, left ? &partner.values : &mine.values,
                   pair_meta, candidates_);
      candidate_ids_.push_back(left ? Candidate{id, partner_id} : Candidate{partner_id, id});
    }
  }
  return EmitCandidates(output);
}

Status IntervalJoinOperator::EmitCandidates(RecordBatch& output) {
  if (candidate_ids_.empty()) return Status::OK();
  std::vector<uint8_t> keep(candidate_ids_.size(), 1);
  if (plan_.condition) {
    RETURN_NOT_OK(EvaluateFilter(*plan_.condition, candidates_, &keep, context_));
  }
  for (size_t candidate = 0; candidate < candidate_ids_.size(); ++candidate) {
    if (keep[candidate] == 0) continue;
    const int64_t ids[2] = {candidate_ids_[candidate].left_id, candidate_ids_[candidate].right_id};
    for (int side_idx = 0; side_idx < 2; ++side_idx) {
      Buffered& buffered = sides_[side_idx].rows.at(ids[side_idx]);
      if (buffered.row.flag) continue;
      buffered.row.flag = true;
      if (table_ != nullptr) dirty_.emplace_back(side_idx, ids[side_idx]);
    }
    for (size_t column_idx = 0; column_idx < candidates_.num_columns(); ++column_idx) {
      output.column(column_idx).AppendFrom(candidates_.column(column_idx), candidate);
    }
    output.meta().push_back(candidates_.meta()[candidate]);
    output.keys().emplace_back();
  }
  candidates_ = RecordBatch(plan_.schema);
  candidate_ids_.clear();
  return Status::OK();
}

Status IntervalJoinOperator::AdvanceWatermark(int64_t watermark, RecordBatch& output) {
  watermark_ = std::max(watermark_, watermark);
  for (JoinSide side : {JoinSide::kLeft, JoinSide::kRight}) {
    SideState& side_state = state(side);
    const int64_t reach = Reach(side);
    while (!side_state.by_time.empty()) {
      const auto [time, id] = *side_state.by_time.begin();
      // Closed once no on-time row of the other side (time >= watermark) can reach it.
      if (watermark_ == INT64_MAX ? false : time > watermark_ - 1 - reach) break;
      const Buffered& buffered = side_state.rows.at(id);
      if (!buffered.row.flag && plan_.keeps_unmatched(side)) {
        RecordMeta meta;
        meta.timestamp = time;
        AppendJoined(side == JoinSide::kLeft ? &buffered.row.values : nullptr,
                     side == JoinSide::kRight ? &buffered.row.values : nullptr, meta, output);
      }
      Remove(side, id);
    }
  }
  return Status::OK();
}

}  // namespace sluice
