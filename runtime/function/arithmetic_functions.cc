// Arithmetic operators + - * / % (and MOD, unary minus) on INTEGER, BIGINT, DECIMAL, DOUBLE and
// the temporal types. Integer arithmetic is overflow-checked; any division by zero is an error.

#include <cmath>
#include <limits>

#include "runtime/function/decimal_util.h"
#include "runtime/function/function_registry.h"
#include "runtime/function/kernel_util.h"

namespace sluice {

namespace {

enum class Op { kAdd, kSubtract, kMultiply, kDivide, kModulo };

constexpr const char* OpSymbol(Op op) {
  switch (op) {
    case Op::kAdd: return "+";
    case Op::kSubtract: return "-";
    case Op::kMultiply: return "*";
    case Op::kDivide: return "/";
    case Op::kModulo: return "%";
  }
  return "?";
}

Status ArithmeticError(const KernelArgs& args, size_t row, Op op, const Column& out) {
  const Vector& a = args.args[0];
  const Vector& b = args.args[1];
  bool zero_divisor = (op == Op::kDivide || op == Op::kModulo) &&
                      ((b.column().type().physical() == PhysicalKind::kDouble && b.Double(row) == 0) ||
                       (b.column().type().physical() == PhysicalKind::kInt64 && b.Int(row) == 0));
  std::string expression = CellText(a, row) + " " + OpSymbol(op) + " " + CellText(b, row);
  if (zero_divisor) return args.Error(row, "division by zero: " + expression);
  return args.Error(row, out.type().ToString() + " overflow in " + expression);
}

// One checked integer operation on int64 values; `is_int32` also requires an INTEGER result.
template <Op kOp, bool kInt32>
bool IntegerOp(int64_t a, int64_t b, int64_t* result) {
  bool overflow = false;
  switch (kOp) {
    case Op::kAdd: overflow = __builtin_add_overflow(a, b, result); break;
    case Op::kSubtract: overflow = __builtin_sub_overflow(a, b, result); break;
    case Op::kMultiply: overflow = __builtin_mul_overflow(a, b, result); break;
    case Op::kDivide:
    case Op::kModulo:
      if (b == 0 || (b == -1 && a == std::numeric_limits<int64_t>::min())) {
        // INT64_MIN / -1 overflows; INT64_MIN % -1 is 0 but traps on x86, so compute it here.
        *result = 0;
        return kOp == Op::kModulo && b == -1;
      }
      *result = kOp == Op::kDivide ? a / b : a % b;
      break;
  }
  if (kInt32) overflow |= *result < INT32_MIN || *result > INT32_MAX;
  return !overflow;
}

template <Op kOp, bool kInt32>
Status IntegerKernel(const KernelArgs& args, Column& out) {
  const Vector& a = args.args[0];
  const Vector& b = args.args[1];
  int64_t failed = CheckedBinaryLoop(a.column().ints().data(), a.constant(),
                                     b.column().ints().data(), b.constant(), out.ints().data(),
                                     out.valid().data(), args.num_rows, IntegerOp<kOp, kInt32>);
  if (failed >= 0) return ArithmeticError(args, static_cast<size_t>(failed), kOp, out);
  return Status::OK();
}

template <Op kOp>
Status DoubleKernel(const KernelArgs& args, Column& out) {
  const Vector& a = args.args[0];
  const Vector& b = args.args[1];
  const double* a_values = a.column().doubles().data();
  const double* b_values = b.column().doubles().data();
  double* result = out.doubles().data();
  if constexpr (kOp == Op::kAdd || kOp == Op::kSubtract || kOp == Op::kMultiply) {
    BinaryLoop(a_values, a.constant(), b_values, b.constant(), result, args.num_rows,
               [](double x, double y) {
                 return kOp == Op::kAdd ? x + y : kOp == Op::kSubtract ? x - y : x * y;
               });
    return Status::OK();
  } else {
    int64_t failed = CheckedBinaryLoop(
        a_values, a.constant(), b_values, b.constant(), result, out.valid().data(), args.num_rows,
        [](double x, double y, double* r) {
          *r = kOp == Op::kDivide ? x / y : std::fmod(x, y);
          return y != 0;
        });
    if (failed >= 0) return ArithmeticError(args, static_cast<size_t>(failed), kOp, out);
    return Status::OK();
  }
}

// DECIMAL: operands are rescaled to the result scale (+, -, %) or multiplied exactly in 128 bits
// and rounded to the result scale (*); the result must fit the result precision.
template <Op kOp>
Status DecimalKernel(const KernelArgs& args, Column& out) {
  const Vector& a = args.args[0];
  const Vector& b = args.args[1];
  int a_scale = a.column().type().scale();
  int b_scale = b.column().type().scale();
  int scale = out.type().scale();
  int precision = out.type().precision();
  for (size_t row = 0; row < args.num_rows; ++row) {
    if (!out.valid()[row]) continue;
    int64_t x = a.Int(row), y = b.Int(row), result = 0;
    bool ok;
    if constexpr (kOp == Op::kMultiply) {
      __int128 product = static_cast<__int128>(x) * y;
      int shift = a_scale + b_scale - scale;  // >= 0: the result scale never exceeds s1 + s2
      if (shift > 0) {
        __int128 divisor = Pow10(shift);
        __int128 quotient = product / divisor;
        __int128 remainder = product % divisor;
        if ((remainder < 0 ? -remainder : remainder) * 2 >= divisor) quotient += product < 0 ? -1 : 1;
        product = quotient;
      }
      ok = product > INT64_MIN && product < INT64_MAX;
      result = static_cast<int64_t>(product);
    } else {
      ok = Rescale(x, a_scale, scale, &x) && Rescale(y, b_scale, scale, &y);
      if (ok) {
        if constexpr (kOp == Op::kAdd) ok = !__builtin_add_overflow(x, y, &result);
        if constexpr (kOp == Op::kSubtract) ok = !__builtin_sub_overflow(x, y, &result);
        if constexpr (kOp == Op::kModulo) {
          ok = y != 0;
          result = ok ? x % y : 0;
        }
      }
    }
    if (!ok || !FitsPrecision(result, precision)) return ArithmeticError(args, row, kOp, out);
    out.ints()[row] = result;
  }
  return Status::OK();
}

// DECIMAL / DECIMAL computes in DOUBLE.
Status DecimalDivideKernel(const KernelArgs& args, Column& out) {
  const Vector& a = args.args[0];
  const Vector& b = args.args[1];
  double a_divisor = static_cast<double>(Pow10(a.column().type().scale()));
  double b_divisor = static_cast<double>(Pow10(b.column().type().scale()));
  for (size_t row = 0; row < args.num_rows; ++row) {
    if (!out.valid()[row]) continue;
    if (b.Int(row) == 0) return ArithmeticError(args, row, Op::kDivide, out);
    out.doubles()[row] = (static_cast<double>(a.Int(row)) / a_divisor) /
                         (static_cast<double>(b.Int(row)) / b_divisor);
  }
  return Status::OK();
}

Status NegateKernel(const KernelArgs& args, Column& out) {
  const Vector& a = args.args[0];
  const DataType& type = out.type();
  for (size_t row = 0; row < args.num_rows; ++row) {
    if (!out.valid()[row]) continue;
    if (type.id() == TypeId::kDouble) {
      out.doubles()[row] = -a.Double(row);
      continue;
    }
    int64_t value = a.Int(row);
    int64_t min = type.id() == TypeId::kInteger ? INT32_MIN : INT64_MIN;
    if (value == min) {
      return args.Error(row, type.ToString() + " overflow in -" + CellText(a, row));
    }
    out.ints()[row] = -value;
  }
  return Status::OK();
}

DataType DecimalAddType(std::span<const DataType> args) {
  int scale = std::max(args[0].scale(), args[1].scale());
  int digits = std::max(args[0].precision() - args[0].scale(), args[1].precision() - args[1].scale());
  return DataType::Decimal(std::min(kMaxDecimalDigits, digits + scale + 1), scale);
}

DataType DecimalMultiplyType(std::span<const DataType> args) {
  int scale = std::min(kMaxDecimalDigits, args[0].scale() + args[1].scale());
  return DataType::Decimal(std::min(kMaxDecimalDigits, args[0].precision() + args[1].precision()),
                           scale);
}

DataType DecimalModuloType(std::span<const DataType> args) {
  int scale = std::max(args[0].scale(), args[1].scale());
  int digits = std::max(args[0].precision() - args[0].scale(), args[1].precision() - args[1].scale());
  return DataType::Decimal(std::min(kMaxDecimalDigits, digits + scale), scale);
}

DataType FirstArgType(std::span<const DataType> args) { return args[0]; }

const DataType kAnyDecimal{TypeId::kDecimal};

template <Op kOp>
std::vector<FunctionOverload> NumericOverloads() {
  DataType integer = DataType::Integer(), bigint = DataType::Bigint(), dbl = DataType::Double();
  std::vector<FunctionOverload> overloads = {
      {{integer, integer}, false, integer, nullptr, IntegerKernel<kOp, true>},
      {{bigint, bigint}, false, bigint, nullptr, IntegerKernel<kOp, false>},
  };
  if constexpr (kOp == Op::kDivide) {
    overloads.push_back({{kAnyDecimal, kAnyDecimal}, false, dbl, nullptr, DecimalDivideKernel});
  } else {
    auto resolve = kOp == Op::kMultiply ? DecimalMultiplyType
                   : kOp == Op::kModulo ? DecimalModuloType
                                        : DecimalAddType;
    overloads.push_back({{kAnyDecimal, kAnyDecimal}, false, kAnyDecimal, resolve, DecimalKernel<kOp>});
  }
  overloads.push_back({{dbl, dbl}, false, dbl, nullptr, DoubleKernel<kOp>});
  return overloads;
}

ScalarFunction Operator(std::string name, std::vector<FunctionOverload> overloads) {
  ScalarFunction function;
  function.name = std::move(name);
  function.is_operator = true;
  function.min_args = 2;
  function.max_args = 2;
  function.overloads = std::move(overloads);
  return function;
}

}  // namespace

void RegisterArithmeticFunctions(FunctionRegistry& registry) {
  DataType integer = DataType::Integer(), bigint = DataType::Bigint(), dbl = DataType::Double();
  DataType timestamp = DataType::Timestamp(), date = DataType::Date();
  auto add_ms = IntegerKernel<Op::kAdd, false>;
  auto subtract_ms = IntegerKernel<Op::kSubtract, false>;

  std::vector<FunctionOverload> add = NumericOverloads<Op::kAdd>();
  add.push_back({{timestamp, bigint}, false, timestamp, nullptr, add_ms});
  add.push_back({{bigint, timestamp}, false, timestamp, nullptr, add_ms});
  add.push_back({{date, integer}, false, date, nullptr, add_ms});
  add.push_back({{integer, date}, false, date, nullptr, add_ms});
  registry.Add(Operator("+", std::move(add)));

  std::vector<FunctionOverload> subtract = NumericOverloads<Op::kSubtract>();
  subtract.push_back({{timestamp, bigint}, false, timestamp, nullptr, subtract_ms});
  subtract.push_back({{timestamp, timestamp}, false, bigint, nullptr, subtract_ms});
  subtract.push_back({{date, integer}, false, date, nullptr, subtract_ms});
  subtract.push_back({{date, date}, false, integer, nullptr, subtract_ms});
  // Unary minus shares the symbol.
  subtract.push_back({{integer}, false, integer, nullptr, NegateKernel});
  subtract.push_back({{bigint}, false, bigint, nullptr, NegateKernel});
  subtract.push_back({{kAnyDecimal}, false, kAnyDecimal, FirstArgType, NegateKernel});
  subtract.push_back({{dbl}, false, dbl, nullptr, NegateKernel});
  ScalarFunction minus = Operator("-", std::move(subtract));
  minus.min_args = 1;
  registry.Add(std::move(minus));

  registry.Add(Operator("*", NumericOverloads<Op::kMultiply>()));
  registry.Add(Operator("/", NumericOverloads<Op::kDivide>()));
  registry.Add(Operator("%", NumericOverloads<Op::kModulo>()));

  ScalarFunction mod = Operator("mod", NumericOverloads<Op::kModulo>());
  mod.is_operator = false;
  mod.description = "remainder of a / b with the sign of a (same as a % b)";
  registry.Add(std::move(mod));
}

}  // namespace sluice
