// Queries: interactive SELECT (run in this process, rows streamed to the client), persistent
// queries (CREATE ... AS SELECT, INSERT INTO ... SELECT: run in a worker process; TERMINATE and
// RESTART: execute_query_control.cc; FLUSH: execute_flush.cc).

#include <chrono>
#include <map>
#include <thread>
#include <utility>

#include "engine/execute/bounded_sources.h"
#include "engine/execute/collect_sink.h"
#include "engine/execute/delivery_guarantee.h"
#include "engine/execute/query_parallelism.h"
#include "engine/execute/relation_key.h"
#include "engine/execute/start_positions.h"
#include "engine/execute/statement_executor.h"
#include "planner/binder/binder.h"
#include "planner/binder/query_properties.h"
#include "planner/binder/relation_schema.h"
#include "planner/logical/logical_aggregate.h"
#include "planner/physical_planner.h"
#include "runtime/connector/connector_factory.h"
#include "runtime/connector/kafka/kafka_client.h"
#include "runtime/expression/expression_factory.h"
#include "runtime/expression/type_rules.h"
#include "runtime/pipeline/pipeline.h"
#include "runtime/plan/repartition_plan.h"
#include "runtime/worker/sandbox.h"
#include "storage/view/view_store.h"

namespace sluice {

namespace {

std::string StatementText(std::string_view text, const Statement& statement) {
  if (statement.begin < 0 || statement.end < statement.begin) return std::string(text);
  return std::string(text.substr(static_cast<size_t>(statement.begin),
                                 static_cast<size_t>(statement.end - statement.begin)));
}

}  // namespace

Status StatementExecutor::Select(const SelectStatement& statement) {
  if (IsAuditLogRead(statement)) return SelectAuditLog(statement);
  if (statement.from && statement.from->kind == FromKind::kRelation) {
    bool view = false;
    {
      std::lock_guard<std::mutex> lock(engine_.catalog_mutex());
      Binder binder(engine_.catalog(), session_.current_database_, session_.current_schema_);
      Result<BoundRelation> from = binder.BindRelation(statement.from->As<RelationRef>().name);
      view = from.ok() && from->relation.kind == CatalogRelationKind::kMaterializedView;
    }
    // Reading a materialized view is a snapshot read (execute_view_read.cc).
    if (view) return SelectFromView(statement);
  }
  std::unique_ptr<PhysicalPlan> plan;
  {
    std::lock_guard<std::mutex> lock(engine_.catalog_mutex());
    ASSIGN_OR_RETURN(plan, PlanSelect(statement));
    // Interactive queries run here, in the engine, which may open the credentials itself.
    for (SourceSpec* source : {&plan->source, plan->join_source ? &*plan->join_source : nullptr}) {
      if (source == nullptr || source->store_type != "kafka") continue;
      ASSIGN_OR_RETURN(StoreInfo store, engine_.catalog().GetStore(source->properties["store"]));
      ASSIGN_OR_RETURN(source->properties, engine_.StoreClientSettings(store));
    }
  }
  Schema output = plan->output_schema();
  ASSIGN_OR_RETURN(std::unique_ptr<Pipeline> pipeline,
                   Pipeline::Create(std::move(plan), engine_.data_dir(),
                                    std::make_unique<CollectSink>(handler_)));
  handler_.OnResultStart(output);
  int64_t rows = 0;
  // Runs until LIMIT, the end of a bounded source, or Ctrl-C (which ends the result normally).
  while (!session_.cancel_requested_.load(std::memory_order_relaxed)) {
    bool idle = false;
    bool finished = false;
    Status status = pipeline->Step(&idle, &finished);
    if (!status.ok()) {
      handler_.OnResultEnd(pipeline->progress().records_out);
      return status;
    }
    if (finished) break;
    if (idle) pipeline->WaitForData(50);
  }
  rows = pipeline->progress().records_out;
  handler_.OnResultEnd(rows);
  return Status::OK();
}

Result<std::unique_ptr<PhysicalPlan>> StatementExecutor::PlanSelect(
    const SelectStatement& statement) {
  Binder binder(engine_.catalog(), session_.current_database_, session_.current_schema_);
  ASSIGN_OR_RETURN(std::unique_ptr<LogicalOperator> logical, binder.BindSelect(statement));
  if (statement.from) RETURN_NOT_OK(RequireSelectOnSources(binder, *statement.from));
  return CreatePhysicalPlan(std::move(logical));
}

namespace {

// A non-windowed GROUP BY updates and deletes rows by key: written to a plain stream its deletes
// would become keyless tombstones and its updates unrelated appends. Refused, as ksqlDB does,
// with the statement that works.
Status RefuseChangelogIntoStream(const LogicalOperator& plan, int64_t position) {
  if (plan.kind() == LogicalOperatorKind::kAggregate) {
    if (plan.As<LogicalAggregate>().window.type == WindowType::kNone) {
      return Status::Binder(
          "a GROUP BY without a window produces a changelog (rows updated and deleted by key), "
          "which a stream cannot hold; use CREATE CHANGELOG name AS SELECT ..., or group by a "
          "window (TUMBLE, HOP, SESSION)",
          position);
    }
    return Status::OK();
  }
  for (const auto& child : plan.children()) {
    RETURN_NOT_OK(RefuseChangelogIntoStream(*child, position));
  }
  return Status::OK();
}

// The relations `from` reads: a windowed FROM wraps one, a JOIN has two.
Status CollectSourceRelations(Binder& binder, const FromItem& from, std::vector<int64_t>* ids) {
  switch (from.kind) {
    case FromKind::kRelation: {
      ASSIGN_OR_RETURN(BoundRelation source, binder.BindRelation(from.As<RelationRef>().name));
      ids->push_back(source.relation.id);
      return Status::OK();
    }
    case FromKind::kWindow: return CollectSourceRelations(binder, *from.As<WindowRef>().input, ids);
    case FromKind::kJoin:
      RETURN_NOT_OK(CollectSourceRelations(binder, *from.As<JoinRef>().left, ids));
      return CollectSourceRelations(binder, *from.As<JoinRef>().right, ids);
  }
  return Status::Internal("unknown FROM item");
}

}  // namespace

Result<std::unique_ptr<PhysicalPlan>> StatementExecutor::PlanPersistentQuery(
    const SelectStatement& select, const BoundRelation& target, std::vector<int64_t>* sources) {
  Binder binder(engine_.catalog(), session_.current_database_, session_.current_schema_);
  ASSIGN_OR_RETURN(std::unique_ptr<LogicalOperator> logical, binder.BindSelect(select));
  if (logical->kind() == LogicalOperatorKind::kLimit) {
    return Status::Binder("a persistent query cannot have a LIMIT", select.limit_position);
  }
  if (target.relation.kind == CatalogRelationKind::kStream) {
    RETURN_NOT_OK(RefuseChangelogIntoStream(*logical, select.position));
  }
  // Rows must fit the target's columns, by position; compatible types are cast.
  Schema target_schema = RelationColumns(target.relation);
  auto& projection = logical->As<LogicalProjection>();
  if (projection.expressions.size() != target_schema.size()) {
    return Status::Binder("the query produces " + std::to_string(projection.expressions.size()) +
                              " columns but \"" + target.qualified_name + "\" has " +
                              std::to_string(target_schema.size()),
                          select.position);
  }
  for (size_t column_idx = 0; column_idx < target_schema.size(); ++column_idx) {
    auto& expression = projection.expressions[column_idx];
    const DataType& wanted = target_schema.field(column_idx).type;
    if (expression->type() == wanted) continue;
    if (!CanImplicitCast(expression->type(), wanted)) {
      return Status::Binder(
          "column " + std::to_string(column_idx + 1) + " of the query is " +
              expression->type().ToString() + " but column \"" +
              target_schema.field(column_idx).name + "\" of \"" + target.qualified_name + "\" is " +
              wanted.ToString(),
          select.items[std::min(column_idx, select.items.size() - 1)].expr->position);
    }
    ASSIGN_OR_RETURN(expression, MakeCast(std::move(expression), wanted, -1));
  }
  ASSIGN_OR_RETURN(std::unique_ptr<PhysicalPlan> plan, CreatePhysicalPlan(std::move(logical)));
  plan->sink.kind = SinkKind::kLocalLog;
  plan->sink.relation = target.qualified_name;
  plan->sink.topic = RelationTopic(target.relation);
  plan->sink.partitions = RelationPartitions(target.relation);
  plan->sink.schema = target_schema;
  ASSIGN_OR_RETURN(plan->sink.key_columns, RelationKeyColumns(target.relation, target_schema));
  if (target.store.type == "kafka") {
    ASSIGN_OR_RETURN(plan->sink, KafkaSinkSpec(target, target_schema));
  }
  RETURN_NOT_OK(CollectSourceRelations(binder, *select.from, sources));
  return plan;
}

// REQUIRES: catalog mutex held.
Status StatementExecutor::LaunchPersistentQuery(std::unique_ptr<PhysicalPlan> plan,
                                                const std::string& sql, int64_t sink_relation_id,
                                                const std::vector<int64_t>& sources) {
  QueryInfo query;
  query.sql = sql;
  query.state = QueryState::kCreated;
  query.owner = session_.role();
  query.sink_relation_id = sink_relation_id;
  query.source_relation_ids = sources;
  ASSIGN_OR_RETURN(query, engine_.catalog().CreateQuery(query));
  plan->query_id = query.id;
  RETURN_NOT_OK(CreateRepartitionTopic(*plan, engine_.log()));
  Status started = StartCreatedQuery(*plan, query.id);
  if (!started.ok()) {
    // The catalog's transaction forgets the query: its repartition topics go too.
    for (const std::string& topic : RepartitionTopics(*plan)) {
      (void)engine_.log().DeleteTopic(topic);
    }
    return started;
  }
  session_.started_queries_.push_back(query.id);
  handler_.OnNotice("query " + std::to_string(query.id) + " started");
  return Status::OK();
}

// REQUIRES: catalog mutex held.
Status StatementExecutor::StartCreatedQuery(PhysicalPlan& plan, int64_t query_id) {
  if (plan.sink.kind == SinkKind::kView) {
    plan.sink.properties["view.dir"] = ViewStoreDir(WorkerStateDir(engine_.data_dir(), query_id));
  }
  SetQueryTransactionIds(plan);
  RETURN_NOT_OK(PinEndPositions(
      plan, engine_.log(), [this](const SourceSpec& source) -> Result<std::vector<int64_t>> {
        auto store = source.properties.find("store");
        if (store == source.properties.end()) {
          return Status::Internal("Kafka source " + source.relation + " names no store");
        }
        ASSIGN_OR_RETURN(StoreInfo info, engine_.catalog().GetStore(store->second));
        ASSIGN_OR_RETURN(PropertyMap settings, engine_.StoreClientSettings(info));
        return FetchKafkaEndOffsets(settings, source.topic);
      }));
  RETURN_NOT_OK(engine_.catalog().SetQueryPlan(query_id, PhysicalPlanToJson(plan)));
  RETURN_NOT_OK(PinStartPositions(plan, engine_.data_dir()));
  return engine_.StartQuery(query_id);
}

Status StatementExecutor::CreateRelationAsSelect(const CreateRelationAsSelectStatement& statement) {
  const bool changelog = statement.relation_kind == RelationKind::kChangelog;
  const bool view = statement.relation_kind == RelationKind::kMaterializedView;
  std::lock_guard<std::mutex> lock(engine_.catalog_mutex());
  Binder binder(engine_.catalog(), session_.current_database_, session_.current_schema_);
  ASSIGN_OR_RETURN(auto target, binder.BindNewRelationName(statement.name));
  const auto& [container, name] = target;
  // EXPLAIN needs the read side's privileges only: it creates nothing.
  if (!explaining()) {
    RETURN_NOT_OK(
        RequireCreateInSchema(container.first, container.second, statement.name.position));
  }
  ASSIGN_OR_RETURN(std::optional<RelationInfo> existing,
                   engine_.catalog().FindRelation(container.second.id, name));
  if (existing) {
    if (statement.if_not_exists) {
      handler_.OnNotice("relation \"" + name + "\" already exists, skipping");
      if (explaining()) return Status::OK();  // nothing would run: no plan
      handler_.OnCommandComplete("CREATE STREAM");
      return Status::OK();
    }
    return Status::Catalog("relation \"" + name + "\" already exists in schema \"" +
                               container.first.name + "." + container.second.name + "\"",
                           statement.name.position);
  }
  // Bind the query first to learn the new relation's columns.
  ASSIGN_OR_RETURN(std::unique_ptr<LogicalOperator> probe, binder.BindSelect(*statement.query));
  if (statement.query->from) RETURN_NOT_OK(RequireSelectOnSources(binder, *statement.query->from));
  Schema columns = probe->schema();
  std::vector<std::string> primary_key;
  if (changelog) {
    ASSIGN_OR_RETURN(primary_key, ChangelogKey(*probe, statement.query->position));
  } else if (view) {
    ASSIGN_OR_RETURN(primary_key, ViewKey(*probe, *statement.query, binder));
  } else {
    RETURN_NOT_OK(RefuseChangelogIntoStream(*probe, statement.query->position));
  }
  // WITH mixes the new relation's properties with the query's own ('delivery.guarantee',
  // 'checkpoint.interval.millis', 'state.cache.max.bytes').
  PropertyList relation_properties;
  ASSIGN_OR_RETURN(DeliveryGuarantee delivery,
                   TakeDeliveryGuarantee(statement.properties, &relation_properties));
  ASSIGN_OR_RETURN(QueryProperties query_properties, TakeQueryProperties(relation_properties));
  ASSIGN_OR_RETURN(auto properties, BindRelationProperties(relation_properties, name, columns));
  ASSIGN_OR_RETURN(StoreInfo store, binder.BindStore(properties["store"], statement.position));
  if (!explaining()) {
    RETURN_NOT_OK(RequireStoreUsage(store, statement.position));
  }
  if (store.type != "local" && store.type != "kafka") {
    return Status::Binder("streams on store type '" + store.type + "' are not supported yet",
                          statement.position);
  }
  if (view && store.type != "local") {
    // The view store sits in the query's state dir; its changelog goes to the local log.
    return Status::Binder(
        "a materialized view keeps its changelog on the local store, not on '" + store.name + "'",
        statement.position);
  }

  // The output topic is made only once the query passed every check that may refuse it, and a
  // local one is deleted again when the statement fails after all: a refused statement leaves
  // nothing behind.
  bool created_local_topic = false;
  Status status = engine_.catalog().RunInTransaction([&]() -> Status {
    bool missing_topic = false;
    if (store.type == "kafka") {
      ASSIGN_OR_RETURN(missing_topic, ResolveKafkaTopic(store, relation_properties, properties,
                                                        statement.position));
    } else {
      ASSIGN_OR_RETURN(missing_topic, CheckLocalTopic(properties));
    }
    RelationInfo relation;
    relation.schema_id = container.second.id;
    relation.name = name;
    relation.kind = view        ? CatalogRelationKind::kMaterializedView
                    : changelog ? CatalogRelationKind::kChangelog
                                : CatalogRelationKind::kStream;
    relation.primary_key = primary_key;
    relation.columns = columns.fields();
    relation.properties = properties;
    relation.store_id = store.id;
    relation.owner = session_.role();
    if (!explaining()) {
      ASSIGN_OR_RETURN(relation, engine_.catalog().CreateRelation(relation));
    }
    BoundRelation bound{container.first, container.second, relation, store,
                        container.first.name + "." + container.second.name + "." + name};
    std::vector<int64_t> sources;
    ASSIGN_OR_RETURN(auto plan, PlanPersistentQuery(*statement.query, bound, &sources));
    // A view's rows go to its store (and its changelog topic, for queries reading the view).
    if (view) {
      plan->sink.kind = SinkKind::kView;
      RETURN_NOT_OK(ApplyChangelogDeletes(engine_.catalog(), sources.at(0), *plan));
    }
    ApplyQueryProperties(query_properties, *plan);
    RETURN_NOT_OK(ApplyParallelism(query_properties, *plan));
    RETURN_NOT_OK(ApplyDeliveryGuarantee(delivery, *plan));
    if (explaining()) {
      *explained_plan_ = std::move(plan);
      return Status::OK();
    }
    if (missing_topic && store.type == "kafka") {
      RETURN_NOT_OK(
          CreateRelationKafkaTopic(store, relation_properties, properties, statement.position));
    } else if (missing_topic) {
      RETURN_NOT_OK(
          engine_.log().CreateTopic(properties["topic"], std::stoi(properties["partitions"])));
      created_local_topic = true;
    }
    return LaunchPersistentQuery(std::move(plan), StatementText(text_, statement), relation.id,
                                 sources);
  });
  if (!status.ok() && created_local_topic) (void)engine_.log().DeleteTopic(properties["topic"]);
  RETURN_NOT_OK(status);
  if (explaining()) return Status::OK();
  handler_.OnCommandComplete(view        ? "CREATE MATERIALIZED VIEW"
                             : changelog ? "CREATE CHANGELOG"
                                         : "CREATE STREAM");
  return Status::OK();
}

Status StatementExecutor::InsertSelect(const InsertSelectStatement& statement) {
  std::lock_guard<std::mutex> lock(engine_.catalog_mutex());
  Binder binder(engine_.catalog(), session_.current_database_, session_.current_schema_);
  ASSIGN_OR_RETURN(BoundRelation target, binder.BindRelation(statement.target));
  if (explaining()) {
    // EXPLAIN writes nothing: the target need only be visible, not writable.
    RETURN_NOT_OK(RequireVisible({rbac::ObjectKind::kRelation, target.qualified_name},
                                 statement.target.position));
  } else {
    RETURN_NOT_OK(RequireOnRelation(target, rbac::Privilege::kInsert, statement.target.position));
  }
  RETURN_NOT_OK(RefuseInsertIntoView(target, statement.target.position));
  if (statement.query->from) RETURN_NOT_OK(RequireSelectOnSources(binder, *statement.query->from));
  if (target.store.type != "local" && target.store.type != "kafka") {
    return Status::Binder(
        "INSERT INTO ... SELECT writes only to relations on the local store "
        "or a Kafka store",
        statement.target.position);
  }
  PropertyList properties;
  ASSIGN_OR_RETURN(DeliveryGuarantee delivery,
                   TakeDeliveryGuarantee(statement.properties, &properties));
  ASSIGN_OR_RETURN(QueryProperties query_properties, TakeQueryProperties(properties));
  if (!properties.empty()) {
    return Status::Binder(
        "INSERT INTO ... WITH (...) takes only query properties "
        "('delivery.guarantee', 'checkpoint.interval.millis', 'parallelism', "
        "'state.cache.max.bytes', 'state.ttl.millis'), not '" +
            properties[0].key + "'",
        properties[0].key_position);
  }
  RETURN_NOT_OK(engine_.catalog().RunInTransaction([&]() -> Status {
    std::vector<int64_t> sources;
    ASSIGN_OR_RETURN(auto plan, PlanPersistentQuery(*statement.query, target, &sources));
    ApplyQueryProperties(query_properties, *plan);
    RETURN_NOT_OK(ApplyParallelism(query_properties, *plan));
    RETURN_NOT_OK(ApplyDeliveryGuarantee(delivery, *plan));
    if (explaining()) {
      *explained_plan_ = std::move(plan);
      return Status::OK();
    }
    return LaunchPersistentQuery(std::move(plan), StatementText(text_, statement),
                                 target.relation.id, sources);
  }));
  if (explaining()) return Status::OK();
  handler_.OnCommandComplete("INSERT INTO");
  return Status::OK();
}

}  // namespace sluice
