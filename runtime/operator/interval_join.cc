#include "runtime/operator/interval_join.h"

#include <algorithm>
#include <utility>

#include "runtime/operator/aggregate_accumulator.h"

namespace sluice {

namespace {

// Flags the output columns `expr` reads.
void FlagColumns(const Expression& expr, std::vector<uint8_t>& flags) {
  if (expr.kind() == ExpressionKind::kColumnRef) {
    const int index = expr.As<ColumnRefExpression>().index();
    if (index >= 0 && static_cast<size_t>(index) < flags.size()) flags[index] = 1;
  }
  for (const ExpressionPtr& child : expr.children()) FlagColumns(*child, flags);
}

}  // namespace

IntervalJoinOperator::IntervalJoinOperator(const PhysicalJoin& plan, EvalContext& context)
    : JoinOperator(plan, context),
      tracks_matches_(plan.keeps_unmatched(JoinSide::kLeft) ||
                      plan.keeps_unmatched(JoinSide::kRight)),
      condition_input_(plan.schema) {
  if (!plan.condition) return;
  std::vector<uint8_t> flags(plan.schema.size(), 0);
  FlagColumns(*plan.condition, flags);
  condition_columns_[0].assign(flags.begin(), flags.begin() + plan.left_width);
  condition_columns_[1].assign(flags.begin() + plan.left_width, flags.end());
}

Status IntervalJoinOperator::ProcessSide(JoinSide side, const RecordBatch& input,
                                         const std::vector<int64_t>& watermark_before_row,
                                         RecordBatch& output) {
  if (input.num_rows() == 0) return Status::OK();
  RETURN_NOT_OK(EvaluateKeys(side, input));
  const JoinSide other = side == JoinSide::kLeft ? JoinSide::kRight : JoinSide::kLeft;
  // Batch-at-a-time: every key is encoded and hashed first and the index entries both sides'
  // lookups read are prefetched, so one row's cache misses do not wait for the previous row's.
  batch_keys_.clear();
  hashes_.assign(input.num_rows(), 0);  // 0: a NULL key
  AppendKeys(input.num_rows(), batch_keys_, key_ends_, has_key_);
  // Hashed in a pass of its own: reading a key's words right after its bytes were stored one by
  // one would stall on every row.
  for (size_t row = 0; row < input.num_rows(); ++row) {
    if (has_key_[row] == 0) continue;
    const size_t key_begin = row == 0 ? 0 : key_ends_[row - 1];
    hashes_[row] = JoinKeyIndex::Hash(
        std::string_view(batch_keys_).substr(key_begin, key_ends_[row] - key_begin));
    store(side).Prefetch(hashes_[row]);
    store(other).Prefetch(hashes_[row]);
  }
  // The other side's rows stay as they are while this batch is joined (rows are added to this
  // side, purged and spilled between batches): each row's newest partner is found ahead and its
  // slot prefetched, and the partner's bytes a few rows ahead, so the probes find them in cache.
  JoinRowStore& partners = store(other);
  newest_.assign(input.num_rows(), -1);
  for (size_t row = 0; row < input.num_rows(); ++row) {
    if (hashes_[row] == 0) continue;
    newest_[row] = partners.Newest(hashes_[row]);
    partners.PrefetchSlot(newest_[row]);
  }
  constexpr size_t kBytesAhead = 4;
  for (size_t row = 0; row < input.num_rows(); ++row) {
    if (row + kBytesAhead < input.num_rows()) partners.PrefetchBytes(newest_[row + kBytesAhead]);
    const RecordMeta& meta = input.meta()[row];
    if (IsLate(input, row, watermark_before_row)) continue;
    if (hashes_[row] == 0) {
      // A NULL key equals nothing: an outer join emits the row at once.
      if (plan_.keeps_unmatched(side)) {
        RETURN_NOT_OK(FlushPairs(side, input, output));
        AppendCells(side, input, row, output);
        AppendNulls(other, output);
        FinishRow(meta, output);
      }
      continue;
    }
    const size_t key_begin = row == 0 ? 0 : key_ends_[row - 1];
    const std::string_view key(batch_keys_.data() + key_begin, key_ends_[row] - key_begin);
    encoded_.clear();
    EncodeRow(side, input, row, meta.timestamp, false, encoded_);
    const int64_t index = store(side).Add(key, hashes_[row], encoded_, meta.timestamp);
    RETURN_NOT_OK(Probe(side, input, row, index, newest_[row], output));
  }
  RETURN_NOT_OK(FlushPairs(side, input, output));
  RETURN_NOT_OK(EmitCandidates(side, input, output));
  return store(side).SpillOverBudget();
}

Status IntervalJoinOperator::Probe(JoinSide side, const RecordBatch& input, size_t row,
                                   int64_t index, int64_t newest, RecordBatch& output) {
  const JoinSide other = side == JoinSide::kLeft ? JoinSide::kRight : JoinSide::kLeft;
  JoinRowStore& partners = store(other);
  const JoinRowStore::Slot& mine = store(side).at(index);
  // The other side's times this side's row at t meets: [t - low, t + high].
  const int64_t low = side == JoinSide::kLeft ? plan_.before_ms : plan_.after_ms;
  const int64_t high = side == JoinSide::kLeft ? plan_.after_ms : plan_.before_ms;
  // Pairs this row with a partner row of the other side. Without a rest of ON every pair is a
  // match: held back in pending_ when the partner is resident, else (a spilled row's bytes last
  // only for the visit) appended to `output` at once. With one it becomes a candidate.
  auto pair_with = [&](int64_t partner_idx, int64_t partner_time, std::string_view partner_row,
                       bool resident) -> Status {
    const int64_t pair_time = std::max(mine.time, partner_time);
    const Candidate pair =
        side == JoinSide::kLeft ? Candidate{index, partner_idx} : Candidate{partner_idx, index};
    if (plan_.condition) {
      PartnerBytes bytes{partner_row.data(), 0, partner_row.size()};
      if (!resident) {
        bytes.resident = nullptr;
        bytes.offset = spilled_partners_.size();
        spilled_partners_.append(partner_row);
      }
      candidate_rows_.push_back(static_cast<uint32_t>(row));
      candidate_partners_.push_back(bytes);
      candidate_times_.push_back(pair_time);
      candidate_ids_.push_back(pair);
      // A key with many partners (every row of a window, say) must not pile up unfiltered.
      if (candidate_ids_.size() >= kMaxCandidates) {
        RETURN_NOT_OK(EmitCandidates(side, input, output));
      }
      return Status::OK();
    }
    if (resident) {
      pending_rows_.push_back(static_cast<uint32_t>(row));
      pending_partners_.push_back(partner_idx);
      pending_times_.push_back(pair_time);
    } else {
      RETURN_NOT_OK(FlushPairs(side, input, output));
      AppendCells(side, input, row, output);
      RETURN_NOT_OK(AppendStored(other, partner_row, output));
      RecordMeta pair_meta = input.meta()[row];
      pair_meta.timestamp = pair_time;
      FinishRow(pair_meta, output);
    }
    MarkMatched(pair);
    return Status::OK();
  };
  for (int64_t partner_idx = newest; partners.Resident(partner_idx);
       partner_idx = partners.at(partner_idx).older) {
    const JoinRowStore::Slot& partner = partners.at(partner_idx);
    if (!partner.alive || partner.time < mine.time - low || partner.time > mine.time + high ||
        !JoinKeyIndex::KeysEqual(partner.key(), mine.key())) {
      continue;
    }
    RETURN_NOT_OK(pair_with(partner_idx, partner.time, partner.row(), true));
  }
  if (partners.spilled_chunks() == 0) return Status::OK();
  return partners.ProbeSpilled(
      mine.hash, mine.time - low, mine.time + high,
      [&](int64_t partner_idx, int64_t partner_time, std::string_view partner_key,
          std::string_view partner_row, bool /*matched*/) -> Status {
        if (!JoinKeyIndex::KeysEqual(partner_key, mine.key())) return Status::OK();
        return pair_with(partner_idx, partner_time, partner_row, false);
      });
}

Status IntervalJoinOperator::FlushPairs(JoinSide side, const RecordBatch& input,
                                        RecordBatch& target) {
  if (pending_rows_.empty()) return Status::OK();
  const JoinSide other = side == JoinSide::kLeft ? JoinSide::kRight : JoinSide::kLeft;
  AppendCellsOfRows(side, input, pending_rows_, target);
  JoinRowStore& partners = store(other);
  partner_rows_.clear();
  for (int64_t partner_idx : pending_partners_)
    partner_rows_.push_back(partners.at(partner_idx).row());
  RETURN_NOT_OK(AppendStoredRows(other, partner_rows_, target));
  AppendPairMeta(input, pending_rows_, pending_times_, target);
  pending_rows_.clear();
  pending_partners_.clear();
  pending_times_.clear();
  return Status::OK();
}

Status IntervalJoinOperator::EmitCandidates(JoinSide side, const RecordBatch& input,
                                            RecordBatch& output) {
  if (candidate_ids_.empty()) return Status::OK();
  const JoinSide other = side == JoinSide::kLeft ? JoinSide::kRight : JoinSide::kLeft;
  const size_t count = candidate_ids_.size();
  partner_rows_.clear();
  for (const PartnerBytes& partner : candidate_partners_)
    partner_rows_.push_back(PartnerRow(partner));
  // The rest of ON over the columns it reads (a batch of the output schema whose other columns
  // stay empty: the evaluator reads only the columns the condition names).
  condition_input_.Clear();
  AppendCellsOfRows(side, input, candidate_rows_, condition_input_,
                    &condition_columns_[static_cast<int>(side)]);
  RETURN_NOT_OK(AppendStoredRows(other, partner_rows_, condition_input_,
                                 &condition_columns_[static_cast<int>(other)]));
  AppendPairMeta(input, candidate_rows_, candidate_times_, condition_input_);
  RETURN_NOT_OK(EvaluateFilter(*plan_.condition, condition_input_, &keep_, context_));
  // The survivors, built in full.
  kept_rows_.clear();
  size_t kept = 0;
  for (size_t candidate = 0; candidate < count; ++candidate) {
    if (keep_[candidate] == 0) continue;
    MarkMatched(candidate_ids_[candidate]);
    kept_rows_.push_back(candidate_rows_[candidate]);
    partner_rows_[kept] = partner_rows_[candidate];
    candidate_times_[kept] = candidate_times_[candidate];
    ++kept;
  }
  partner_rows_.resize(kept);
  candidate_times_.resize(kept);
  if (kept > 0) {
    AppendCellsOfRows(side, input, kept_rows_, output);
    RETURN_NOT_OK(AppendStoredRows(other, partner_rows_, output));
    AppendPairMeta(input, kept_rows_, candidate_times_, output);
  }
  candidate_rows_.clear();
  candidate_partners_.clear();
  candidate_times_.clear();
  candidate_ids_.clear();
  spilled_partners_.clear();
  return Status::OK();
}

void IntervalJoinOperator::AppendPairMeta(const RecordBatch& input,
                                          const std::vector<uint32_t>& rows,
                                          const std::vector<int64_t>& times, RecordBatch& target) {
  std::vector<RecordMeta>& meta = target.meta();
  const size_t first_pair = meta.size();
  meta.resize(first_pair + rows.size());
  for (size_t pair_idx = 0; pair_idx < rows.size(); ++pair_idx) {
    RecordMeta& pair_meta = meta[first_pair + pair_idx];
    pair_meta = input.meta()[rows[pair_idx]];
    pair_meta.timestamp = times[pair_idx];
  }
  target.keys().resize(target.keys().size() + rows.size());
}

void IntervalJoinOperator::MarkMatchedRows(const Candidate& pair) {
  const int64_t indexes[2] = {pair.left, pair.right};
  for (int side_idx = 0; side_idx < 2; ++side_idx) {
    // Only an outer side's flag is ever read (it decides the NULL row): an inner side's rows
    // are not touched again, which saves a cache miss per pair.
    if (!plan_.keeps_unmatched(static_cast<JoinSide>(side_idx))) continue;
    JoinRowStore& rows = sides_[side_idx];
    if (rows.Resident(indexes[side_idx]) && rows.at(indexes[side_idx]).matched) continue;
    rows.MarkMatched(indexes[side_idx]);
    if (table_ != nullptr) sides_[side_idx].MarkDirty(indexes[side_idx]);
  }
}

Status IntervalJoinOperator::AdvanceWatermark(int64_t watermark, RecordBatch& output) {
  watermark_ = std::max(watermark_, watermark);
  for (JoinSide side : {JoinSide::kLeft, JoinSide::kRight}) {
    JoinRowStore& rows = store(side);
    const int64_t reach = Reach(side);
    const bool emit_unmatched = plan_.keeps_unmatched(side);
    const JoinSide other = side == JoinSide::kLeft ? JoinSide::kRight : JoinSide::kLeft;
    // Spilled rows are older than resident ones (up to rows that came late): they go first.
    const int64_t limit = watermark_ == INT64_MAX ? INT64_MAX : watermark_ - 1 - reach;
    JoinRowStore::RowVisitor emit;  // an inner side's expired rows are not read back
    if (emit_unmatched) {
      emit = [&](int64_t, int64_t time, std::string_view, std::string_view row,
                 bool matched) -> Status {
        if (matched) return Status::OK();
        RecordMeta meta;
        meta.timestamp = time;
        RETURN_NOT_OK(AppendStored(side, row, output));
        AppendNulls(other, output);
        FinishRow(meta, output);
        return Status::OK();
      };
    }
    RETURN_NOT_OK(rows.ExpireSpilled(limit, emit));
    for (int64_t index = rows.Oldest(); index >= 0; index = rows.Oldest()) {
      const JoinRowStore::Slot& slot = rows.at(index);
      // Closed once no on-time row of the other side (time >= watermark) can reach it.
      if (watermark_ == INT64_MAX ? false : slot.time > watermark_ - 1 - reach) break;
      if (!slot.matched && emit_unmatched) {
        RecordMeta meta;
        meta.timestamp = slot.time;
        RETURN_NOT_OK(AppendStored(side, slot.row(), output));
        AppendNulls(other, output);
        FinishRow(meta, output);
      }
      rows.RemoveOldest(index);
    }
  }
  return Status::OK();
}

}  // namespace sluice
