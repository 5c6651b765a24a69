#pragma once
// The key of a relation created by CREATE CHANGELOG / MATERIALIZED VIEW ... AS SELECT: which of
// the query's output columns identify a row, so updates replace it and deletes remove it.

#include <string>
#include <string_view>
#include <vector>

#include "parser/ast.h"
#include "planner/binder/binder.h"
#include "planner/logical/logical_operator.h"
#include "runtime/plan/physical_plan.h"

namespace sluice {

// The output columns that are the GROUP BY keys (and window bounds), each of which must be
// selected as is. `statement` names the statement in messages ("CREATE CHANGELOG").
Result<std::vector<std::string>> ChangelogKey(const LogicalOperator& plan, int64_t position,
                                              std::string_view statement = "CREATE CHANGELOG");

// REQUIRES: catalog mutex held. The key of a materialized view over `select` (bound as `plan`):
// a GROUP BY's keys (and window bounds); for a projection of a changelog, the changelog's primary
// key (selected as is); for a projection of a stream, none: rows are keyed by the source record's
// partition and offset (an append-only view).
Result<std::vector<std::string>> ViewKey(const LogicalOperator& plan, const SelectStatement& select,
                                         Binder& binder);

// REQUIRES: catalog mutex held. For a view projecting a changelog (keyed by its primary key),
// asks the source to turn the changelog's tombstones into delete rows, so that deleted keys leave
// the view. No-op for other plans (a GROUP BY over a changelog does not retract yet).
Status ApplyChangelogDeletes(Catalog& catalog, int64_t source_relation_id, PhysicalPlan& plan);

}  // namespace sluice
