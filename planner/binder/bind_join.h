#pragma once
// A JOIN in the FROM clause while it is being bound (bind_join.cc): the two relations, already
// in the caller's scope, and the strategy their kinds call for. Binder::PrepareJoin makes it;
// the caller collects the columns its select list reads; Binder::FinishJoin binds ON and builds
// the LogicalJoin. A plain join SELECT and a GROUP BY over a join share these steps.

#include <string>

#include "planner/binder/binder.h"
#include "runtime/plan/physical_join.h"

namespace sluice {

struct JoinInput {
  const RelationRef* ref = nullptr;
  BoundRelation bound;
  Schema schema;
  std::string alias;
  bool changelog = false;
};

struct JoinBinding {
  const JoinRef* join = nullptr;
  JoinInput inputs[2];
  JoinStrategy strategy = JoinStrategy::kInterval;
  // The query's WHERE (null when none), set by the caller before FinishJoin, which moves the
  // conjuncts that may run below the join there (join_pushdown.h) and leaves the rest in
  // residual_where for the caller to apply to the joined rows (null when nothing is left).
  const Expr* where = nullptr;
  const Expr* residual_where = nullptr;
  ExprPtr residual_storage;  // owns residual_where when it is not `where` itself
};

}  // namespace sluice
