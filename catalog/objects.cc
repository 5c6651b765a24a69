#include "catalog/objects.h"

namespace sluice {

std::string_view RelationKindName(CatalogRelationKind kind) {
  switch (kind) {
    case CatalogRelationKind::kStream: return "STREAM";
    case CatalogRelationKind::kChangelog: return "CHANGELOG";
    case CatalogRelationKind::kMaterializedView: return "MATERIALIZED VIEW";
  }
  return "RELATION";
}

std::string_view RelationKindWord(CatalogRelationKind kind) {
  switch (kind) {
    case CatalogRelationKind::kStream: return "stream";
    case CatalogRelationKind::kChangelog: return "changelog";
    case CatalogRelationKind::kMaterializedView: return "materialized view";
  }
  return "relation";
}

Result<CatalogRelationKind> ParseRelationKind(std::string_view name) {
  for (CatalogRelationKind kind : {CatalogRelationKind::kStream, CatalogRelationKind::kChangelog,
                                   CatalogRelationKind::kMaterializedView}) {
    if (RelationKindName(kind) == name) return kind;
  }
  return Status::Catalog("unknown relation kind \"" + std::string(name) + "\" in the catalog");
}

std::string_view QueryStateName(QueryState state) {
  switch (state) {
    case QueryState::kCreated: return "CREATED";
    case QueryState::kRunning: return "RUNNING";
    case QueryState::kFailed: return "FAILED";
    case QueryState::kTerminated: return "TERMINATED";
  }
  return "UNKNOWN";
}

Result<QueryState> ParseQueryState(std::string_view name) {
  for (QueryState state :
       {QueryState::kCreated, QueryState::kRunning, QueryState::kFailed, QueryState::kTerminated}) {
    if (QueryStateName(state) == name) return state;
  }
  return Status::Catalog("unknown query state \"" + std::string(name) + "\" in the catalog");
}

bool IsQueryStateChangeAllowed(QueryState from, QueryState to) {
  // RESTART QUERY starts a terminated query again (RUNNING, or FAILED when it cannot start).
  if (from == QueryState::kTerminated)
    return to == QueryState::kRunning || to == QueryState::kFailed;
  return to != QueryState::kCreated;
}

}  // namespace sluice
