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
#include <deque>
#include <functional>
#include <map>
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
  // State table: 'B' + block id -> a block of versions (temporal_join_state.cc).
  Status AttachState(StateTable* table) override;
  // Incremental: writes the versions added since the last checkpoint as new blocks, one write
  // per 4096 versions, and rewrites blocks that lost more than half of their versions.
  Status PrepareCheckpoint() override;
  size_t state_rows() const override { return version_count_; }

 private:
  Status ApplyChanges(const RecordBatch& input);
  Status JoinStream(const RecordBatch& input, const std::vector<int64_t>& watermark_before_row,
                    RecordBatch& output);
  // Queues the key in `slot`, just given a version, for a purge once the watermark passes its
  // newest version, when every older one goes. A key's only version is never purged unless it
  // is a delete (it answers every lookup from its time on), so such a key is not queued: a
  // changelog of inserts (one version per key) then costs the queue nothing.
  void QueuePurge(int64_t slot);
  // Drops the versions of the key in `slot` no on-time stream row can pick any more.
  void PurgeKey(int64_t slot);
  // Erases versions [first, last) of `key`.
  void Erase(VersionTable::Key& key, size_t first, size_t last);

  // Checkpoint blocks: the versions written at one checkpoint (at most kBlockVersions). A block
  // keeps what it holds until it is rewritten; a version purged or replaced since only lowers the
  // block's live count. Restoring such a stale version is harmless: a purged version can never be
  // picked by an on-time stream row (a newer one at or before the watermark exists) and goes again
  // at the first watermark; a replaced one is replaced again by its newer block. A block whose
  // live versions fall below half is rewritten, which bounds the stale bytes.
  struct Block {
    int64_t live = 0;
    int64_t total = 0;
    bool sparse = false;                               // queued in sparse_
    std::vector<std::pair<int64_t, int64_t>> members;  // (time, slot) of each version written
  };
  static constexpr int64_t kBlockVersions = 4096;
  // `version` no longer is what its block holds (purged or replaced).
  void Unblock(VersionTable::Version& version);
  Status WritePending();
  static std::string BlockKey(int64_t id);

  VersionTable versions_;
  size_t version_count_ = 0;
  // (time, slot) per version added to a key that has others, or is a delete (QueuePurge): the
  // slot's key is purged once the watermark passes the time. A slot freed (or reused by another
  // key) since is harmless: purging any key is safe.
  // Changes mostly come in time order, so entries are mostly queued in time order too: those
  // go to a FIFO (in_order_purges_, O(1) each), the others to a heap; AdvanceWatermark takes from
  // both (the order keys are purged in does not matter: each key's purge is its own).
  using TimeAndSlot = std::pair<int64_t, int64_t>;
  std::deque<TimeAndSlot> in_order_purges_;  // by time, ascending
  std::priority_queue<TimeAndSlot, std::vector<TimeAndSlot>, std::greater<>> purge_queue_;
  RecordBatch candidates_;
  std::string key_;
  std::vector<uint64_t> hashes_;  // per stream row of the batch being joined
  StateTable* table_ = nullptr;
  std::vector<TimeAndSlot> pending_;  // versions to write (those still unwritten by then)
  std::map<int64_t, Block> blocks_;   // by id
  std::vector<int64_t> sparse_;       // blocks to rewrite
  int64_t next_block_ = 1;
  std::string encoded_;
};

}  // namespace sluice
