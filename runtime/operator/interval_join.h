#pragma once
// Runs an interval join of two streams: a left row at time t and a right row at time u match when
// their keys are equal, u lies in [t - before, t + after] and the rest of ON holds. Each arriving
// row probes the rows the other side buffers, then is buffered itself until the join's watermark
// passes the end of its interval (left: t + after, right: u + before): no later on-time row of the
// other side can match it then, so it is purged, and an outer join emits it with NULLs if it never
// matched. The state is therefore bounded by the rows of one interval's width.
//
// Output event time: the larger of the two rows' times for a match (the moment both existed);
// the row's own time for an outer row.

#include <cstdint>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "runtime/operator/join_operator.h"

namespace sluice {

class IntervalJoinOperator final : public JoinOperator {
 public:
  IntervalJoinOperator(const PhysicalJoin& plan, EvalContext& context);

  Status ProcessSide(JoinSide side, const RecordBatch& input,
                     const std::vector<int64_t>& watermark_before_row,
                     RecordBatch& output) override;
  Status AdvanceWatermark(int64_t watermark, RecordBatch& output) override;
  // State table: 'L' or 'R' + row id + join key -> the row (interval_join_state.cc).
  Status AttachState(StateTable* table) override;
  // Incremental: puts rows added or newly matched since the last checkpoint and deletes rows
  // purged since, so its cost follows the input rate, not the state size.
  Status PrepareCheckpoint() override;
  size_t state_rows() const override { return sides_[0].rows.size() + sides_[1].rows.size(); }

 private:
  struct Buffered {
    std::string key;
    JoinRow row;  // row.flag: matched at least once
    bool persisted = false;
  };
  struct SideState {
    std::unordered_map<int64_t, Buffered> rows;  // by row id
    std::unordered_map<std::string, std::vector<int64_t>> by_key;
    std::set<std::pair<int64_t, int64_t>> by_time;  // (event time, id): purge order
  };
  struct Candidate {
    int64_t left_id;
    int64_t right_id;
  };

  // How far past its own time a side's row can still meet on-time rows of the other side.
  int64_t Reach(JoinSide side) const {
    return side == JoinSide::kLeft ? plan_.after_ms : plan_.before_ms;
  }
  SideState& state(JoinSide side) { return sides_[static_cast<int>(side)]; }
  int64_t Insert(JoinSide side, std::string key, JoinRow row);
  void Remove(JoinSide side, int64_t id);
  // Applies the rest of ON to candidates_, marks the survivors' rows matched, and moves them to
  // `output`.
  Status EmitCandidates(RecordBatch& output);
  static std::string TableKey(JoinSide side, int64_t id, const std::string& key);

  SideState sides_[2];
  int64_t next_id_ = 1;
  RecordBatch candidates_;  // pairs found in the current batch, output schema
  std::vector<Candidate> candidate_ids_;
  // Incremental checkpoints: (side, id) put or deleted at the next PrepareCheckpoint.
  StateTable* table_ = nullptr;
  // (side, id) of rows added or newly matched; may repeat, and may name rows purged since.
  std::vector<std::pair<int, int64_t>> dirty_;
  std::vector<std::string> deleted_;  // table keys of persisted rows purged since

  std::unique_ptr<JoinRowCodec> codecs_[2];
};

}  // namespace sluice
