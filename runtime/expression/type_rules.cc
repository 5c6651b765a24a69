#include "runtime/expression/type_rules.h"

#include <algorithm>

namespace sluice {

namespace {

constexpr int kMaxDecimalPrecision = 18;

// Digits before the decimal point a numeric type may need.
int IntegerDigits(const DataType& type) {
  switch (type.id()) {
    case TypeId::kInteger: return 10;
    case TypeId::kBigint: return kMaxDecimalPrecision;
    case TypeId::kDecimal: return type.precision() - type.scale();
    default: return 0;
  }
}

int NumericRank(const DataType& type) {
  switch (type.id()) {
    case TypeId::kInteger: return 0;
    case TypeId::kBigint: return 1;
    case TypeId::kDecimal: return 2;
    case TypeId::kDouble: return 3;
    default: return -1;
  }
}

bool SameFieldNames(const DataType& a, const DataType& b) {
  return a.field_names() == b.field_names();
}

// Applies `rule` child-wise to two nested types of the same kind.
template <typename Rule>
bool ChildrenSatisfy(const DataType& from, const DataType& to, Rule rule) {
  if (from.id() != to.id() || from.children().size() != to.children().size()) return false;
  if (from.id() == TypeId::kStruct && !SameFieldNames(from, to)) return false;
  for (size_t child_idx = 0; child_idx < from.children().size(); ++child_idx) {
    if (!rule(from.children()[child_idx], to.children()[child_idx])) return false;
  }
  return true;
}

}  // namespace

DataType DecimalFor(const DataType& type) {
  switch (type.id()) {
    case TypeId::kInteger: return DataType::Decimal(10, 0);
    case TypeId::kBigint: return DataType::Decimal(kMaxDecimalPrecision, 0);
    default: return type;
  }
}

int ImplicitCastCost(const DataType& from, const DataType& to) {
  if (from == to) return 0;
  if (from.id() == TypeId::kNull) return 1;
  int from_rank = NumericRank(from);
  int to_rank = NumericRank(to);
  if (from_rank >= 0 && to_rank >= 0) {
    if (from.id() == TypeId::kDecimal && to.id() == TypeId::kDecimal) return 1;
    return to_rank > from_rank ? to_rank - from_rank : -1;
  }
  if (from.id() == TypeId::kDate && to.id() == TypeId::kTimestamp) return 1;
  if (from.is_nested()) {
    bool ok = ChildrenSatisfy(from, to, [](const DataType& a, const DataType& b) {
      return CanImplicitCast(a, b);
    });
    return ok ? 1 : -1;
  }
  return -1;
}

bool CanImplicitCast(const DataType& from, const DataType& to) {
  return ImplicitCastCost(from, to) >= 0;
}

bool CanCast(const DataType& from, const DataType& to) {
  if (CanImplicitCast(from, to)) return true;
  if (to.id() == TypeId::kNull) return false;
  if (to.id() == TypeId::kVarchar) return true;  // every value has a text form
  TypeId f = from.id();
  TypeId t = to.id();
  if (f == TypeId::kVarchar) return !to.is_nested();
  if (from.is_numeric() && to.is_numeric()) return true;
  bool from_integral = from.is_integral();
  bool to_integral = to.is_integral();
  if ((f == TypeId::kBoolean && to_integral) || (from_integral && t == TypeId::kBoolean)) {
    return true;
  }
  if ((f == TypeId::kTimestamp && t == TypeId::kDate) ||
      (f == TypeId::kTimestamp && t == TypeId::kBigint) ||
      (f == TypeId::kBigint && t == TypeId::kTimestamp)) {
    return true;
  }
  if (from.is_nested()) return ChildrenSatisfy(from, to, CanCast);
  return false;
}

std::optional<DataType> CommonSuperType(const DataType& a, const DataType& b) {
  if (a == b) return a;
  if (a.id() == TypeId::kNull) return b;
  if (b.id() == TypeId::kNull) return a;
  int rank_a = NumericRank(a);
  int rank_b = NumericRank(b);
  if (rank_a >= 0 && rank_b >= 0) {
    int rank = std::max(rank_a, rank_b);
    if (rank == NumericRank(DataType::Double())) return DataType::Double();
    if (rank == NumericRank(DataType::Bigint())) return DataType::Bigint();
    if (rank == NumericRank(DataType::Integer())) return DataType::Integer();
    int scale = std::max(a.id() == TypeId::kDecimal ? a.scale() : 0,
                         b.id() == TypeId::kDecimal ? b.scale() : 0);
    int digits = std::max(IntegerDigits(a), IntegerDigits(b));
    return DataType::Decimal(std::min(kMaxDecimalPrecision, digits + scale), scale);
  }
  if ((a.id() == TypeId::kDate && b.id() == TypeId::kTimestamp) ||
      (a.id() == TypeId::kTimestamp && b.id() == TypeId::kDate)) {
    return DataType::Timestamp();
  }
  if (a.is_nested() && a.id() == b.id() && a.children().size() == b.children().size()) {
    if (a.id() == TypeId::kStruct && !SameFieldNames(a, b)) return std::nullopt;
    std::vector<DataType> children;
    for (size_t child_idx = 0; child_idx < a.children().size(); ++child_idx) {
      auto child = CommonSuperType(a.children()[child_idx], b.children()[child_idx]);
      if (!child) return std::nullopt;
      children.push_back(*child);
    }
    if (a.id() == TypeId::kArray) return DataType::Array(children[0]);
    if (a.id() == TypeId::kMap) return DataType::Map(children[0]);
    return DataType::Struct(a.field_names(), children);
  }
  return std::nullopt;
}

}  // namespace sluice
