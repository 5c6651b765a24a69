// See start_positions.h.

#include "engine/execute/start_positions.h"

#include <filesystem>

#include "runtime/connector/connector_factory.h"
#include "runtime/pipeline/source_positions.h"
#include "runtime/worker/sandbox.h"

namespace sluice {

namespace {

// Saves worker `worker`'s start on `source`, reading partitions p % readers == index.
Status PinWorker(const PhysicalPlan& plan, const SourceSpec& source, int32_t index, int32_t readers,
                 int32_t worker, const std::string& data_dir) {
  SourceSpec spec = source;
  spec.worker_index = index;
  spec.worker_count = readers;
  ASSIGN_OR_RETURN(std::unique_ptr<Source> opened, CreateSource(spec, data_dir));
  const std::string state_dir =
      WorkerInstanceStateDir(data_dir, plan.query_id, worker, plan.worker_count());
  std::error_code error;
  std::filesystem::create_directories(state_dir, error);
  if (error) return Status::Storage("cannot create " + state_dir + ": " + error.message());
  return SaveSourcePositions(SourcePositionsPath(state_dir),
                             SourcePositions{opened->topic(), opened->positions()});
}

bool Pinned(const SourceSpec& source) {
  return source.store_type == "local" &&
         !(source.start_at_earliest && source.start_timestamp_ms < 0);
}

}  // namespace

Status PinStartPositions(const PhysicalPlan& plan, const std::string& data_dir) {
  // Stage 1 workers (0..N-1; a join's right side N..2N-1) are the ones reading the sources
  // when the plan is repartitioned.
  const int32_t workers = plan.parallelism;
  if (Pinned(plan.source)) {
    for (int32_t index = 0; index < workers; ++index) {
      RETURN_NOT_OK(PinWorker(plan, plan.source, index, workers, index, data_dir));
    }
  }
  if (plan.join_source && !plan.repartition_topic.empty() && Pinned(*plan.join_source)) {
    for (int32_t index = 0; index < workers; ++index) {
      RETURN_NOT_OK(PinWorker(plan, *plan.join_source, index, workers, workers + index, data_dir));
    }
  }
  return Status::OK();
}

}  // namespace sluice
