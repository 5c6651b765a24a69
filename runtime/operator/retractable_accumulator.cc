#include "runtime/operator/retractable_accumulator.h"

#include <cstring>

#include "common/big_endian.h"
#include "runtime/operator/aggregate_accumulator.h"

namespace sluice {

namespace {

// The payload of a non-NULL cell (after EncodeCell's tag byte) as a number.
int64_t DecodeInt64(std::string_view cell) { return ReadOrderedInt64(cell.substr(1)); }

double DecodeDouble(std::string_view cell) {
  uint64_t bits = ReadBigEndian(cell.substr(1), 8);
  // EncodeCell flipped every bit of a negative number and only the sign bit of the others.
  bits = (bits & (1ULL << 63)) ? bits ^ (1ULL << 63) : ~bits;
  double value = 0;
  std::memcpy(&value, &bits, sizeof value);
  return value;
}

std::string DecodeString(std::string_view cell) {
  std::string text;
  for (size_t byte_idx = 1; byte_idx < cell.size(); ++byte_idx) {
    char c = cell[byte_idx];
    if (c == '\0') {
      // "\0\xff" is an escaped NUL, "\0\0" the end.
      if (byte_idx + 1 < cell.size() && cell[byte_idx + 1] == '\xff') {
        text.push_back('\0');
        ++byte_idx;
        continue;
      }
      break;
    }
    text.push_back(c);
  }
  return text;
}

bool IsNullCell(std::string_view cell) { return cell.empty() || cell[0] == '\0'; }

}  // namespace

void ApplyCell(const AggregateCall& call, PhysicalKind kind, std::string_view cell, int sign,
               RetractableAccumulator& acc) {
  if (call.function == AggregateFunction::kCountStar) {
    acc.count += sign;
    return;
  }
  if (IsNullCell(cell)) return;
  acc.count += sign;
  if (call.distinct || call.function == AggregateFunction::kMin ||
      call.function == AggregateFunction::kMax) {
    auto it = acc.values.find(cell);
    if (it == acc.values.end()) {
      if (sign > 0) acc.values.emplace(std::string(cell), sign);
      return;  // retracting a value the group does not hold changes nothing
    }
    it->second += sign;
    if (it->second <= 0) acc.values.erase(it);
    return;
  }
  if (call.function != AggregateFunction::kSum && call.function != AggregateFunction::kAvg) return;
  if (kind == PhysicalKind::kDouble) {
    acc.double_sum += sign * DecodeDouble(cell);
  } else {
    const int64_t value = DecodeInt64(cell);
    acc.int_sum += sign * value;
    acc.double_sum += sign * static_cast<double>(value);
  }
  if (acc.count == 0) {
    // An empty group starts over: no rounding residue of retracted doubles survives.
    acc.int_sum = 0;
    acc.double_sum = 0;
  }
}

void AppendDecodedCell(std::string_view cell, Column& out) {
  if (IsNullCell(cell)) {
    out.AppendNull();
    return;
  }
  switch (out.type().physical()) {
    case PhysicalKind::kInt64: out.AppendInt64(DecodeInt64(cell)); return;
    case PhysicalKind::kDouble: out.AppendDouble(DecodeDouble(cell)); return;
    case PhysicalKind::kString: out.AppendString(DecodeString(cell)); return;
    default: out.AppendNull(); return;
  }
}

void AppendRetractableResult(const AggregateCall& call, const RetractableAccumulator& acc,
                             Column& out) {
  if (call.distinct) {
    out.AppendInt64(static_cast<int64_t>(acc.values.size()));
    return;
  }
  if (AppendArithmeticResult(call, acc.count, acc.int_sum, acc.double_sum, out)) return;
  switch (call.function) {
    case AggregateFunction::kMin:
      if (acc.values.empty()) break;
      AppendDecodedCell(acc.values.begin()->first, out);
      return;
    case AggregateFunction::kMax:
      if (acc.values.empty()) break;
      AppendDecodedCell(acc.values.rbegin()->first, out);
      return;
    default: break;
  }
  out.AppendNull();
}

}  // namespace sluice
