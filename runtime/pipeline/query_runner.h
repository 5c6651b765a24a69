#pragma once
// Entry point of the data plane: runs one persistent query's pipeline (source -> operators ->
// sink) until told to stop or until it fails. Called by the worker process; never touches the
// catalog. Progress goes out through a listener so the worker can forward it to the supervisor.

#include <atomic>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "common/status.h"
#include "runtime/operator/state_counters.h"

namespace sluice {

// Opened store credentials: store name -> secret property -> value.
using StoreSecrets = std::map<std::string, std::map<std::string, std::string>>;

// What a running query reports. Positions are the next offsets to read per source partition,
// reported only after every output derived from earlier offsets has been written to the sink, so
// "position >= end offset at FLUSH time" means "processed and visible".
struct QueryProgress {
  int64_t records_in = 0;         // source records read
  int64_t records_out = 0;        // records written to the sink
  int64_t records_failed = 0;     // bad records skipped (IGNORE / IGNORE_AND_LOG)
  std::string last_error;         // most recent skipped-record reason, with topic/partition/offset
  int64_t late_records = 0;       // dropped behind the watermark (stateful queries)
  int64_t watermark = INT64_MIN;  // event time, epoch ms; INT64_MIN: none yet or stateless
  // The last committed checkpoint (stateful persistent queries); checkpoint_id 0: none yet.
  int64_t checkpoint_id = 0;
  int64_t checkpoint_at_ms = 0;        // wall clock of its commit
  int64_t checkpoint_duration_us = 0;  // operator state write + StateStore::Commit
  int64_t state_size_bytes = 0;        // committed state on disk (SST + WAL), approximate
  StateCounters state;                 // group cache, TTL and join spill (stateful queries)
  // source topic -> per-partition next offset
  std::map<std::string, std::vector<int64_t>> positions;
  // source topic -> per-partition end offset seen at the last poll (for lag)
  std::map<std::string, std::vector<int64_t>> end_offsets;
};

class ProgressListener {
 public:
  virtual ~ProgressListener() = default;
  // Called on the pipeline thread after progress (rate-limited to a few per second while busy,
  // and always once when the pipeline catches up and goes idle). Must be cheap.
  virtual void OnProgress(const QueryProgress& progress) = 0;
};

struct QueryRunContext {
  std::string data_dir;  // the engine's data dir (log lives in data_dir/log)
  // The query's own directory (source positions, later state); empty: nothing is saved, and
  // the query starts from its plan's starting position every time.
  std::string state_dir;
  const std::atomic<bool>* stop = nullptr;  // set to ask the pipeline to stop cleanly
  ProgressListener* listener = nullptr;
  // Opened credentials by store name; they replace the "********" placeholders of the plan's
  // source and sink settings (see FillStoreSecrets).
  StoreSecrets store_secrets;
  // 'parallelism': which of the query's workers this is. The source reads only its share of the
  // partitions and an exactly-once sink uses a transactional.id of its own.
  int32_t worker_index = 0;
  int32_t worker_count = 1;
  // Restarted alone after a crash while the query's other workers kept running (a parallel
  // temporal join's stage 2 then keeps the changelog writers' caught-up marks it had read).
  bool restarted_alone = false;
};

// Replaces the redacted values in `properties` (store settings naming their store under
// "store") with the store's entries in `secrets`.
void FillStoreSecrets(const StoreSecrets& secrets, std::map<std::string, std::string>& properties);

// Runs the query described by `plan_json` (a serialized PhysicalPlan). Returns OK when stopped via
// context.stop, or the error that made the query fail (e.g. a bad record under TERMINATE, with the
// topic, partition and offset in the message).
Status RunPersistentQuery(std::string_view plan_json, const QueryRunContext& context);

}  // namespace sluice
