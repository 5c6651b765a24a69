#include "runtime/function/function_registry.h"

#include <algorithm>
#include <limits>

#include "runtime/expression/evaluate.h"
#include "runtime/expression/type_rules.h"

namespace sluice {

Status KernelArgs::Error(size_t row, std::string message) const {
  context.error_row = constant_row >= 0 ? constant_row : static_cast<int64_t>(row);
  return Status::Execution(std::move(message));
}

namespace {

FunctionRegistry* BuildRegistry() {
  auto* registry = new FunctionRegistry();
  RegisterArithmeticFunctions(*registry);
  RegisterComparisonFunctions(*registry);
  RegisterStringFunctions(*registry);
  RegisterMathFunctions(*registry);
  RegisterTimeFunctions(*registry);
  RegisterJsonFunctions(*registry);
  RegisterRegexFunctions(*registry);
  return registry;
}

size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> previous(b.size() + 1), current(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) previous[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    current[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t substitute = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      current[j] = std::min({previous[j] + 1, current[j - 1] + 1, substitute});
    }
    std::swap(previous, current);
  }
  return previous[b.size()];
}

std::string ParamText(const DataType& param) {
  if (param.id() == TypeId::kNull) return "ANY";
  if (param.id() == TypeId::kDecimal && param.precision() == 0) return "DECIMAL";
  if (param.is_nested() && param.children().empty()) {
    return param.id() == TypeId::kArray ? "ARRAY" : param.id() == TypeId::kMap ? "MAP" : "STRUCT";
  }
  return param.ToString();
}

// Whether `arg` fits `param`: the type to cast it to and the cost, or cost -1.
std::pair<DataType, int> MatchParam(const DataType& param, const DataType& arg,
                                    bool any_to_varchar) {
  if (param.id() == TypeId::kNull) return {arg, 0};
  if (param.id() == TypeId::kDecimal && param.precision() == 0) {
    if (arg.id() == TypeId::kDecimal) return {arg, 0};
    if (arg.is_integral() || arg.id() == TypeId::kNull) {
      DataType target = arg.id() == TypeId::kNull ? DataType::Decimal(18, 0) : DecimalFor(arg);
      return {target, ImplicitCastCost(arg, target)};
    }
    return {param, -1};
  }
  if (param.is_nested() && param.children().empty()) {
    return {arg, arg.id() == param.id() ? 0 : -1};
  }
  int cost = ImplicitCastCost(arg, param);
  if (cost >= 0) return {param, cost};
  if (any_to_varchar && param.id() == TypeId::kVarchar && CanCast(arg, param)) return {param, 10};
  return {param, -1};
}

std::string ArityText(const ScalarFunction& function) {
  auto plural = [](int n) { return n == 1 ? std::string(" argument") : std::string(" arguments"); };
  if (function.max_args < 0) return "at least " + std::to_string(function.min_args) +
                                    plural(function.min_args);
  if (function.min_args == function.max_args) {
    if (function.min_args == 0) return "no arguments";
    return std::to_string(function.min_args) + plural(function.min_args);
  }
  std::string joiner = function.max_args == function.min_args + 1 ? " or " : " to ";
  return std::to_string(function.min_args) + joiner + std::to_string(function.max_args) +
         " arguments";
}

std::string TypeList(std::span<const DataType> types) {
  std::string out;
  for (size_t idx = 0; idx < types.size(); ++idx) {
    if (idx > 0) out += ", ";
    out += types[idx].ToString();
  }
  return out;
}

}  // namespace

const FunctionRegistry& FunctionRegistry::Global() {
  static const FunctionRegistry* registry = BuildRegistry();
  return *registry;
}

void FunctionRegistry::Add(ScalarFunction function, std::vector<std::string> aliases) {
  functions_.push_back(std::make_unique<ScalarFunction>(std::move(function)));
  const ScalarFunction* added = functions_.back().get();
  by_name_[added->name] = added;
  for (std::string& alias : aliases) by_name_[std::move(alias)] = added;
}

const ScalarFunction* FunctionRegistry::Find(std::string_view name) const {
  auto it = by_name_.find(std::string(name));
  return it == by_name_.end() ? nullptr : it->second;
}

std::string FunctionRegistry::Suggest(std::string_view name) const {
  std::string best;
  size_t best_distance = std::min<size_t>(3, name.size() / 2 + 1);
  for (const auto& [candidate, function] : by_name_) {
    if (function->is_operator) continue;
    size_t distance = EditDistance(name, candidate);
    if (distance < best_distance || (distance == best_distance && !best.empty() && candidate < best)) {
      best_distance = distance;
      best = candidate;
    }
  }
  return best;
}

std::string SignatureText(std::string_view name, std::span<const DataType> types, bool variadic) {
  std::string out(name);
  out += "(";
  for (size_t idx = 0; idx < types.size(); ++idx) {
    if (idx > 0) out += ", ";
    out += ParamText(types[idx]);
  }
  if (variadic) out += ", ...";
  return out + ")";
}

Result<ResolvedOverload> ResolveOverload(const ScalarFunction& function,
                                         std::span<const DataType> arg_types, int64_t position) {
  int count = static_cast<int>(arg_types.size());
  std::string kind = function.is_operator ? "operator " : "function ";
  if (count < function.min_args || (function.max_args >= 0 && count > function.max_args)) {
    return Status::Binder(kind + function.name + " expects " + ArityText(function) + ", got " +
                              std::to_string(count),
                          position);
  }
  ResolvedOverload best;
  int best_cost = std::numeric_limits<int>::max();
  for (size_t overload_idx = 0; overload_idx < function.overloads.size(); ++overload_idx) {
    const FunctionOverload& overload = function.overloads[overload_idx];
    size_t fixed = overload.params.size();
    if (overload.variadic ? arg_types.size() + 1 < fixed : arg_types.size() != fixed) continue;
    if (fixed == 0 && !arg_types.empty()) continue;
    std::vector<DataType> targets;
    int cost = 0;
    for (size_t arg_idx = 0; arg_idx < arg_types.size() && cost >= 0; ++arg_idx) {
      const DataType& param = overload.params[std::min(arg_idx, fixed - 1)];
      auto [target, arg_cost] = MatchParam(param, arg_types[arg_idx], function.any_to_varchar);
      if (arg_cost < 0) {
        cost = -1;
        break;
      }
      cost += arg_cost;
      targets.push_back(std::move(target));
    }
    if (cost < 0 || cost >= best_cost) continue;
    best_cost = cost;
    best.overload = &overload;
    best.overload_index = overload_idx;
    best.arg_types = std::move(targets);
  }
  if (best.overload == nullptr) {
    if (function.is_operator) {
      std::string operands = arg_types.size() == 1
                                 ? arg_types[0].ToString()
                                 : arg_types[0].ToString() + " and " + arg_types[1].ToString();
      return Status::Binder("operator " + function.name + " cannot be applied to " + operands,
                            position);
    }
    std::string expected;
    size_t shown = 0;
    for (const FunctionOverload& overload : function.overloads) {
      if (overload.params.size() > arg_types.size() + (overload.variadic ? 1 : 0)) continue;
      if (!overload.variadic && overload.params.size() != arg_types.size()) continue;
      expected += (shown++ > 0 ? " or " : "") +
                  SignatureText(function.name, overload.params, overload.variadic);
    }
    std::string message = "function " + function.name + "(" + TypeList(arg_types) +
                          ") does not exist";
    if (!expected.empty()) message += "; expected " + expected;
    return Status::Binder(message, position);
  }
  best.return_type = best.overload->resolve_return != nullptr
                         ? best.overload->resolve_return(best.arg_types)
                         : best.overload->return_type;
  return best;
}

std::vector<std::string> ListFunctions() {
  std::vector<std::string> lines;
  for (const auto& function : FunctionRegistry::Global().functions()) {
    if (function->is_operator) continue;
    for (const FunctionOverload& overload : function->overloads) {
      lines.push_back(SignatureText(function->name, overload.params, overload.variadic) + " -> " +
                      ParamText(overload.return_type) + ": " + function->description);
    }
  }
  std::sort(lines.begin(), lines.end());
  return lines;
}

}  // namespace sluice
