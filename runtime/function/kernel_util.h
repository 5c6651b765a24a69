#pragma once
// Building blocks for vectorized kernels: loops specialised on which arguments are constant (so
// the compiler sees a plain array loop), overflow-checked variants that find the failing row only
// after the fast pass, and UTF-8 helpers for the string functions.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/expression/vector.h"
#include "runtime/function/function.h"

namespace sluice {

// out[row] = op(a[row], b[row]) for all rows; a constant argument is read at index 0.
template <typename A, typename B, typename Out, typename Op>
inline void BinaryLoop(const A* a, bool a_constant, const B* b, bool b_constant, Out* out,
                       size_t rows, Op op) {
  if (a_constant && b_constant) {
    for (size_t row = 0; row < rows; ++row) out[row] = op(a[0], b[0]);
  } else if (a_constant) {
    const A a_value = a[0];
    for (size_t row = 0; row < rows; ++row) out[row] = op(a_value, b[row]);
  } else if (b_constant) {
    const B b_value = b[0];
    for (size_t row = 0; row < rows; ++row) out[row] = op(a[row], b_value);
  } else {
    for (size_t row = 0; row < rows; ++row) out[row] = op(a[row], b[row]);
  }
}

// Like BinaryLoop, but op(a, b, &result) returns false on failure (overflow, zero divisor). Rows
// whose valid byte is 0 are computed too (branch-free) but their failures are ignored. Returns
// the first valid failing row, or -1.
template <typename A, typename B, typename Out, typename Op>
inline int64_t CheckedBinaryLoop(const A* a, bool a_constant, const B* b, bool b_constant,
                                 Out* out, const uint8_t* valid, size_t rows, Op op) {
  bool failed = false;
  auto run = [&](auto get_a, auto get_b) {
    for (size_t row = 0; row < rows; ++row) {
      bool ok = op(get_a(row), get_b(row), &out[row]);
      failed |= !ok & (valid[row] != 0);
    }
  };
  auto at = [](const auto* values) { return [values](size_t row) { return values[row]; }; };
  auto first = [](const auto* values) {
    auto value = values[0];
    return [value](size_t) { return value; };
  };
  if (a_constant && b_constant) {
    run(first(a), first(b));
  } else if (a_constant) {
    run(first(a), at(b));
  } else if (b_constant) {
    run(at(a), first(b));
  } else {
    run(at(a), at(b));
  }
  if (!failed) return -1;
  for (size_t row = 0; row < rows; ++row) {
    Out ignored;
    if (valid[row] != 0 && !op(a[a_constant ? 0 : row], b[b_constant ? 0 : row], &ignored)) {
      return static_cast<int64_t>(row);
    }
  }
  return -1;
}

// The argument's cell at `row` as a SQL literal, for error messages.
std::string CellText(const Vector& vector, size_t row);

// Byte length of the UTF-8 character whose first byte is `lead` (1 for invalid bytes, so that
// malformed text still advances).
inline size_t Utf8CharLength(unsigned char lead) {
  if (lead < 0x80) return 1;
  if ((lead >> 5) == 0x6) return 2;
  if ((lead >> 4) == 0xE) return 3;
  if ((lead >> 3) == 0x1E) return 4;
  return 1;
}

// Number of characters (code points) in UTF-8 text.
size_t Utf8CharCount(std::string_view text);
// Byte offset of character `chars` (0-based), clamped to text.size().
size_t Utf8ByteOffset(std::string_view text, size_t chars);

// Writes `text` as the value of `row` (copied into the column's own arena).
inline void SetString(Column& out, size_t row, std::string_view text) {
  out.strings()[row] = out.own_arena().Add(text);
}

// A function with the given arity and overloads and default flags; callers set the rest.
ScalarFunction MakeFunction(std::string name, int min_args, int max_args, std::string description,
                            std::vector<FunctionOverload> overloads);

}  // namespace sluice
