#pragma once
// Windows of an upstream window aggregate (Flink's window aggregation after a window TVF): a
// GROUP BY over a stream whose keys name both its window_start and window_end columns groups by
// the windows those rows carry. What qualifies is stated in docs/windows.md ("Windows of an
// upstream window aggregate"); this file only recognises it and reports misuse.

#include <optional>

#include "common/status.h"
#include "parser/ast.h"
#include "planner/binder/bind_scope.h"

namespace sluice {

struct UpstreamWindow {
  ResolvedColumn start;  // the relation's window_start column
  ResolvedColumn end;    // the relation's window_end column
};

// The upstream window `select` groups by, or nullopt when its GROUP BY does not name both
// columns (a plain GROUP BY). `scope` holds the FROM relation; `is_stream` says whether it is a
// stream (changelogs and views have no windows to propagate: their rows are upserts). A BINDER
// error, at the GROUP BY key, when the columns are not both TIMESTAMP.
Result<std::optional<UpstreamWindow>> FindUpstreamWindow(const SelectStatement& select,
                                                         const BindScope& scope, bool is_stream);

// 0 when `expr` names the window's start column, 1 its end column, -1 otherwise.
int UpstreamWindowColumn(const Expr& expr, const BindScope& scope, const UpstreamWindow& window);

}  // namespace sluice
