#pragma once
// Helpers shared by the expression factories (expression_factory*.cc).

#include <string_view>
#include <vector>

#include "runtime/expression/expression_node.h"

namespace sluice {

// Casts every expression to `target` (folding literals).
Status CastAll(std::vector<ExpressionPtr>& exprs, const DataType& target);
// When some expression is a TIMESTAMP (else DATE), string literals among them are parsed as one.
Status CoerceTemporalLiterals(std::vector<ExpressionPtr>& exprs);
// Common super type of all expressions: "<what> types VARCHAR and BIGINT cannot be matched".
Result<DataType> UnifiedType(const std::vector<ExpressionPtr>& exprs, std::string_view what,
                             int64_t position);
// Replaces a node whose children are all literals by its value; leaves it when evaluation fails.
ExpressionPtr FoldIfConstant(ExpressionPtr expr, bool foldable);
// Returns a BOOLEAN operand (a NULL one cast): "<what> must be BOOLEAN, not BIGINT".
Result<ExpressionPtr> RequireBoolean(ExpressionPtr operand, std::string_view what,
                                     int64_t position);

}  // namespace sluice
