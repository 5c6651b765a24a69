// Persistent queries: their SQL, serialized plan, state and the relations they read and write.

#include "catalog/catalog.h"
#include "catalog/catalog_internal.h"
#include "catalog/catalog_read_cache.h"
#include "catalog/object_codec.h"
#include "common/clock.h"

namespace sluice {

using catalog_internal::Execute;
using catalog_internal::SelectRow;
using catalog_internal::SelectRows;

namespace {

std::string SelectQueries(std::string_view clause) {
  return "SELECT id, sql, plan, state, state_reason, owner, sink_relation_id, properties, "
         "created_at, updated_at FROM queries " +
         std::string(clause);
}

// Reads everything but the sources, which live in query_sources (see AttachSources).
Result<QueryInfo> ReadQuery(const SqliteStatement& row) {
  QueryInfo query;
  query.id = row.Int(0);
  query.sql = row.Text(1);
  query.plan = row.Text(2);
  ASSIGN_OR_RETURN(query.state, ParseQueryState(row.Text(3)));
  query.state_reason = row.Text(4);
  query.owner = row.Text(5);
  query.sink_relation_id = row.IsNull(6) ? 0 : row.Int(6);
  ASSIGN_OR_RETURN(query.properties, DecodeProperties(row.Text(7)));
  query.created_at = row.Int(8);
  query.updated_at = row.Int(9);
  return query;
}

Result<int64_t> ReadId(const SqliteStatement& row) { return row.Int(0); }

Status AttachSources(SqliteConnection& connection, QueryInfo* query) {
  ASSIGN_OR_RETURN(query->source_relation_ids,
                   SelectRows<int64_t>(connection, ReadId,
                                       "SELECT relation_id FROM query_sources WHERE query_id = ? "
                                       "ORDER BY source_idx",
                                       query->id));
  return Status::OK();
}

template <typename... Params>
Result<std::vector<QueryInfo>> LoadQueries(SqliteConnection& connection, std::string_view clause,
                                           const Params&... params) {
  ASSIGN_OR_RETURN(std::vector<QueryInfo> queries,
                   SelectRows<QueryInfo>(connection, ReadQuery, SelectQueries(clause), params...));
  for (QueryInfo& query : queries) RETURN_NOT_OK(AttachSources(connection, &query));
  return queries;
}

Status QueryNotFound(int64_t id) {
  return Status::Catalog("query " + std::to_string(id) + " does not exist (see SHOW QUERIES)");
}

}  // namespace

Result<QueryInfo> Catalog::CreateQuery(const QueryInfo& query) {
  if (query.state != QueryState::kCreated) {
    return Status::Internal("a new query must start in state CREATED, not " +
                            std::string(QueryStateName(query.state)));
  }
  QueryInfo stored = query;
  stored.owner = catalog_internal::OwnerOrDefault(query.owner);
  stored.created_at = CurrentTimeMillis();
  stored.updated_at = stored.created_at;
  RETURN_NOT_OK(RunInTransaction([&]() -> Status {
    std::optional<int64_t> sink;
    if (stored.sink_relation_id != 0) {
      RETURN_NOT_OK(GetRelationById(stored.sink_relation_id).status());
      sink = stored.sink_relation_id;
    }
    for (int64_t relation_id : stored.source_relation_ids) {
      RETURN_NOT_OK(GetRelationById(relation_id).status());
    }
    RETURN_NOT_OK(Execute(
        *connection_,
        "INSERT INTO queries (sql, plan, state, state_reason, owner, "
        "sink_relation_id, properties, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        stored.sql, stored.plan, QueryStateName(stored.state), stored.state_reason, stored.owner,
        sink, EncodeProperties(stored.properties), stored.created_at, stored.updated_at));
    stored.id = connection_->last_insert_rowid();
    for (size_t source_idx = 0; source_idx < stored.source_relation_ids.size(); ++source_idx) {
      RETURN_NOT_OK(Execute(*connection_,
                            "INSERT INTO query_sources (query_id, source_idx, relation_id) "
                            "VALUES (?, ?, ?)",
                            stored.id, static_cast<int64_t>(source_idx),
                            stored.source_relation_ids[source_idx]));
    }
    return Status::OK();
  }));
  return stored;
}

Result<std::optional<QueryInfo>> Catalog::FindQuery(int64_t id) {
  return read_cache_->queries.Get(change_count(), id, [&]() -> Result<std::optional<QueryInfo>> {
    ASSIGN_OR_RETURN(
        std::optional<QueryInfo> query,
        SelectRow<QueryInfo>(*connection_, ReadQuery, SelectQueries("WHERE id = ?"), id));
    if (query) RETURN_NOT_OK(AttachSources(*connection_, &*query));
    return query;
  });
}

Result<QueryInfo> Catalog::GetQuery(int64_t id) {
  ASSIGN_OR_RETURN(std::optional<QueryInfo> query, FindQuery(id));
  if (!query) return QueryNotFound(id);
  return *std::move(query);
}

Result<std::vector<QueryInfo>> Catalog::ListQueries() {
  return LoadQueries(*connection_, "ORDER BY id");
}

Result<std::vector<QueryInfo>> Catalog::ListQueriesByState(QueryState state) {
  return LoadQueries(*connection_, "WHERE state = ? ORDER BY id", QueryStateName(state));
}

Status Catalog::SetQueryState(int64_t id, QueryState state, const std::string& reason) {
  return RunInTransaction([&]() -> Status {
    ASSIGN_OR_RETURN(QueryInfo query, GetQuery(id));
    if (!IsQueryStateChangeAllowed(query.state, state)) {
      const std::string name = "query " + std::to_string(id);
      if (query.state == QueryState::kTerminated) {
        return Status::Catalog(name + " is already TERMINATED; its state cannot change to " +
                               std::string(QueryStateName(state)));
      }
      return Status::Catalog(name + " cannot return to CREATED");
    }
    return Execute(*connection_,
                   "UPDATE queries SET state = ?, state_reason = ?, updated_at = ? WHERE id = ?",
                   QueryStateName(state), reason, CurrentTimeMillis(), id);
  });
}

Status Catalog::SetQueryPlan(int64_t id, const std::string& plan) {
  RETURN_NOT_OK(Execute(*connection_, "UPDATE queries SET plan = ?, updated_at = ? WHERE id = ?",
                        plan, CurrentTimeMillis(), id));
  if (connection_->changes() == 0) return QueryNotFound(id);
  return Status::OK();
}

Status Catalog::SetQueryProperty(int64_t id, const std::string& key, const std::string& value) {
  return RunInTransaction([&]() -> Status {
    ASSIGN_OR_RETURN(QueryInfo query, GetQuery(id));
    query.properties[key] = value;
    return Execute(*connection_, "UPDATE queries SET properties = ?, updated_at = ? WHERE id = ?",
                   EncodeProperties(query.properties), CurrentTimeMillis(), id);
  });
}

Result<std::vector<QueryDependency>> Catalog::ListQueryDependencies(int64_t relation_id) {
  auto read = [](const SqliteStatement& row) -> Result<QueryDependency> {
    QueryDependency dependency;
    dependency.query_id = row.Int(0);
    ASSIGN_OR_RETURN(dependency.state, ParseQueryState(row.Text(1)));
    dependency.reads = row.Int(2) != 0;
    dependency.writes = row.Int(3) != 0;
    return dependency;
  };
  // ?1 is the relation id throughout.
  return read_cache_->dependencies.Get(change_count(), relation_id, [&] {
    return SelectRows<QueryDependency>(
        *connection_, read,
        "SELECT q.id, q.state, "
        "EXISTS (SELECT 1 FROM query_sources s WHERE s.query_id = q.id AND s.relation_id = ?1), "
        "IFNULL(q.sink_relation_id = ?1, 0) "
        "FROM queries q WHERE q.sink_relation_id = ?1 "
        "OR q.id IN (SELECT query_id FROM query_sources WHERE relation_id = ?1) ORDER BY q.id",
        relation_id);
  });
}

Result<std::vector<QueryInfo>> Catalog::ListActiveQueriesUsingRelation(int64_t relation_id) {
  ASSIGN_OR_RETURN(std::vector<QueryDependency> dependencies, ListQueryDependencies(relation_id));
  std::vector<QueryInfo> queries;
  for (const QueryDependency& dependency : dependencies) {
    if (dependency.state == QueryState::kTerminated) continue;
    ASSIGN_OR_RETURN(QueryInfo query, GetQuery(dependency.query_id));
    queries.push_back(std::move(query));
  }
  return queries;
}

}  // namespace sluice
