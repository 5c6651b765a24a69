// See start_positions.h.

#include "engine/execute/start_positions.h"

#include <filesystem>

#include "runtime/connector/connector_factory.h"
#include "runtime/pipeline/source_positions.h"
#include "runtime/worker/sandbox.h"

namespace sluice {

Status PinStartPositions(const PhysicalPlan& plan, const std::string& data_dir) {
  if (plan.source.store_type != "local") return Status::OK();
  if (plan.source.start_at_earliest && plan.source.start_timestamp_ms < 0) return Status::OK();
  // Stage 1 workers (0..N-1) are the ones reading the source when the plan is repartitioned.
  for (int32_t worker = 0; worker < plan.parallelism; ++worker) {
    SourceSpec spec = plan.source;
    spec.worker_index = worker;
    spec.worker_count = plan.parallelism;
    ASSIGN_OR_RETURN(std::unique_ptr<Source> source, CreateSource(spec, data_dir));
    const std::string state_dir =
        WorkerInstanceStateDir(data_dir, plan.query_id, worker, plan.worker_count());
    std::error_code error;
    std::filesystem::create_directories(state_dir, error);
    if (error) return Status::Storage("cannot create " + state_dir + ": " + error.message());
    RETURN_NOT_OK(SaveSourcePositions(SourcePositionsPath(state_dir),
                                      SourcePositions{source->topic(), source->positions()}));
  }
  return Status::OK();
}

}  // namespace sluice
