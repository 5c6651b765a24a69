#pragma once
// Expressions as JSON, for the physical plan a worker receives. Function calls are written by
// name and re-resolved against the worker's registry on load (with the argument types), so no
// function pointer or prepared state crosses the process boundary; literal patterns are compiled
// again on load.
//
// Shape: {"kind":"call","type":"BIGINT","pos":12,"name":"+","args":[...]} with kind one of
// column, literal, call, cast, case, and, or, not, is_null, in, like, coalesce, nullif, field,
// map_get, subscript.

#include <string>
#include <string_view>

#include "common/status.h"
#include "runtime/expression/expression_node.h"

namespace sluice {

// Appends the JSON form of `expr` to `out`.
void ExpressionToJson(const Expression& expr, std::string& out);

// Rebuilds an expression; INTERNAL error when the text is malformed or a function no longer
// resolves to the recorded type.
Result<ExpressionPtr> ExpressionFromJson(std::string_view json);

}  // namespace sluice
