#pragma once
// Runs a temporal join of a stream (left) with a changelog (right): each stream row at time t
// meets the changelog's row for its key as of t, the version with the largest time <= t, unless
// that version is a delete (a tombstone). The changelog side only updates versions; the stream
// side only probes, so a stream row is joined (or, LEFT, emitted with NULLs) when it arrives.
//
// Versions are kept per key; once the stream's watermark passes a version's time, every version
// older than the newest one at or before the watermark can no longer be picked by an on-time
// stream row, and is purged (a delete that is the newest goes too). Output event time: the
// stream row's.

#include <cstdint>
#include <functional>
#include <queue>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "runtime/operator/join_operator.h"
#include "runtime/operator/version_table.h"

namespace sluice {

class TemporalJoinOperator final : public JoinOperator {
 public:
  TemporalJoinOperator(const PhysicalJoin& plan, EvalContext& context);

  Status ProcessSide(JoinSide side, const RecordBatch& input,
                     const std::vector<int64_t>& watermark_before_row,
                     RecordBatch& output) override;
  Status AdvanceWatermark(int64_t watermark, RecordBatch& output) override;
  // State table: 'V' + version time + join key -> the version (row.flag: a delete).
  Status AttachState(StateTable* table) override;
  // Incremental: puts versions added and deletes versions purged since the last checkpoint.
  Status PrepareCheckpoint() override;
  size_t state_rows() const override { return version_count_; }

 private:
  Status ApplyChanges(const RecordBatch& input);
  Status JoinStream(const RecordBatch& input, const std::vector<int64_t>& watermark_before_row,
                    RecordBatch& output);
  // Drops the versions of the key in `slot` no on-time stream row can pick any more.
  void PurgeKey(int64_t slot);
  // Erases versions [first, last) of `key`.
  void Erase(VersionTable::Key& key, size_t first, size_t last);
  static std::string TableKey(int64_t time, std::string_view key);

  VersionTable versions_;
  size_t version_count_ = 0;
  // (time, slot) per version added: the slot's key is purged once the watermark passes the
  // time. A slot freed (or reused by another key) since is harmless: purging any key is safe.
  using TimeAndSlot = std::pair<int64_t, int64_t>;
  std::priority_queue<TimeAndSlot, std::vector<TimeAndSlot>, std::greater<>> purge_queue_;
  RecordBatch candidates_;
  std::string key_;
  StateTable* table_ = nullptr;
  std::vector<TimeAndSlot> dirty_;    // versions to put if not persisted by then
  std::vector<std::string> deleted_;  // table keys to delete
};

}  // namespace sluice
