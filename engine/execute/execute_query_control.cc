// TERMINATE QUERY and RESTART QUERY. A terminated query keeps its checkpoints (and a
// repartitioned GROUP BY its repartition topic), so RESTART QUERY resumes it where it stopped
// as long as the relations it reads and writes still exist; dropping one of them deletes its
// repartition topic (DropRelationCascade).

#include "engine/execute/query_parallelism.h"
#include "engine/execute/statement_executor.h"

namespace sluice {

namespace {

// A terminated query's property naming the relation it used that was dropped since.
constexpr const char* kDroppedRelationProperty = "dropped.relation";

Result<int64_t> ParseQueryId(const Identifier& id) {
  int64_t value = 0;
  for (char c : id.name) {
    if (c < '0' || c > '9' || value > (int64_t{1} << 50)) {
      return Status::Binder("query ids are numbers (see SHOW QUERIES), got \"" + id.name + "\"",
                            id.position);
    }
    value = value * 10 + (c - '0');
  }
  if (id.name.empty()) return Status::Binder("missing query id", id.position);
  return value;
}

}  // namespace

Result<QueryInfo> StatementExecutor::FindOperableQuery(const Identifier& id,
                                                       rbac::Privilege privilege) {
  ASSIGN_OR_RETURN(int64_t query_id, ParseQueryId(id));
  ASSIGN_OR_RETURN(std::optional<QueryInfo> query, engine_.catalog().FindQuery(query_id));
  if (!query) {
    return Status::Catalog("query " + std::to_string(query_id) + " does not exist", id.position);
  }
  RETURN_NOT_OK(RequireOnQuery(query_id, privilege, id.position));
  return *std::move(query);
}

// REQUIRES: catalog mutex held; `query` TERMINATED.
Status StatementExecutor::RequireResumable(const QueryInfo& query, int64_t position) {
  const std::string name = "query " + std::to_string(query.id);
  // Dropping a relation releases the terminated queries using it (the catalog then forgets the
  // link; DropRelationCascade notes which relation went).
  auto dropped = query.properties.find(kDroppedRelationProperty);
  if (dropped != query.properties.end() || query.sink_relation_id == 0 ||
      query.source_relation_ids.empty()) {
    const std::string which = dropped != query.properties.end() ? " (" + dropped->second + ")" : "";
    return Status::Execution(name + " cannot resume: a relation it reads or writes" + which +
                                 " was dropped after it was terminated; create the query again",
                             position);
  }
  for (const std::string& topic : PlanRepartitionTopics(query.plan)) {
    ASSIGN_OR_RETURN(bool exists, engine_.log().TopicExists(topic));
    if (exists) continue;
    return Status::Execution(name + " cannot resume: its repartition topic '" + topic +
                                 "' no longer exists (the rows between its stages are "
                                 "lost); create the query again",
                             position);
  }
  return Status::OK();
}

// REQUIRES: catalog mutex held; the queries using `relation` TERMINATED.
Status StatementExecutor::ReleaseTerminatedQueries(const RelationInfo& relation) {
  ASSIGN_OR_RETURN(std::vector<QueryDependency> dependents,
                   engine_.catalog().ListQueryDependencies(relation.id));
  ASSIGN_OR_RETURN(std::string name, engine_.catalog().QualifiedRelationName(relation.id));
  for (const QueryDependency& dependent : dependents) {
    RETURN_NOT_OK(
        engine_.catalog().SetQueryProperty(dependent.query_id, kDroppedRelationProperty, name));
    ASSIGN_OR_RETURN(QueryInfo query, engine_.catalog().GetQuery(dependent.query_id));
    for (const std::string& topic : PlanRepartitionTopics(query.plan)) {
      ASSIGN_OR_RETURN(bool exists, engine_.log().TopicExists(topic));
      if (exists) RETURN_NOT_OK(engine_.log().DeleteTopic(topic));
    }
  }
  return Status::OK();
}

Status StatementExecutor::StopQuery(int64_t query_id, const std::string& reason) {
  engine_.supervisor().Stop(query_id);
  // A repartitioned GROUP BY keeps its repartition topic: the rows stage 1 wrote and stage 2 has
  // not read yet are part of its checkpointed state, which RESTART QUERY resumes from.
  return engine_.catalog().SetQueryState(query_id, QueryState::kTerminated, reason);
}

Status StatementExecutor::TerminateQuery(const TerminateQueryStatement& statement) {
  std::lock_guard<std::mutex> lock(engine_.catalog_mutex());
  ASSIGN_OR_RETURN(QueryInfo query, FindOperableQuery(statement.query_id));
  const int64_t query_id = query.id;
  if (query.state == QueryState::kTerminated) {
    handler_.OnNotice("query " + std::to_string(query_id) + " is already terminated");
  } else {
    RETURN_NOT_OK(StopQuery(query_id, "terminated by TERMINATE QUERY"));
  }
  handler_.OnCommandComplete("TERMINATE QUERY");
  return Status::OK();
}

Status StatementExecutor::RestartQuery(const RestartQueryStatement& statement) {
  std::lock_guard<std::mutex> lock(engine_.catalog_mutex());
  ASSIGN_OR_RETURN(QueryInfo query, FindOperableQuery(statement.query_id));
  const int64_t query_id = query.id;
  if (query.state == QueryState::kTerminated) {
    RETURN_NOT_OK(RequireResumable(query, statement.query_id.position));
  }
  RETURN_NOT_OK(RequireOwnerRights(query, statement.query_id.position));
  engine_.supervisor().Stop(query_id);
  RETURN_NOT_OK(engine_.StartQuery(query_id));
  session_.started_queries_.push_back(query_id);
  handler_.OnCommandComplete("RESTART QUERY");
  return Status::OK();
}

}  // namespace sluice
