#pragma once
// The stateful part of a pipeline as the checkpoint coordinator sees it: an aggregate's
// StatefulStage or a join's JoinStage. Called only at restore and at checkpoints, never per
// batch, so the virtual calls cost nothing on the hot path.

#include <map>
#include <string>
#include <vector>

#include "common/status.h"
#include "runtime/connector/source.h"
#include "runtime/operator/state_counters.h"
#include "storage/state/state_store.h"

namespace sluice {

class CheckpointedStage {
 public:
  virtual ~CheckpointedStage() = default;
  // Keeps the operator's state in `store`, restoring what its last checkpoint holds.
  // REQUIRES: before the first batch.
  [[nodiscard]] virtual Status AttachState(StateStore& store) = 0;
  // The checkpoint barrier: writes in-memory operator state to its table.
  [[nodiscard]] virtual Status PrepareCheckpoint() = 0;
  // Watermarks into / out of the manifest's metadata ("watermark", and per side for a join).
  virtual void SaveMetadata(std::map<std::string, std::string>& metadata) const = 0;
  virtual void RestoreMetadata(const std::map<std::string, std::string>& metadata) = 0;
  // Sources the stage reads besides the pipeline's own (a join's right side), each with the key
  // of its positions in the manifest.
  virtual std::vector<std::pair<std::string, Source*>> extra_sources() { return {}; }
  // Roughly the bytes the next checkpoint writes, when the stage tracks it: past a limit the
  // checkpoint is taken early, since everything it writes is held in memory until it commits.
  virtual size_t unsaved_bytes() const { return 0; }
  // The stage's in-memory state has outgrown its budget and shrinks at a checkpoint (a GROUP BY
  // over a changelog evicts then): the checkpoint is taken early.
  virtual bool over_memory_budget() const { return false; }
  // What the stage's operators counted since the worker started (for DESCRIBE QUERY; the
  // coordinator adds the totals restored from the last checkpoint).
  virtual int64_t late_records() const { return 0; }
  virtual void AddStateCounters(StateCounters& counters) const {}
};

}  // namespace sluice
