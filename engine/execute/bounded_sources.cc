#include "engine/execute/bounded_sources.h"

#include <algorithm>
#include <memory>

namespace sluice {

Status PinEndPositions(PhysicalPlan& plan, LocalLogStore& log, const KafkaEndsFn& kafka_ends) {
  for (SourceSpec* source : {&plan.source, plan.join_source ? &*plan.join_source : nullptr}) {
    if (source == nullptr || !source->end_at_latest) continue;
    if (source->store_type == "local") {
      ASSIGN_OR_RETURN(source->end_offsets, log.EndOffsets(source->topic));
    } else if (source->store_type == "kafka") {
      ASSIGN_OR_RETURN(source->end_offsets, kafka_ends(*source));
    }
  }
  return Status::OK();
}

void CapAtFixedEnds(const std::string& plan_json,
                    std::map<std::string, std::vector<int64_t>>& targets) {
  if (plan_json.find("\"end_at_latest\"") == std::string::npos) return;  // no bounded source
  Result<std::unique_ptr<PhysicalPlan>> plan = PhysicalPlanFromJson(plan_json);
  if (!plan.ok()) return;
  const PhysicalPlan& parsed = **plan;
  for (const SourceSpec* source :
       {&parsed.source, parsed.join_source ? &*parsed.join_source : nullptr}) {
    if (source == nullptr || !source->end_at_latest) continue;
    auto target = targets.find(source->topic);
    if (target == targets.end()) continue;
    for (size_t partition = 0;
         partition < std::min(target->second.size(), source->end_offsets.size()); ++partition) {
      target->second[partition] =
          std::min(target->second[partition], source->end_offsets[partition]);
    }
  }
}

}  // namespace sluice
