#pragma once
// Helpers shared by the materialized view statements (reads, DESCRIBE, DROP): which query
// maintains a view and where the engine keeps its reader's files.

#include <cstdint>
#include <string>

#include "catalog/catalog.h"

namespace sluice {

struct ViewMaintainer {
  int64_t query_id = 0;
  QueryState state = QueryState::kCreated;
  std::string reason;
};

// REQUIRES: catalog mutex held. The query writing `view` (its store lives in its state dir).
Result<ViewMaintainer> FindViewMaintainer(Catalog& catalog, const RelationInfo& view);

// Where this engine process keeps its secondary instance of the view store of `query_id`.
std::string ViewSecondaryDir(const std::string& data_dir, int64_t query_id);

}  // namespace sluice
