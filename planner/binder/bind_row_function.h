#pragma once
// The row functions ROWTIME(), ROWKEY() and ROWMETA(): each call becomes a reference to a hidden
// column its relation's source fills from the record (see runtime/plan/row_metadata.h). In a
// query over several relations the call names one: ROWKEY(o).

#include <memory>
#include <optional>

#include "common/status.h"
#include "parser/expression.h"
#include "planner/binder/bind_scope.h"
#include "runtime/expression/expression_node.h"

namespace sluice {

// The index in `scope` of the relation row function `call` reads (an error naming the aliases
// when it is ambiguous or names none); nullopt when `call` is not a row function.
std::optional<Result<size_t>> RowFunctionRelationOf(const FunctionCallExpr& call,
                                                    const BindScope& scope);
// Pass 1: marks the metadata `call` reads; nullopt when `call` is not a row function.
std::optional<Status> CollectRowFunction(const FunctionCallExpr& call, BindScope& scope);
// Pass 2: the column reference `call` stands for; nullopt when it is not a row function.
std::optional<Result<std::unique_ptr<Expression>>> BindRowFunction(const FunctionCallExpr& call,
                                                                   const BindScope& scope);

}  // namespace sluice
