#pragma once
// EXPLAIN's rendering of a physical plan as rows a person reads: the query's shape (parallelism,
// workers, delivery guarantee, whether it keeps state), then each stage's operators in the order
// rows flow through them, from source to sink. Expressions name their input columns instead of
// the plan's column indexes. The same plan gives the same rows whether it was just planned
// (EXPLAIN SELECT / CREATE / INSERT) or read back from the catalog (EXPLAIN QUERY id); only a
// repartition topic's name is known once the query has an id.

#include <string>
#include <vector>

#include "runtime/plan/physical_plan.h"

namespace sluice {

struct ExplainRow {
  std::string stage;          // "query", "1", "2", "1 (left)", "1 (right)"
  std::string operator_name;  // "Source", "Filter", "Project", "Aggregate", "Join", ...
  std::string details;
};

// `persistent`: the plan of a persistent query (sink, delivery guarantee, checkpoints), else an
// interactive SELECT whose rows go to the client.
std::vector<ExplainRow> ExplainPlan(const PhysicalPlan& plan, bool persistent);

// The columns EXPLAIN answers with: stage, operator, details (all TEXT).
Schema ExplainSchema();

}  // namespace sluice
