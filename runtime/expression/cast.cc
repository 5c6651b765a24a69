#include "runtime/expression/cast.h"

#include <cctype>
#include <charconv>
#include <cmath>

#include "common/json_codec.h"
#include "runtime/expression/evaluate.h"
#include "runtime/expression/evaluate_internal.h"
#include "runtime/function/decimal_util.h"

namespace sluice {

namespace {

std::string_view TrimSpaces(std::string_view text) {
  size_t begin = 0, end = text.size();
  while (begin < end && (text[begin] == ' ' || (text[begin] >= '\t' && text[begin] <= '\r'))) {
    ++begin;
  }
  while (end > begin && (text[end - 1] == ' ' || (text[end - 1] >= '\t' && text[end - 1] <= '\r'))) {
    --end;
  }
  return text.substr(begin, end - begin);
}

// The value as it appears in a message; long text is cut.
std::string Quoted(std::string_view text) {
  constexpr size_t kMaxShown = 64;
  if (text.size() > kMaxShown) return "'" + std::string(text.substr(0, kMaxShown)) + "...'";
  return "'" + std::string(text) + "'";
}

Status CannotCast(const KernelArgs& args, size_t row, const std::string& shown,
                  const DataType& to, std::string_view why = {}) {
  std::string message = "cannot cast " + shown + " to " + to.ToString();
  if (!why.empty()) message += ": " + std::string(why);
  return args.Error(row, std::move(message));
}

// The source cell of `row` as text for messages.
std::string Shown(const Vector& in, size_t row) {
  Value value = in.column().GetValue(in.Index(row));
  return value.ToSqlLiteral();
}

enum class ParseOutcome { kOk, kInvalid, kOutOfRange };

ParseOutcome ParseInt64(std::string_view text, int64_t* value) {
  text = TrimSpaces(text);
  if (!text.empty() && text[0] == '+') text.remove_prefix(1);
  if (text.empty()) return ParseOutcome::kInvalid;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), *value);
  if (error == std::errc::result_out_of_range) return ParseOutcome::kOutOfRange;
  if (error != std::errc() || end != text.data() + text.size()) return ParseOutcome::kInvalid;
  return ParseOutcome::kOk;
}

bool ParseDouble(std::string_view text, double* value) {
  text = TrimSpaces(text);
  if (!text.empty() && text[0] == '+') text.remove_prefix(1);
  if (text.empty()) return false;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), *value);
  // Out of range text ("1e999") becomes infinity as in IEEE; from_chars reports it separately.
  if (error == std::errc::result_out_of_range) {
    *value = text[0] == '-' ? -HUGE_VAL : HUGE_VAL;
    return end == text.data() + text.size();
  }
  return error == std::errc() && end == text.data() + text.size();
}

bool ParseBoolean(std::string_view text, bool* value) {
  std::string lower;
  for (char c : TrimSpaces(text)) lower.push_back(static_cast<char>(std::tolower(c)));
  if (lower == "t" || lower == "true" || lower == "y" || lower == "yes" || lower == "on" ||
      lower == "1") {
    *value = true;
    return true;
  }
  if (lower == "f" || lower == "false" || lower == "n" || lower == "no" || lower == "off" ||
      lower == "0") {
    *value = false;
    return true;
  }
  return false;
}

// Rounds a double to an int64 within [min, max]; false when it is NaN or out of range.
bool DoubleToInt(double value, int64_t min, int64_t max, int64_t* out) {
  double rounded = std::round(value);
  // 2^63 is exactly representable; anything at or above it does not fit an int64.
  if (!(rounded >= -9223372036854775808.0 && rounded < 9223372036854775808.0)) return false;
  int64_t result = static_cast<int64_t>(rounded);
  if (result < min || result > max) return false;
  *out = result;
  return true;
}

Status CastToVarchar(const KernelArgs& args, const DataType& from, Column& out) {
  const Vector& in = args.args[0];
  StringArena& arena = out.own_arena();
  std::string text;
  for (size_t row = 0; row < args.num_rows; ++row) {
    if (!out.valid()[row]) continue;
    text.clear();
    switch (from.id()) {
      case TypeId::kBoolean: text = in.Int(row) != 0 ? "true" : "false"; break;
      case TypeId::kInteger:
      case TypeId::kBigint: text = std::to_string(in.Int(row)); break;
      case TypeId::kDouble: text = FormatDouble(in.Double(row)); break;
      case TypeId::kDecimal: AppendDecimalText(in.Int(row), from.scale(), text); break;
      case TypeId::kTimestamp: text = FormatTimestamp(in.Int(row)); break;
      case TypeId::kDate: text = FormatDate(static_cast<int32_t>(in.Int(row))); break;
      case TypeId::kVarchar: text = in.String(row); break;
      case TypeId::kBytes: text = Value::Bytes(std::string(in.String(row))).ToString(); break;
      case TypeId::kStruct:
      case TypeId::kArray:
      case TypeId::kMap: text = in.Nested(row).ToString(); break;
      case TypeId::kNull: break;
    }
    out.strings()[row] = arena.Add(text);
  }
  return Status::OK();
}

Status CastFromVarchar(const KernelArgs& args, Column& out) {
  const Vector& in = args.args[0];
  const DataType& to = out.type();
  for (size_t row = 0; row < args.num_rows; ++row) {
    if (!out.valid()[row]) continue;
    std::string_view text = in.String(row);
    switch (to.id()) {
      case TypeId::kBoolean: {
        bool value;
        if (!ParseBoolean(text, &value)) return CannotCast(args, row, Quoted(text), to);
        out.ints()[row] = value ? 1 : 0;
        break;
      }
      case TypeId::kInteger:
      case TypeId::kBigint: {
        int64_t value;
        ParseOutcome outcome = ParseInt64(text, &value);
        if (outcome == ParseOutcome::kOk && to.id() == TypeId::kInteger &&
            (value < INT32_MIN || value > INT32_MAX)) {
          outcome = ParseOutcome::kOutOfRange;
        }
        if (outcome == ParseOutcome::kInvalid) return CannotCast(args, row, Quoted(text), to);
        if (outcome == ParseOutcome::kOutOfRange) {
          return CannotCast(args, row, Quoted(text), to, "out of range");
        }
        out.ints()[row] = value;
        break;
      }
      case TypeId::kDouble: {
        double value;
        if (!ParseDouble(text, &value)) return CannotCast(args, row, Quoted(text), to);
        out.doubles()[row] = value;
        break;
      }
      case TypeId::kDecimal: {
        Result<int64_t> value = ParseDecimal(TrimSpaces(text), to.precision(), to.scale());
        if (!value.ok()) return args.Error(row, value.status().message());
        out.ints()[row] = *value;
        break;
      }
      case TypeId::kTimestamp: {
        Result<int64_t> value = ParseTimestamp(TrimSpaces(text));
        if (!value.ok()) return args.Error(row, value.status().message());
        out.ints()[row] = *value;
        break;
      }
      case TypeId::kDate: {
        Result<int32_t> value = ParseDate(TrimSpaces(text));
        if (!value.ok()) return args.Error(row, value.status().message());
        out.ints()[row] = *value;
        break;
      }
      default: return CannotCast(args, row, Quoted(text), to);
    }
  }
  return Status::OK();
}

// Targets stored as int64: integers, BOOLEAN, DECIMAL, TIMESTAMP, DATE.
Status CastToInt64(const KernelArgs& args, const DataType& from, Column& out) {
  const Vector& in = args.args[0];
  const DataType& to = out.type();
  int64_t min = to.id() == TypeId::kInteger ? INT32_MIN : INT64_MIN;
  int64_t max = to.id() == TypeId::kInteger ? INT32_MAX : INT64_MAX;
  for (size_t row = 0; row < args.num_rows; ++row) {
    if (!out.valid()[row]) continue;
    int64_t result = 0;
    bool ok = true;
    if (from.id() == TypeId::kDouble) {
      double value = in.Double(row);
      if (to.id() == TypeId::kDecimal) {
        double scaled = std::round(value * static_cast<double>(Pow10(to.scale())));
        double limit = static_cast<double>(Pow10(to.precision()));
        ok = scaled > -limit && scaled < limit;
        if (ok) result = static_cast<int64_t>(scaled);
      } else if (to.id() == TypeId::kBoolean) {
        result = value != 0;
      } else {
        ok = DoubleToInt(value, min, max, &result);
      }
    } else {
      int64_t value = in.Int(row);
      int from_scale = from.id() == TypeId::kDecimal ? from.scale() : 0;
      switch (to.id()) {
        case TypeId::kBoolean: result = value != 0; break;
        case TypeId::kInteger:
        case TypeId::kBigint:
          result = from_scale > 0 ? DivideRounded(value, from_scale) : value;
          ok = result >= min && result <= max;
          break;
        case TypeId::kDecimal:
          ok = Rescale(value, from_scale, to.scale(), &result) &&
               FitsPrecision(result, to.precision());
          break;
        case TypeId::kTimestamp:
          if (from.id() == TypeId::kDate) {
            ok = !__builtin_mul_overflow(value, int64_t{86'400'000}, &result);
          } else {
            result = value;
          }
          break;
        case TypeId::kDate:
          // Floor division, so that instants before 1970 land on the previous day.
          result = value / 86'400'000 - (value % 86'400'000 < 0 ? 1 : 0);
          break;
        default: ok = false;
      }
    }
    if (!ok) return CannotCast(args, row, Shown(in, row), to, "out of range");
    out.ints()[row] = result;
  }
  return Status::OK();
}

Status CastToDouble(const KernelArgs& args, const DataType& from, Column& out) {
  const Vector& in = args.args[0];
  double divisor = from.id() == TypeId::kDecimal ? static_cast<double>(Pow10(from.scale())) : 1.0;
  for (size_t row = 0; row < args.num_rows; ++row) {
    if (!out.valid()[row]) continue;
    out.doubles()[row] = static_cast<double>(in.Int(row)) / divisor;
  }
  return Status::OK();
}

Status CastNestedKernel(const KernelArgs& args, Column& out) {
  const Vector& in = args.args[0];
  for (size_t row = 0; row < args.num_rows; ++row) {
    if (!out.valid()[row]) continue;
    Result<Value> value = CastValue(in.Nested(row), out.type());
    if (!value.ok()) return args.Error(row, value.status().message());
    out.nested()[row] = std::move(value).value();
  }
  return Status::OK();
}

Result<Value> CastNestedValue(const Value& value, const DataType& to) {
  const NestedValue& nested = value.nested();
  std::vector<Value> children;
  children.reserve(nested.values.size());
  for (size_t child_idx = 0; child_idx < nested.values.size(); ++child_idx) {
    const DataType& child_type =
        to.id() == TypeId::kStruct ? to.children()[child_idx] : to.children()[0];
    ASSIGN_OR_RETURN(Value child, CastValue(nested.values[child_idx], child_type));
    children.push_back(std::move(child));
  }
  switch (to.id()) {
    case TypeId::kArray: return Value::Array(to, std::move(children));
    case TypeId::kMap: return Value::Map(to, nested.keys, std::move(children));
    default: return Value::Struct(to, std::move(children));
  }
}

}  // namespace

Status CastKernel(const KernelArgs& args, Column& out) {
  const Vector& in = args.args[0];
  const DataType& from = in.column().type();
  const DataType& to = out.type();
  if (from.id() == TypeId::kNull) {
    out.valid().assign(args.num_rows, 0);
    return Status::OK();
  }
  if (from == to) {
    CopyRows(in, out.valid().data(), args.num_rows, out);
    return Status::OK();
  }
  if (to.id() == TypeId::kVarchar) return CastToVarchar(args, from, out);
  if (to.is_nested()) return CastNestedKernel(args, out);
  if (to.id() == TypeId::kBytes) {  // VARCHAR -> BYTES keeps the bytes, shared not copied
    CopyRows(in, out.valid().data(), args.num_rows, out);
    return Status::OK();
  }
  if (from.id() == TypeId::kVarchar) return CastFromVarchar(args, out);
  if (to.id() == TypeId::kDouble) return CastToDouble(args, from, out);
  if (to.physical() == PhysicalKind::kInt64) return CastToInt64(args, from, out);
  return Status::Internal("no cast from " + from.ToString() + " to " + to.ToString());
}

Result<Value> CastValue(const Value& value, const DataType& to) {
  if (value.type() == to) return value;
  if (value.is_null()) return Value::Null(to);
  if (to.is_nested() && value.type().is_nested()) return CastNestedValue(value, to);
  Column cell(value.type());
  cell.AppendValue(value);
  EvalContext context;
  Vector in = Vector::Borrow(cell, true);
  KernelArgs args{std::span<const Vector>(&in, 1), 1, nullptr, context, 0, "CAST", 0};
  Column out = NewColumn(to, 1);
  RETURN_NOT_OK(CastKernel(args, out));
  return out.GetValue(0);
}

}  // namespace sluice
