#include "runtime/pipeline/query_runner.h"

#include <filesystem>

#include "runtime/pipeline/pipeline.h"
#include "runtime/pipeline/source_positions.h"

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
    std::error_code error;
    std::filesystem::create_directories(context.state_dir, error);
    if (error)
      return Status::Storage("cannot create " + context.state_dir + ": " + error.message());
    const std::string positions_path = SourcePositionsPath(context.state_dir);
    ASSIGN_OR_RETURN(std::optional<SourcePositions> saved, LoadSourcePositions(positions_path));
    // Resume where the query left off; positions of another topic (the plan changed) do not apply.
    if (saved && saved->topic == pipeline->source().topic()) {
      RETURN_NOT_OK(pipeline->source().Seek(saved->positions));
    }
    if (pipeline->stateful()) {
      // State and positions are committed together; positions.json then only ever holds the
      // start positions the engine pinned at CREATE (read above when no checkpoint exists).
      RETURN_NOT_OK(pipeline->EnableCheckpoints(context.state_dir + "/state"));
    } else {
      pipeline->set_positions_path(positions_path);
    }
  }
  static const std::atomic<bool> kNeverStop{false};
  return pipeline->Run(context.stop != nullptr ? *context.stop : kNeverStop, context.listener);
}

}  // namespace sluice
