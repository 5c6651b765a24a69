#include "runtime/pipeline/query_runner.h"

#include <filesystem>

#include "runtime/connector/kafka/kafka_transaction.h"
#include "runtime/connector/repartition_sink.h"
#include "runtime/pipeline/pipeline.h"
#include "runtime/plan/repartition_plan.h"

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
  std::unique_ptr<Sink> sink;  // null: the pipeline builds the plan's sink
  if (plan->repartition_topic.empty()) {
    plan->source.worker_index = context.worker_index;
    plan->source.worker_count = context.worker_count;
  } else {
    // A GROUP BY or join with parallelism: this worker runs one stage (repartition_plan.h).
    ASSIGN_OR_RETURN(RepartitionStage stage, SplitRepartitionedPlan(*plan, context.worker_index));
    plan->source.siblings_kept_running = context.restarted_alone;
    if (plan->join_source) plan->join_source->siblings_kept_running = context.restarted_alone;
    if (!stage.topic.empty()) {
      ASSIGN_OR_RETURN(
          std::unique_ptr<RepartitionSink> repartition,
          RepartitionSink::Open(stage.topic, stage.index, plan->parallelism, stage.rows,
                                std::move(stage.keys), context.data_dir + "/log"));
      repartition->set_announce_caught_up(stage.announce_caught_up);
      repartition->set_forward_event_time(stage.forward_event_time);
      repartition->set_announce_start(stage.stage == 1);
      if (!stage.primary_key.empty()) {
        repartition->RouteByPrimaryKey(
            std::move(stage.primary_key),
            plan->source.relation + " (topic '" + plan->source.topic + "')");
      }
      sink = std::move(repartition);
    }
  }
  if (context.worker_count > 1 && sink == nullptr && plan->sink.kind == SinkKind::kLocalLog) {
    plan->sink.properties[kSharedLocalSinkProperty] = "true";  // N workers append to it
  }
  if (plan->source.store_type != "kafka") {
    // Stage 2 of a repartitioned query reads a local topic: its transactions must not send those
    // positions as Kafka offsets (its state checkpoint holds them, docs/checkpoints.md).
    plan->sink.properties[kSourceOffsetsProperty] = "false";
  }
  if (context.worker_count > 1) {
    // Two producers with one transactional.id fence each other; the consumer group stays
    // shared (each worker commits only its own partitions' offsets).
    auto id = plan->sink.properties.find(kTransactionalIdProperty);
    if (id != plan->sink.properties.end()) {
      id->second += "-worker-" + std::to_string(context.worker_index);
    }
  }
  ASSIGN_OR_RETURN(std::unique_ptr<Pipeline> pipeline,
                   Pipeline::Create(std::move(plan), context.data_dir, std::move(sink)));
  if (!context.state_dir.empty()) {
    std::error_code error;
    std::filesystem::create_directories(context.state_dir, error);
    if (error)
      return Status::Storage("cannot create " + context.state_dir + ": " + error.message());
    RETURN_NOT_OK(pipeline->EnableCheckpoints(context.state_dir));
  }
  static const std::atomic<bool> kNeverStop{false};
  return pipeline->Run(context.stop != nullptr ? *context.stop : kNeverStop, context.listener);
}

}  // namespace sluice
