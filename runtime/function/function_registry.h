#pragma once
// The catalog of scalar functions and operators, built once on first use. Functions are found by
// lower-case name (aliases included); ResolveOverload picks the cheapest overload for the argument
// types and says which casts the binder must insert.

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "runtime/function/function.h"

namespace sluice {

// The outcome of overload resolution: the overload, the type each argument must be cast to, and
// the result type.
struct ResolvedOverload {
  const FunctionOverload* overload = nullptr;
  size_t overload_index = 0;
  std::vector<DataType> arg_types;
  DataType return_type;
};

class FunctionRegistry {
 public:
  FunctionRegistry() = default;
  FunctionRegistry(const FunctionRegistry&) = delete;
  FunctionRegistry& operator=(const FunctionRegistry&) = delete;

  // The registry with every built-in function; thread-safe to call.
  static const FunctionRegistry& Global();

  // Null when there is no function (or operator) of that name.
  const ScalarFunction* Find(std::string_view name) const;
  // Closest function name within a small edit distance, for "did you mean"; empty if none.
  std::string Suggest(std::string_view name) const;
  const std::vector<std::unique_ptr<ScalarFunction>>& functions() const { return functions_; }

  void Add(ScalarFunction function, std::vector<std::string> aliases = {});

 private:
  std::vector<std::unique_ptr<ScalarFunction>> functions_;
  std::unordered_map<std::string, const ScalarFunction*> by_name_;
};

// Picks the overload of `function` whose parameters the arguments reach with the fewest implicit
// casts (ties go to the first declared). BINDER errors: wrong arity ("function substring expects
// 2 or 3 arguments, got 4"), no match ("function upper(BIGINT) does not exist; expected
// upper(VARCHAR)"). `arg_types` must already be unified when function.unify_args is set.
Result<ResolvedOverload> ResolveOverload(const ScalarFunction& function,
                                         std::span<const DataType> arg_types, int64_t position);

// "name(VARCHAR, BIGINT)" as used in messages; operators print as "+(BIGINT, BIGINT)".
std::string SignatureText(std::string_view name, std::span<const DataType> types,
                          bool variadic = false);

// Every function with its overloads, one line each: "substring(VARCHAR, BIGINT) -> VARCHAR:
// characters from a 1-based position". Operators are left out. Sorted by name.
std::vector<std::string> ListFunctions();

// Each function family registers itself here (called once by Global()).
void RegisterArithmeticFunctions(FunctionRegistry& registry);
void RegisterComparisonFunctions(FunctionRegistry& registry);
void RegisterStringFunctions(FunctionRegistry& registry);
void RegisterMathFunctions(FunctionRegistry& registry);
void RegisterTimeFunctions(FunctionRegistry& registry);
void RegisterJsonFunctions(FunctionRegistry& registry);
void RegisterRegexFunctions(FunctionRegistry& registry);

}  // namespace sluice
