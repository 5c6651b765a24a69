#pragma once
// Factories the binder uses to build typed expressions. They resolve function overloads, insert
// implicit casts, fold constants and compile literal patterns, and report type errors as BINDER
// errors at the given position (byte offset into the SQL text, -1 if none), e.g.
//   function upper(BIGINT) does not exist; expected upper(VARCHAR)
//   function substring expects 2 or 3 arguments, got 4
//   operator = cannot compare VARCHAR with BIGINT
//   cannot cast BOOLEAN to DATE
// The trees they return are immutable; ExpressionFromJson rebuilds them through the same
// factories, so a worker re-resolves every function by name and argument types.

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "common/value.h"
#include "runtime/expression/expression_node.h"

namespace sluice {

enum class ComparisonOp : uint8_t { kEqual, kNotEqual, kLess, kLessEqual, kGreater, kGreaterEqual };
enum class ArithmeticOp : uint8_t { kAdd, kSubtract, kMultiply, kDivide, kModulo };

// SQL spelling: "=", "<>", "<", "<=", ">", ">="; "+", "-", "*", "/", "%".
const char* ComparisonOpName(ComparisonOp op);
const char* ArithmeticOpName(ArithmeticOp op);

// Input column `index` of the batch the expression will run on.
ExpressionPtr MakeColumnRef(int index, DataType type, int64_t position = -1);
ExpressionPtr MakeLiteral(Value value, int64_t position = -1);

// Explicit CAST. A literal operand is converted now: CAST('abc' AS INTEGER) is a BINDER error
// ("cannot cast 'abc' to INTEGER") rather than a failure on every row. Returns `operand` itself
// when it already has the target type.
Result<ExpressionPtr> MakeCast(ExpressionPtr operand, const DataType& target,
                               int64_t position = -1);

// A scalar function by name (lower case), e.g. "upper", "substring", "extract" (its first
// argument is the unit as a string literal: extract('YEAR', ts)). Also accepts "coalesce" and
// "nullif". Unknown names: `function foo does not exist (did you mean "floor"?)`. Calls whose
// arguments are all literals are evaluated now, except NOW() and RANDOM().
Result<ExpressionPtr> MakeFunctionCall(std::string_view name, std::vector<ExpressionPtr> args,
                                       int64_t position = -1);

// Comparison with numeric promotion; DATE promotes to TIMESTAMP; a string literal compared with a
// TIMESTAMP or DATE is parsed as one (an invalid one is a BINDER error).
Result<ExpressionPtr> MakeComparison(ComparisonOp op, ExpressionPtr left, ExpressionPtr right,
                                     int64_t position = -1);
// + - * / % on numbers (INTEGER op INTEGER stays INTEGER; / on integers truncates; DECIMAL / is
// DOUBLE), plus TIMESTAMP +/- BIGINT milliseconds, TIMESTAMP - TIMESTAMP (BIGINT ms),
// DATE +/- INTEGER days and DATE - DATE (INTEGER days).
Result<ExpressionPtr> MakeArithmetic(ArithmeticOp op, ExpressionPtr left, ExpressionPtr right,
                                     int64_t position = -1);
// Unary minus.
Result<ExpressionPtr> MakeNegate(ExpressionPtr operand, int64_t position = -1);
// a || b: NULL if either is NULL (CONCAT skips NULLs instead); non-text operands become text.
Result<ExpressionPtr> MakeConcat(ExpressionPtr left, ExpressionPtr right, int64_t position = -1);

// Three-valued AND / OR / NOT over BOOLEAN (or NULL) operands:
// "argument of AND must be BOOLEAN, not BIGINT". Nested ANDs (ORs) are flattened.
Result<ExpressionPtr> MakeAnd(ExpressionPtr left, ExpressionPtr right, int64_t position = -1);
Result<ExpressionPtr> MakeOr(ExpressionPtr left, ExpressionPtr right, int64_t position = -1);
// REQUIRES: kind is kAnd or kOr; at least one operand.
Result<ExpressionPtr> MakeConjunction(ExpressionKind kind, std::vector<ExpressionPtr> operands,
                                      int64_t position = -1);
Result<ExpressionPtr> MakeNot(ExpressionPtr operand, int64_t position = -1);

Result<ExpressionPtr> MakeIsNull(ExpressionPtr operand, bool negated, int64_t position = -1);
// x BETWEEN lo AND hi  ==  x >= lo AND x <= hi (x is cloned); NOT BETWEEN  ==  x < lo OR x > hi.
Result<ExpressionPtr> MakeBetween(ExpressionPtr operand, ExpressionPtr low, ExpressionPtr high,
                                  bool negated, int64_t position = -1);
// x [NOT] IN (items): operand and items are promoted to one type. SQL semantics: NULL when x is
// NULL, or when nothing matches and an item is NULL.
Result<ExpressionPtr> MakeInList(ExpressionPtr operand, std::vector<ExpressionPtr> items,
                                 bool negated, int64_t position = -1);
// x [NOT] LIKE pattern ('%', '_', `escape` before a literal '%', '_' or escape). A literal pattern
// is compiled now; one ending in the escape character is a BINDER error.
Result<ExpressionPtr> MakeLike(ExpressionPtr operand, ExpressionPtr pattern, bool negated,
                               int64_t position = -1, char escape = '\\');

struct CaseBranch {
  ExpressionPtr when;
  ExpressionPtr then;
};
// Searched CASE; `else_result` may be null (ELSE NULL). Branch results are promoted to their
// common type: "CASE types VARCHAR and BIGINT cannot be matched".
Result<ExpressionPtr> MakeCase(std::vector<CaseBranch> branches, ExpressionPtr else_result,
                               int64_t position = -1);
// CASE operand WHEN v THEN ... rewritten to the searched form with `operand = v` per branch.
Result<ExpressionPtr> MakeSimpleCase(ExpressionPtr operand, std::vector<CaseBranch> branches,
                                     ExpressionPtr else_result, int64_t position = -1);
Result<ExpressionPtr> MakeCoalesce(std::vector<ExpressionPtr> args, int64_t position = -1);
Result<ExpressionPtr> MakeNullIf(ExpressionPtr value, ExpressionPtr other, int64_t position = -1);

// STRUCT field by index.
Result<ExpressionPtr> MakeStructField(ExpressionPtr operand, int field_index,
                                      int64_t position = -1);
// operand->name: a STRUCT field by (case-folded) name, or a MAP value by key.
Result<ExpressionPtr> MakeFieldAccess(ExpressionPtr operand, std::string_view name,
                                      int64_t position = -1);
// operand[index]: 1-based ARRAY element (NULL when out of range) or MAP value by key.
Result<ExpressionPtr> MakeSubscript(ExpressionPtr operand, ExpressionPtr index,
                                    int64_t position = -1);
Result<ExpressionPtr> MakeMapAccess(ExpressionPtr map, ExpressionPtr key, int64_t position = -1);
Result<ExpressionPtr> MakeArraySubscript(ExpressionPtr array, ExpressionPtr index,
                                         int64_t position = -1);

}  // namespace sluice
