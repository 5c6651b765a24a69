#include "runtime/pipeline/query_runner.h"

#include "runtime/pipeline/pipeline.h"

namespace sluice {

void FillStoreSecrets(const StoreSecrets& secrets, std::map<std::string, std::string>& properties) {
  auto store = properties.find("store");
  if (store == properties.end()) return;
  auto found = secrets.find(store->second);
  if (found == secrets.end()) return;
  for (const auto& [key, value] : found->second) properties[key] = value;
}

Status RunPersistentQuery(std::string_view plan_json, const QueryRunContext& context) {
  ASSIGN_OR_RETURN(std::unique_ptr<PhysicalPlan> plan, PhysicalPlanFromJson(plan_json));
  FillStoreSecrets(context.store_secrets, plan->source.properties);
  if (plan->join_source) FillStoreSecrets(context.store_secrets, plan->join_source->properties);
  FillStoreSecrets(context.store_secrets, plan->sink.properties);
  ASSIGN_OR_RETURN(std::unique_ptr<Pipeline> pipeline,
                   Pipeline::Create(std::move(plan), context.data_dir));
  if (!context.state_dir.empty()) {
    RETURN_NOT_OK(pipeline->EnableCheckpoints(context.state_dir));
  }
  static const std::atomic<bool> kNeverStop{false};
  return pipeline->Run(context.stop != nullptr ? *context.stop : kNeverStop, context.listener);
}

}  // namespace sluice
