#pragma once
// The run-time side of a stateful physical operator (window aggregate, group aggregate, joins).
// The physical operator stays immutable; this object holds what changes as records arrive, keeps
// hot keys in memory, and writes them to its StateTable when the pipeline checkpoints, so the
// checkpoint captures operator state, source positions and sink positions together.

#include <cstdint>

#include "common/batch.h"
#include "common/status.h"
#include "common/types.h"
#include "runtime/operator/state_counters.h"

namespace sluice {

class StatefulOperator {
 public:
  virtual ~StatefulOperator() = default;
  // Consumes `input` (the operator's input schema) and appends the rows it produces now to
  // `output` (its output schema): every update under EMIT CHANGES, nothing for a windowed
  // aggregate waiting for its window to close.
  [[nodiscard]] virtual Status Process(const RecordBatch& input, RecordBatch& output) = 0;
  // Event time has advanced to `watermark` (epoch ms): emits what it closes, purges what expires.
  [[nodiscard]] virtual Status AdvanceWatermark(int64_t watermark, RecordBatch& output) = 0;
  // Writes in-memory state to the operator's StateTable. REQUIRES: called by the pipeline right
  // before StateStore::Commit, between batches (the barrier of a single-threaded pipeline).
  [[nodiscard]] virtual Status PrepareCheckpoint() = 0;
  // Records dropped because they arrived behind the watermark for a closed window or interval.
  virtual int64_t late_records() const { return 0; }
  // Adds what its bounded-memory state did (evictions, expirations, spills) to `counters`.
  virtual void AddStateCounters(StateCounters& counters) const {}
  virtual const Schema& output_schema() const = 0;
};

}  // namespace sluice
