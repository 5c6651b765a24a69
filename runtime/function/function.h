#pragma once
// Scalar SQL functions and operators. A ScalarFunction is one name with overloads; each overload
// has a vectorized kernel that computes a whole batch per call. Function calls in a plan refer to
// functions by name and argument types only, so a worker re-resolves them on load and no function
// pointer ever crosses a process boundary.

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/batch.h"
#include "common/status.h"
#include "common/types.h"
#include "runtime/expression/vector.h"

namespace sluice {

class EvalContext;
class Expression;

// Immutable data a call site prepares once at bind time, e.g. a compiled literal regex. Shared by
// clones of the expression and by every batch.
class FunctionState {
 public:
  virtual ~FunctionState() = default;
};

// What a kernel computes from. On entry `out` has num_rows cells whose valid byte says which rows
// to compute (for NULL-propagating functions: rows where every argument is non-NULL and which the
// evaluator selected); value vectors are sized but unset. A kernel sets the value of every row it
// computes and may clear valid bytes to produce NULL. It must not touch rows that are not valid on
// entry: they may hold garbage arguments (e.g. a zero divisor in a row CASE does not take).
struct KernelArgs {
  std::span<const Vector> args;
  size_t num_rows;  // 1 when every argument is constant (the output is then constant too)
  const FunctionState* state;  // from ScalarFunction::prepare, or null
  EvalContext& context;
  int64_t now_millis;  // NOW() for this batch
  std::string_view function_name;
  // The batch row to blame for an error in a constant computation (row 0 of a constant output
  // stands for the first row the evaluator selected).
  int64_t constant_row;

  // Records the failing batch row in context.error_row and returns an EXECUTION error.
  Status Error(size_t row, std::string message) const;
};

using ScalarKernel = Status (*)(const KernelArgs& args, Column& out);

enum class NullHandling : uint8_t {
  kPropagate,  // any NULL argument makes the result NULL; the kernel never sees those rows
  kCustom,     // the kernel reads argument validity itself (CONCAT, GREATEST)
};

// One signature. Parameter patterns: a concrete type matches itself and what implicitly casts to
// it; DataType(TypeId::kDecimal) (precision 0) matches any DECIMAL and widens integers;
// DataType(TypeId::kArray/kMap/kStruct) without children matches any of that kind;
// DataType::Null() matches any type as is.
struct FunctionOverload {
  std::vector<DataType> params;
  bool variadic = false;  // the last parameter may repeat
  DataType return_type;   // the result, or its pattern when resolve_return is set
  // Computes the result type from the final argument types (DECIMAL scales, generic types).
  DataType (*resolve_return)(std::span<const DataType> args) = nullptr;
  ScalarKernel kernel = nullptr;
};

// Prepares per-call-site state from the bound (already cast) arguments; literal arguments can be
// inspected with Expression::literal(). Errors are BINDER errors (an invalid literal regex).
using PrepareFunction = Result<std::shared_ptr<const FunctionState>> (*)(
    std::span<const std::unique_ptr<Expression>> args, int64_t position);

struct ScalarFunction {
  std::string name;  // as written in SQL, lower case; operators by symbol ("+", "=", "||")
  bool is_operator = false;
  int min_args = 0;
  int max_args = 0;  // -1: unbounded
  // All arguments are cast to their common super type before overload matching (comparisons,
  // GREATEST): "operator = cannot compare VARCHAR with BIGINT" when there is none.
  bool unify_args = false;
  // Arguments of any type may be cast to a VARCHAR parameter (CONCAT, ||).
  bool any_to_varchar = false;
  // A new value per row (RANDOM): never folded, never computed once for constant arguments.
  bool per_row = false;
  // Depends on the batch's evaluation time (NOW): constant per batch, never folded at bind time.
  bool time_dependent = false;
  NullHandling null_handling = NullHandling::kPropagate;
  std::vector<FunctionOverload> overloads;
  PrepareFunction prepare = nullptr;
  std::string description;  // one line for the shell's help
};

}  // namespace sluice
