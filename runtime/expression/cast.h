#pragma once
// CAST between SQL types, vectorized. The kernel follows the ScalarKernel contract (see
// runtime/function/function.h) with args[0] the value and out's type the target.

#include "common/status.h"
#include "common/value.h"
#include "runtime/function/function.h"

namespace sluice {

// Casts args[0] to out.type(). EXECUTION errors: "cannot cast 'abc' to INTEGER",
// "cannot cast 3000000000 to INTEGER: out of range". REQUIRES: CanCast(from, to).
Status CastKernel(const KernelArgs& args, Column& out);

// Casts one value (constant folding, nested elements). Same errors as CastKernel.
Result<Value> CastValue(const Value& value, const DataType& to);

}  // namespace sluice
