#include "runtime/pipeline/query_runner.h"

#include <filesystem>

#include "runtime/pipeline/pipeline.h"
#include "runtime/pipeline/source_positions.h"

namespace sluice {

Status RunPersistentQuery(std::string_view plan_json, const QueryRunContext& context) {
  ASSIGN_OR_RETURN(std::unique_ptr<PhysicalPlan> plan, PhysicalPlanFromJson(plan_json));
  ASSIGN_OR_RETURN(std::unique_ptr<Pipeline> pipeline,
                   Pipeline::Create(std::move(plan), context.data_dir));
  if (!context.state_dir.empty()) {
    std::error_code error;
    std::filesystem::create_directories(context.state_dir, error);
    if (error) return Status::Storage("cannot create " + context.state_dir + ": " + error.message());
    const std::string positions_path = SourcePositionsPath(context.state_dir);
    ASSIGN_OR_RETURN(std::optional<SourcePositions> saved, LoadSourcePositions(positions_path));
    // Resume where the query left off; positions of another topic (the plan changed) do not apply.
    if (saved && saved->topic == pipeline->source().topic()) {
      RETURN_NOT_OK(pipeline->source().Seek(saved->positions));
    }
    pipeline->set_positions_path(positions_path);
  }
  static const std::atomic<bool> kNeverStop{false};
  return pipeline->Run(context.stop != nullptr ? *context.stop : kNeverStop, context.listener);
}

}  // namespace sluice
