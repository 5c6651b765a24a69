// Numeric functions: ABS, SIGN, ROUND, FLOOR, CEIL, POWER, SQRT, EXP, LN, LOG10, GREATEST, LEAST
// and RANDOM (MOD lives with the arithmetic operators). Exact types stay exact: ROUND on a
// DECIMAL rounds the unscaled integer half away from zero instead of going through DOUBLE.
// Results that are not real numbers (SQRT(-1), LN(0)) are EXECUTION errors, as in PostgreSQL,
// rather than NaN flowing silently into aggregates.

#include <algorithm>
#include <cmath>
#include <limits>

#include "runtime/expression/evaluate.h"
#include "runtime/expression/evaluate_internal.h"
#include "runtime/function/decimal_util.h"
#include "runtime/function/function_registry.h"
#include "runtime/function/kernel_util.h"

namespace sluice {

namespace {

const DataType kAnyDecimal{TypeId::kDecimal};

DataType FirstArgType(std::span<const DataType> args) { return args[0]; }

// FLOOR, CEIL and ROUND without digits: a DECIMAL(p, s) becomes DECIMAL(p - s + 1, 0), the extra
// digit for a carry (ROUND(9.5) = 10).
DataType IntegralDecimalType(std::span<const DataType> args) {
  int digits = args[0].precision() - args[0].scale() + 1;
  return DataType::Decimal(std::min(kMaxDecimalDigits, std::max(digits, 1)), 0);
}

// ROUND(DECIMAL(p, s), d): the scale stays s (d is only known per row), plus a carry digit.
DataType RoundDigitsDecimalType(std::span<const DataType> args) {
  return DataType::Decimal(std::min(kMaxDecimalDigits, args[0].precision() + 1), args[0].scale());
}

Status AbsKernel(const KernelArgs& args, Column& out) {
  const Vector& input = args.args[0];
  const DataType& type = out.type();
  if (type.id() == TypeId::kDouble) {
    for (size_t row = 0; row < args.num_rows; ++row) {
      out.doubles()[row] = std::fabs(input.Double(row));
    }
    return Status::OK();
  }
  // -INT_MIN does not fit: the one input ABS cannot compute.
  int64_t min = type.id() == TypeId::kInteger ? INT32_MIN : INT64_MIN;
  for (size_t row = 0; row < args.num_rows; ++row) {
    if (!out.valid()[row]) continue;
    int64_t value = input.Int(row);
    if (value == min)
      return args.Error(row, type.ToString() + " overflow in abs(" + CellText(input, row) + ")");
    out.ints()[row] = value < 0 ? -value : value;
  }
  return Status::OK();
}

Status SignKernel(const KernelArgs& args, Column& out) {
  const Vector& input = args.args[0];
  bool is_double = input.column().type().id() == TypeId::kDouble;
  for (size_t row = 0; row < args.num_rows; ++row) {
    if (is_double) {
      double value = input.Double(row);
      out.doubles()[row] = value > 0 ? 1.0 : value < 0 ? -1.0 : value;  // NaN stays NaN
    } else {
      int64_t value = input.Int(row);
      out.ints()[row] = (value > 0) - (value < 0);
    }
  }
  return Status::OK();
}

enum class Rounding { kFloor, kCeil, kHalfAway };

double RoundDouble(double value, Rounding mode) {
  switch (mode) {
    case Rounding::kFloor: return std::floor(value);
    case Rounding::kCeil: return std::ceil(value);
    case Rounding::kHalfAway: return std::round(value);
  }
  return value;
}

// Divides an unscaled value by 10^digits with the given rounding.
int64_t RoundUnscaled(int64_t value, int digits, Rounding mode) {
  if (digits <= 0) return value;
  if (digits > kMaxDecimalDigits) {
    if (mode == Rounding::kFloor) return value < 0 ? -1 : 0;
    if (mode == Rounding::kCeil) return value > 0 ? 1 : 0;
    return 0;
  }
  if (mode == Rounding::kHalfAway) return DivideRounded(value, digits);
  int64_t divisor = Pow10(digits);
  int64_t quotient = value / divisor;
  int64_t remainder = value % divisor;
  if (mode == Rounding::kFloor && remainder < 0) --quotient;
  if (mode == Rounding::kCeil && remainder > 0) ++quotient;
  return quotient;
}

// FLOOR / CEIL / ROUND with one argument.
template <Rounding kMode>
Status RoundKernel(const KernelArgs& args, Column& out) {
  const Vector& input = args.args[0];
  const DataType& in_type = input.column().type();
  for (size_t row = 0; row < args.num_rows; ++row) {
    switch (in_type.id()) {
      case TypeId::kDouble: out.doubles()[row] = RoundDouble(input.Double(row), kMode); break;
      case TypeId::kDecimal:
        out.ints()[row] = RoundUnscaled(input.Int(row), in_type.scale(), kMode);
        break;
      default: out.ints()[row] = input.Int(row); break;  // integers are already whole
    }
  }
  return Status::OK();
}

// Rounds half away from zero to `places` decimal places (negative: tens, hundreds, ...).
double RoundDoubleTo(double value, int64_t places) {
  // 10^308 is the largest finite power of ten; beyond it the answer is value itself or zero.
  if (places > 308) return value;
  if (places < -308) return 0.0 * value;  // keeps the sign of zero and NaN
  if (places >= 0) {
    double factor = std::pow(10.0, static_cast<double>(places));
    double scaled = value * factor;
    return std::isfinite(scaled) ? std::round(scaled) / factor : value;
  }
  double factor = std::pow(10.0, static_cast<double>(-places));
  return std::round(value / factor) * factor;
}

// ROUND(x, d): d digits after the point; negative d rounds to tens, hundreds...
Status RoundDigitsKernel(const KernelArgs& args, Column& out) {
  const Vector& input = args.args[0];
  const Vector& digits = args.args[1];
  const DataType& type = out.type();
  for (size_t row = 0; row < args.num_rows; ++row) {
    if (!out.valid()[row]) continue;
    // Clamped so `scale - places` cannot overflow; past +-1000 the answer no longer changes.
    int64_t places = std::clamp<int64_t>(digits.Int(row), -1000, 1000);
    if (type.id() == TypeId::kDouble) {
      out.doubles()[row] = RoundDoubleTo(input.Double(row), places);
      continue;
    }
    int64_t value = input.Int(row);
    int64_t drop = type.scale() - places;  // digits to round away
    int64_t rounded = value;
    if (drop > kMaxDecimalDigits) {
      rounded = 0;  // |value| < 10^18 rounds to zero at this place
    } else if (drop > 0) {
      int digits_dropped = static_cast<int>(drop);
      rounded = RoundUnscaled(value, digits_dropped, Rounding::kHalfAway);
      if (__builtin_mul_overflow(rounded, Pow10(digits_dropped), &rounded)) rounded = INT64_MAX;
    }
    if (!FitsPrecision(rounded, type.precision())) {
      return args.Error(row, type.ToString() + " overflow in round(" + CellText(input, row) + ", " +
                                 CellText(digits, row) + ")");
    }
    out.ints()[row] = rounded;
  }
  return Status::OK();
}

// A DOUBLE function of one or two DOUBLE arguments. `check` returns an error message for
// arguments outside the domain, or null.
using DoubleFn1 = double (*)(double);
using DoubleCheck1 = const char* (*)(double);

template <DoubleFn1 kFn, DoubleCheck1 kCheck>
Status UnaryDoubleKernel(const KernelArgs& args, Column& out) {
  const Vector& input = args.args[0];
  for (size_t row = 0; row < args.num_rows; ++row) {
    if (!out.valid()[row]) continue;
    double value = input.Double(row);
    if (const char* problem = kCheck(value)) {
      return args.Error(
          row, std::string(args.function_name) + "(" + CellText(input, row) + "): " + problem);
    }
    double result = kFn(value);
    if (std::isinf(result) && std::isfinite(value)) {
      return args.Error(row, std::string(args.function_name) + "(" + CellText(input, row) +
                                 "): result out of DOUBLE range");
    }
    out.doubles()[row] = result;
  }
  return Status::OK();
}

const char* NoCheck(double) { return nullptr; }
const char* SqrtCheck(double x) {
  return x < 0 ? "cannot take the square root of a negative number" : nullptr;
}
const char* LogCheck(double x) {
  return x == 0  ? "cannot take the logarithm of zero"
         : x < 0 ? "cannot take the logarithm of a negative number"
                 : nullptr;
}
double Sqrt(double x) { return std::sqrt(x); }
double Exp(double x) { return std::exp(x); }
double Ln(double x) { return std::log(x); }
double Log10(double x) { return std::log10(x); }

Status PowerKernel(const KernelArgs& args, Column& out) {
  const Vector& base = args.args[0];
  const Vector& exponent = args.args[1];
  for (size_t row = 0; row < args.num_rows; ++row) {
    if (!out.valid()[row]) continue;
    double x = base.Double(row), y = exponent.Double(row);
    const char* problem = nullptr;
    if (x == 0 && y < 0) problem = "zero raised to a negative power is undefined";
    if (x < 0 && std::isfinite(y) && std::floor(y) != y) {
      problem = "a negative number raised to a non-integer power is not a real number";
    }
    double result = std::pow(x, y);
    if (problem == nullptr && std::isinf(result) && std::isfinite(x) && std::isfinite(y)) {
      problem = "result out of DOUBLE range";
    }
    if (problem != nullptr) {
      return args.Error(
          row, "power(" + CellText(base, row) + ", " + CellText(exponent, row) + "): " + problem);
    }
    out.doubles()[row] = result;
  }
  return Status::OK();
}

// GREATEST / LEAST over arguments of one (unified) type, skipping NULLs: NULL only when every
// argument is NULL (PostgreSQL's rule).
template <bool kGreatest>
Status ExtremeKernel(const KernelArgs& args, Column& out) {
  PhysicalKind kind = out.type().physical();
  auto better = [](const auto& candidate, const auto& best) {
    return kGreatest ? candidate > best : candidate < best;
  };
  bool shares_strings = false;
  for (size_t row = 0; row < args.num_rows; ++row) {
    if (!out.valid()[row]) continue;
    int best_arg = -1;
    for (size_t arg_idx = 0; arg_idx < args.args.size(); ++arg_idx) {
      const Vector& arg = args.args[arg_idx];
      if (!arg.IsValid(row)) continue;
      if (best_arg >= 0) {
        const Vector& best = args.args[static_cast<size_t>(best_arg)];
        bool wins = kind == PhysicalKind::kDouble   ? better(arg.Double(row), best.Double(row))
                    : kind == PhysicalKind::kString ? better(arg.String(row), best.String(row))
                                                    : better(arg.Int(row), best.Int(row));
        if (!wins) continue;
      }
      best_arg = static_cast<int>(arg_idx);
    }
    if (best_arg < 0) {
      out.valid()[row] = 0;
      continue;
    }
    const Vector& best = args.args[static_cast<size_t>(best_arg)];
    switch (kind) {
      case PhysicalKind::kDouble: out.doubles()[row] = best.Double(row); break;
      case PhysicalKind::kString:
        out.strings()[row] = best.String(row);
        shares_strings = true;
        break;
      default: out.ints()[row] = best.Int(row); break;
    }
  }
  if (shares_strings) {
    for (const Vector& arg : args.args) ShareStringArenas(arg.column(), out);
  }
  return Status::OK();
}

Status RandomKernel(const KernelArgs& args, Column& out) {
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  std::mt19937_64& generator = args.context.random();
  for (size_t row = 0; row < args.num_rows; ++row) out.doubles()[row] = uniform(generator);
  return Status::OK();
}

}  // namespace

void RegisterMathFunctions(FunctionRegistry& registry) {
  DataType integer = DataType::Integer(), bigint = DataType::Bigint(), dbl = DataType::Double();

  registry.Add(MakeFunction("abs", 1, 1, "absolute value",
                        {{{integer}, false, integer, nullptr, AbsKernel},
                         {{bigint}, false, bigint, nullptr, AbsKernel},
                         {{kAnyDecimal}, false, kAnyDecimal, FirstArgType, AbsKernel},
                         {{dbl}, false, dbl, nullptr, AbsKernel}}));
  registry.Add(MakeFunction("sign", 1, 1, "-1, 0 or 1 by the sign of a number",
                        {{{bigint}, false, integer, nullptr, SignKernel},
                         {{kAnyDecimal}, false, integer, nullptr, SignKernel},
                         {{dbl}, false, dbl, nullptr, SignKernel}}),
               {"signum"});

  auto rounding = [&](Status (*kernel)(const KernelArgs&, Column&)) {
    return std::vector<FunctionOverload>{
        {{integer}, false, integer, nullptr, kernel},
        {{bigint}, false, bigint, nullptr, kernel},
        {{kAnyDecimal}, false, kAnyDecimal, IntegralDecimalType, kernel},
        {{dbl}, false, dbl, nullptr, kernel}};
  };
  std::vector<FunctionOverload> round = rounding(RoundKernel<Rounding::kHalfAway>);
  round.push_back(
      {{kAnyDecimal, bigint}, false, kAnyDecimal, RoundDigitsDecimalType, RoundDigitsKernel});
  round.push_back({{dbl, bigint}, false, dbl, nullptr, RoundDigitsKernel});
  registry.Add(MakeFunction("round", 1, 2, "rounds half away from zero [to d decimal places]",
                        std::move(round)));
  registry.Add(MakeFunction("floor", 1, 1, "largest whole number not above x",
                        rounding(RoundKernel<Rounding::kFloor>)));
  registry.Add(MakeFunction("ceil", 1, 1, "smallest whole number not below x",
                        rounding(RoundKernel<Rounding::kCeil>)),
               {"ceiling"});

  registry.Add(MakeFunction("power", 2, 2, "x raised to the power y",
                        {{{dbl, dbl}, false, dbl, nullptr, PowerKernel}}),
               {"pow"});
  registry.Add(MakeFunction("sqrt", 1, 1, "square root",
                        {{{dbl}, false, dbl, nullptr, UnaryDoubleKernel<Sqrt, SqrtCheck>}}));
  registry.Add(MakeFunction("exp", 1, 1, "e raised to the power x",
                        {{{dbl}, false, dbl, nullptr, UnaryDoubleKernel<Exp, NoCheck>}}));
  registry.Add(MakeFunction("ln", 1, 1, "natural logarithm",
                        {{{dbl}, false, dbl, nullptr, UnaryDoubleKernel<Ln, LogCheck>}}));
  registry.Add(MakeFunction("log10", 1, 1, "base-10 logarithm",
                        {{{dbl}, false, dbl, nullptr, UnaryDoubleKernel<Log10, LogCheck>}}));

  for (bool greatest : {true, false}) {
    std::vector<FunctionOverload> overloads;
    ScalarKernel kernel = greatest ? ExtremeKernel<true> : ExtremeKernel<false>;
    for (const DataType& type : {integer, bigint, dbl, DataType::Varchar(), DataType::Timestamp(),
                                 DataType::Date(), DataType::Boolean()}) {
      overloads.push_back({{type}, true, type, nullptr, kernel});
    }
    overloads.push_back({{kAnyDecimal}, true, kAnyDecimal, FirstArgType, kernel});
    ScalarFunction function =
        MakeFunction(greatest ? "greatest" : "least", 1, -1,
                 greatest ? "largest non-NULL argument" : "smallest non-NULL argument",
                 std::move(overloads));
    function.unify_args = true;
    function.null_handling = NullHandling::kCustom;
    registry.Add(std::move(function));
  }

  ScalarFunction random = MakeFunction("random", 0, 0, "a uniform random DOUBLE in [0, 1)",
                                   {{{}, false, dbl, nullptr, RandomKernel}});
  random.per_row = true;
  registry.Add(std::move(random), {"rand"});
}

}  // namespace sluice
