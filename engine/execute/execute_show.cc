// SHOW lists and DESCRIBE details, returned as ordinary result sets.

#include <algorithm>

#include "common/clock.h"
#include "engine/execute/describe_state.h"
#include "engine/execute/query_workers.h"
#include "engine/execute/statement_executor.h"
#include "engine/governance/load_access_control.h"
#include "planner/binder/binder.h"
#include "planner/binder/relation_schema.h"
#include "rbac/visibility.h"
#include "runtime/connector/kafka/kafka_client.h"

namespace sluice {

namespace {

Schema TextSchema(std::initializer_list<const char*> names) {
  Schema schema;
  for (const char* name : names) schema.Add(Field{name, DataType::Varchar()});
  return schema;
}

Value Text(std::string text) { return Value::Varchar(std::move(text)); }

std::string JoinOffsets(const std::vector<int64_t>& offsets) {
  std::string text;
  for (size_t i = 0; i < offsets.size(); ++i) text += (i ? "," : "") + std::to_string(offsets[i]);
  return text;
}

}  // namespace

Status StatementExecutor::Show(const ShowStatement& statement) {
  std::vector<std::vector<Value>> rows;
  Schema schema;
  std::lock_guard<std::mutex> lock(engine_.catalog_mutex());
  Binder binder(engine_.catalog(), session_.current_database_, session_.current_schema_);
  Catalog& catalog = engine_.catalog();
  // SHOW lists only what the session's role may see (rbac/visibility.h).
  ASSIGN_OR_RETURN(std::shared_ptr<const rbac::AccessControl> access, engine_.access_control());
  auto visible = [&](rbac::ObjectKind kind, const std::string& name) {
    return rbac::CanSee(*access, session_.role(), {kind, name});
  };
  switch (statement.what) {
    case ShowKind::kDatabases: {
      schema = TextSchema({"name"});
      ASSIGN_OR_RETURN(auto databases, catalog.ListDatabases());
      for (const auto& database : databases) {
        if (visible(rbac::ObjectKind::kDatabase, database.name)) {
          rows.push_back({Text(database.name)});
        }
      }
      break;
    }
    case ShowKind::kSchemas: {
      schema = TextSchema({"name"});
      QualifiedName name;
      name.parts = {session_.current_database_};
      if (statement.scope) name = *statement.scope;
      ASSIGN_OR_RETURN(DatabaseInfo database, binder.BindDatabase(name));
      RETURN_NOT_OK(RequireVisible({rbac::ObjectKind::kDatabase, database.name}, name.position));
      ASSIGN_OR_RETURN(auto schemas, catalog.ListSchemas(database.id));
      for (const auto& item : schemas) {
        if (visible(rbac::ObjectKind::kSchema, database.name + "." + item.name)) {
          rows.push_back({Text(item.name)});
        }
      }
      break;
    }
    case ShowKind::kRelations:
    case ShowKind::kStreams:
    case ShowKind::kChangelogs:
    case ShowKind::kMaterializedViews: {
      schema = TextSchema({"name", "kind"});
      QualifiedName name;
      name.parts = {session_.current_database_, session_.current_schema_};
      if (statement.scope) name = *statement.scope;
      ASSIGN_OR_RETURN(auto bound, binder.BindSchema(name));
      const std::string schema_name = bound.first.name + "." + bound.second.name;
      RETURN_NOT_OK(RequireVisible({rbac::ObjectKind::kSchema, schema_name}, name.position));
      ASSIGN_OR_RETURN(auto relations, catalog.ListRelations(bound.second.id));
      for (const auto& relation : relations) {
        if (!visible(rbac::ObjectKind::kRelation, schema_name + "." + relation.name)) continue;
        bool wanted = statement.what == ShowKind::kRelations ||
                      (statement.what == ShowKind::kStreams &&
                       relation.kind == CatalogRelationKind::kStream) ||
                      (statement.what == ShowKind::kChangelogs &&
                       relation.kind == CatalogRelationKind::kChangelog) ||
                      (statement.what == ShowKind::kMaterializedViews &&
                       relation.kind == CatalogRelationKind::kMaterializedView);
        if (wanted)
          rows.push_back({Text(relation.name), Text(std::string(RelationKindName(relation.kind)))});
      }
      break;
    }
    case ShowKind::kStores: {
      schema = TextSchema({"name", "type"});
      ASSIGN_OR_RETURN(auto stores, catalog.ListStores());
      for (const auto& store : stores) {
        if (visible(rbac::ObjectKind::kStore, store.name)) {
          rows.push_back({Text(store.name), Text(store.type)});
        }
      }
      break;
    }
    case ShowKind::kQueries: {
      schema = Schema({Field{"id", DataType::Bigint()}, Field{"state", DataType::Varchar()},
                       Field{"owner", DataType::Varchar()}, Field{"sink", DataType::Varchar()},
                       Field{"sql", DataType::Varchar()}, Field{"reason", DataType::Varchar()},
                       Field{"restarts", DataType::Integer()},
                       Field{"parallelism", DataType::Integer()}});
      ASSIGN_OR_RETURN(auto queries, catalog.ListQueries());
      for (const auto& query : queries) {
        if (!visible(rbac::ObjectKind::kQuery, std::to_string(query.id))) continue;
        std::string sink;
        if (query.sink_relation_id > 0) {
          Result<std::string> name = catalog.QualifiedRelationName(query.sink_relation_id);
          if (name.ok()) sink = *name;
        }
        const QueryStatus status = engine_.supervisor().Snapshot(query.id);
        std::string reason = query.state_reason;
        // A running query whose worker crashed says so (the supervisor restarts it).
        if (reason.empty() && query.state == QueryState::kRunning) {
          reason = status.state == "RESTARTING" || status.state == "RETRYING" ? status.reason
                   : status.last_crash.empty()                                ? ""
                                               : "restarted after: " + status.last_crash;
        }
        rows.push_back({Value::Bigint(query.id), Text(ShownQueryState(query, status)),
                        Text(query.owner), Text(sink), Text(query.sql),
                        reason.empty() ? Value::Null(DataType::Varchar()) : Text(reason),
                        Value::Integer(status.restart_count),
                        Value::Integer(QueryParallelism(query))});
      }
      break;
    }
    case ShowKind::kTopics: {
      schema =
          Schema({Field{"name", DataType::Varchar()}, Field{"partitions", DataType::Integer()}});
      if (statement.scope && statement.scope->parts.back() != "local") {
        ASSIGN_OR_RETURN(StoreInfo store, binder.BindStore(statement.scope->parts.back(),
                                                           statement.scope->position));
        if (store.type != "kafka") {
          return Status::Binder(
              "store \"" + store.name + "\" (type '" + store.type + "') has no topics",
              statement.scope->position);
        }
        ASSIGN_OR_RETURN(PropertyMap settings, engine_.StoreClientSettings(store));
        Result<std::vector<KafkaTopicInfo>> topics = FetchKafkaTopics(settings);
        if (!topics.ok()) return topics.status().WithPosition(statement.scope->position);
        for (const KafkaTopicInfo& topic : *topics) {
          if (topic.error != RD_KAFKA_RESP_ERR_NO_ERROR) continue;  // listed but not usable
          rows.push_back({Text(topic.name), Value::Integer(topic.partitions)});
        }
        break;
      }
      ASSIGN_OR_RETURN(auto topics, engine_.log().ListTopics());
      for (const auto& topic : topics) {
        ASSIGN_OR_RETURN(bool listed, CanReadTopic(topic, /*select=*/false));
        if (!listed) continue;
        ASSIGN_OR_RETURN(TopicInfo info, engine_.log().GetTopicInfo(topic));
        rows.push_back({Text(topic), Value::Integer(info.partitions)});
      }
      break;
    }
  }
  return EmitRows(schema, rows);
}

Status StatementExecutor::Describe(const DescribeStatement& statement) {
  std::lock_guard<std::mutex> lock(engine_.catalog_mutex());
  Binder binder(engine_.catalog(), session_.current_database_, session_.current_schema_);
  Schema properties_schema = TextSchema({"property", "value"});
  std::vector<std::vector<Value>> properties;
  auto add = [&](std::string key, std::string value) {
    properties.push_back({Text(std::move(key)), Text(std::move(value))});
  };

  if (statement.object_type == ObjectType::kQuery) {
    int64_t query_id = 0;
    for (char c : statement.query_id.name) {
      if (c < '0' || c > '9') {
        return Status::Binder("query ids are numbers (see SHOW QUERIES)",
                              statement.query_id.position);
      }
      query_id = query_id * 10 + (c - '0');
    }
    ASSIGN_OR_RETURN(std::optional<QueryInfo> query, engine_.catalog().FindQuery(query_id));
    if (!query) {
      return Status::Catalog("query " + statement.query_id.name + " does not exist",
                             statement.query_id.position);
    }
    RETURN_NOT_OK(RequireOnQuery(query_id, rbac::Privilege::kMonitor, statement.query_id.position));
    add("id", std::to_string(query->id));
    QueryStatus status = engine_.supervisor().Snapshot(query_id);
    add("state", ShownQueryState(*query, status));
    add("reason", query->state_reason);
    add("owner", query->owner);
    add("sql", query->sql);
    const int parallelism = QueryParallelism(*query);
    add("parallelism", std::to_string(parallelism));
    if (parallelism > 1) {
      for (auto& [key, value] : DescribeQueryWorkers(*query, status)) {
        add(std::move(key), std::move(value));
      }
    } else if (status.pid > 0) {
      add("worker pid", std::to_string(status.pid));
    }
    // The worker's own VmHWM as it last reported it (the largest over a query's workers).
    if (status.peak_rss_bytes > 0) add("peak memory bytes", std::to_string(status.peak_rss_bytes));
    add("records in", std::to_string(status.progress.records_in));
    add("records out", std::to_string(status.progress.records_out));
    add("records failed", std::to_string(status.progress.records_failed));
    if (!status.progress.last_error.empty()) add("last error", status.progress.last_error);
    add("late records", std::to_string(status.progress.late_records));
    if (status.progress.watermark != INT64_MIN) {
      add("watermark", std::to_string(status.progress.watermark));
    }
    if (status.progress.checkpoint_id > 0) {
      const int64_t now_ms = CurrentTimeMillis();
      add("checkpoint", std::to_string(status.progress.checkpoint_id));
      add("checkpoint age ms",
          std::to_string(std::max<int64_t>(0, now_ms - status.progress.checkpoint_at_ms)));
      const int64_t duration_us = status.progress.checkpoint_duration_us;
      add("checkpoint duration ms",
          std::to_string(duration_us / 1000) + "." + std::to_string(duration_us % 1000 / 100));
      add("state size bytes", std::to_string(status.progress.state_size_bytes));
    }
    for (auto& [key, value] : DescribeStateCounters(status.progress.state)) {
      add(std::move(key), std::move(value));
    }
    for (const auto& [topic, positions] : status.progress.positions) {
      add("position " + topic, JoinOffsets(positions));
      auto ends = status.progress.end_offsets.find(topic);
      if (ends != status.progress.end_offsets.end() && ends->second.size() == positions.size()) {
        int64_t lag = 0;
        for (size_t i = 0; i < positions.size(); ++i) lag += ends->second[i] - positions[i];
        add("lag " + topic, std::to_string(lag));
      }
    }
    if (!status.protections.empty()) add("sandbox", status.protections);
    add("restarts", std::to_string(status.restart_count));
    if (!status.last_crash.empty()) add("last crash", status.last_crash);
    if (status.state == "RESTARTING" || status.state == "RETRYING") add("worker", status.reason);
    return EmitRows(properties_schema, properties);
  }

  if (statement.object_type == ObjectType::kStore) {
    ASSIGN_OR_RETURN(StoreInfo store,
                     binder.BindStore(statement.name.parts.back(), statement.name.position));
    RETURN_NOT_OK(RequireVisible({rbac::ObjectKind::kStore, store.name}, statement.name.position));
    add("name", store.name);
    add("type", store.type);
    for (const auto& [key, value] : store.properties) add(key, value);
    return EmitRows(properties_schema, properties);
  }

  if (statement.object_type == ObjectType::kDatabase ||
      statement.object_type == ObjectType::kSchema) {
    return Status::Binder("DESCRIBE takes a relation, QUERY id or STORE name", statement.position);
  }
  ASSIGN_OR_RETURN(BoundRelation bound, binder.BindRelation(statement.name));
  RETURN_NOT_OK(
      RequireVisible({rbac::ObjectKind::kRelation, bound.qualified_name}, statement.name.position));
  Schema columns_schema = TextSchema({"column", "type", "key"});
  std::vector<std::vector<Value>> columns;
  for (const Field& field : bound.relation.columns) {
    bool is_key = std::find(bound.relation.primary_key.begin(), bound.relation.primary_key.end(),
                            field.name) != bound.relation.primary_key.end();
    columns.push_back(
        {Text(field.name), Text(field.type.ToString()), Text(is_key ? "PRIMARY KEY" : "")});
  }
  RETURN_NOT_OK(EmitRows(columns_schema, columns));
  add("name", bound.qualified_name);
  add("kind", std::string(RelationKindName(bound.relation.kind)));
  add("store", bound.store.name);
  for (const auto& [key, value] : bound.relation.properties) {
    if (key != "store") add(key, value);
  }
  add("owner", bound.relation.owner);
  if (bound.relation.kind == CatalogRelationKind::kMaterializedView) {
    RETURN_NOT_OK(DescribeView(bound.relation, add));
  }
  return EmitRows(properties_schema, properties);
}

}  // namespace sluice
