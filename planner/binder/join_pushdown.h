#pragma once
// Which conjuncts of a join's ON and WHERE may run below the join, on one side's rows before they
// are buffered or probed (docs/joins.md#filters-below-the-join). A conjunct qualifies when it
// reads one side only and dropping that side's failing rows early cannot change the result:
//
//   join   WHERE conjunct over      ON conjunct over
//   INNER  either side              either side
//   LEFT   the left side            the right side (it only restricts matches)
//   RIGHT  the right side           the left side
//   FULL   neither                  neither
//
// A WHERE conjunct over an outer join's null-supplying side must still see the NULL-extended
// rows, and an ON conjunct over a preserved side must not turn its rows into non-rows, so those
// stay where they were.

#include <cstddef>
#include <set>
#include <vector>

#include "common/status.h"
#include "parser/ast.h"
#include "planner/binder/bind_scope.h"
#include "runtime/plan/physical_join.h"

namespace sluice {

// `a AND b AND c` -> {a, b, c}; anything else is one conjunct.
void SplitConjuncts(const Expr& expr, std::vector<const Expr*>& out);

// Pass 1 for `expr`: marks its columns used and returns which relations of `scope` it reads.
Result<std::set<size_t>> ReferencedRelations(const Expr& expr, BindScope& scope);

// True when a conjunct over side `side_idx` (0 left, 1 right) alone may be applied to that
// side's rows before a `type` join (`in_on`: it is part of ON, else of WHERE).
bool CanPushBelowJoin(JoinType type, size_t side_idx, bool in_on);

// The conjunction of `conjuncts` (cloned), or null when there are none.
ExprPtr Conjoin(const std::vector<const Expr*>& conjuncts);

}  // namespace sluice
