#include "runtime/pipeline/query_runner.h"

#include "runtime/pipeline/pipeline.h"

namespace sluice {

Status RunPersistentQuery(std::string_view plan_json, const QueryRunContext& context) {
  ASSIGN_OR_RETURN(std::unique_ptr<PhysicalPlan> plan, PhysicalPlanFromJson(plan_json));
  ASSIGN_OR_RETURN(std::unique_ptr<Pipeline> pipeline,
                   Pipeline::Create(std::move(plan), context.data_dir));
  static const std::atomic<bool> kNeverStop{false};
  return pipeline->Run(context.stop != nullptr ? *context.stop : kNeverStop, context.listener);
}

}  // namespace sluice
