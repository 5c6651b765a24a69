#pragma once
// The type lattice of Sluice SQL: which casts are implicit, which are allowed at all, and the
// common super type two expressions are promoted to. Numeric promotion runs
// INTEGER < BIGINT < DECIMAL < DOUBLE; DATE promotes to TIMESTAMP; a bare NULL fits anything.

#include <optional>

#include "common/types.h"

namespace sluice {

// True when `from` converts to `to` without the user writing CAST (function arguments, operands,
// INSERT targets). Integral to DECIMAL is implicit even when the DECIMAL is narrow: values that do
// not fit fail at run time rather than at bind time.
bool CanImplicitCast(const DataType& from, const DataType& to);

// True when CAST(x AS to) is valid for an x of type `from` (it may still fail per value at run
// time, e.g. CAST('abc' AS INTEGER)). False for e.g. BOOLEAN -> DATE.
bool CanCast(const DataType& from, const DataType& to);

// How far an implicit cast moves a value up the lattice (0 = same type), used to rank function
// overloads; -1 when the cast is not implicit.
int ImplicitCastCost(const DataType& from, const DataType& to);

// The smallest type both `a` and `b` implicitly cast to, or nullopt (e.g. VARCHAR and BIGINT).
std::optional<DataType> CommonSuperType(const DataType& a, const DataType& b);

// The DECIMAL an integral type widens to (INTEGER -> DECIMAL(10, 0), BIGINT -> DECIMAL(18, 0)).
// REQUIRES: type is INTEGER, BIGINT or DECIMAL (returned unchanged).
DataType DecimalFor(const DataType& type);

}  // namespace sluice
