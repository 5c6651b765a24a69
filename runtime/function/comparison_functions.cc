// Comparison operators = <> < <= > >=. Arguments are unified to one type first (see
// ScalarFunction::unify_args), so each kernel compares one physical representation; DECIMALs then
// share a scale and compare as integers. Nested values support only = and <>.

#include <functional>

#include "runtime/function/function_registry.h"
#include "runtime/function/kernel_util.h"

namespace sluice {

namespace {

template <typename T, typename Compare>
void CompareLoop(const Vector& a, const Vector& b, const std::vector<T>& a_values,
                 const std::vector<T>& b_values, Column& out, size_t rows) {
  BinaryLoop(a_values.data(), a.constant(), b_values.data(), b.constant(), out.ints().data(), rows,
             [](const T& x, const T& y) -> int64_t { return Compare()(x, y) ? 1 : 0; });
}

template <typename Compare>
Status Int64Compare(const KernelArgs& args, Column& out) {
  const Vector& a = args.args[0];
  const Vector& b = args.args[1];
  CompareLoop<int64_t, Compare>(a, b, a.column().ints(), b.column().ints(), out, args.num_rows);
  return Status::OK();
}

template <typename Compare>
Status DoubleCompare(const KernelArgs& args, Column& out) {
  const Vector& a = args.args[0];
  const Vector& b = args.args[1];
  CompareLoop<double, Compare>(a, b, a.column().doubles(), b.column().doubles(), out,
                               args.num_rows);
  return Status::OK();
}

template <typename Compare>
Status StringCompare(const KernelArgs& args, Column& out) {
  const Vector& a = args.args[0];
  const Vector& b = args.args[1];
  CompareLoop<std::string_view, Compare>(a, b, a.column().strings(), b.column().strings(), out,
                                         args.num_rows);
  return Status::OK();
}

template <bool kEqual>
Status NestedCompare(const KernelArgs& args, Column& out) {
  const Vector& a = args.args[0];
  const Vector& b = args.args[1];
  for (size_t row = 0; row < args.num_rows; ++row) {
    if (!out.valid()[row]) continue;
    out.ints()[row] = (a.Nested(row) == b.Nested(row)) == kEqual ? 1 : 0;
  }
  return Status::OK();
}

template <typename Compare>
ScalarFunction Comparison(std::string name, bool equality) {
  ScalarFunction function;
  function.name = std::move(name);
  function.is_operator = true;
  function.min_args = 2;
  function.max_args = 2;
  function.unify_args = true;
  DataType boolean = DataType::Boolean();
  for (DataType type : {DataType::Boolean(), DataType::Integer(), DataType::Bigint(),
                        DataType(TypeId::kDecimal), DataType::Timestamp(), DataType::Date()}) {
    function.overloads.push_back({{type, type}, false, boolean, nullptr, Int64Compare<Compare>});
  }
  function.overloads.push_back(
      {{DataType::Double(), DataType::Double()}, false, boolean, nullptr, DoubleCompare<Compare>});
  for (DataType type : {DataType::Varchar(), DataType::Bytes()}) {
    function.overloads.push_back({{type, type}, false, boolean, nullptr, StringCompare<Compare>});
  }
  if (equality) {
    bool is_equal = std::is_same_v<Compare, std::equal_to<>>;
    for (TypeId id : {TypeId::kArray, TypeId::kMap, TypeId::kStruct}) {
      DataType any(id);
      function.overloads.push_back({{any, any}, false, boolean, nullptr,
                                    is_equal ? NestedCompare<true> : NestedCompare<false>});
    }
  }
  return function;
}

}  // namespace

void RegisterComparisonFunctions(FunctionRegistry& registry) {
  registry.Add(Comparison<std::equal_to<>>("=", true));
  registry.Add(Comparison<std::not_equal_to<>>("<>", true), {"!="});
  registry.Add(Comparison<std::less<>>("<", false));
  registry.Add(Comparison<std::less_equal<>>("<=", false));
  registry.Add(Comparison<std::greater<>>(">", false));
  registry.Add(Comparison<std::greater_equal<>>(">=", false));
}

}  // namespace sluice
