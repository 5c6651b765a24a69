#pragma once
// Vector: the result of evaluating one expression node over a batch. It either borrows a column
// (an input column, a literal's cell) or owns a freshly computed one, and it may be "constant":
// one cell that stands for every row, so literals and functions of literals are computed once per
// batch rather than once per row.

#include <cstddef>
#include <cstdint>
#include <utility>

#include "common/batch.h"

namespace sluice {

class Vector {
 public:
  Vector() = default;
  Vector(Vector&&) = default;
  Vector& operator=(Vector&&) = default;
  Vector(const Vector&) = delete;
  Vector& operator=(const Vector&) = delete;

  // REQUIRES: `column` outlives the vector (input batch columns, literal cells).
  static Vector Borrow(const Column& column, bool constant) {
    Vector vector;
    vector.borrowed_ = &column;
    vector.constant_ = constant;
    return vector;
  }
  static Vector Own(Column column, bool constant) {
    Vector vector;
    vector.owned_ = std::move(column);
    vector.constant_ = constant;
    return vector;
  }

  const Column& column() const { return borrowed_ != nullptr ? *borrowed_ : owned_; }
  bool constant() const { return constant_; }
  bool owned() const { return borrowed_ == nullptr; }
  // REQUIRES: owned().
  Column& mutable_column() { return owned_; }

  // Index into column() for batch row `row`.
  size_t Index(size_t row) const { return constant_ ? 0 : row; }
  bool IsValid(size_t row) const { return column().valid()[Index(row)] != 0; }
  int64_t Int(size_t row) const { return column().ints()[Index(row)]; }
  double Double(size_t row) const { return column().doubles()[Index(row)]; }
  std::string_view String(size_t row) const { return column().strings()[Index(row)]; }
  const Value& Nested(size_t row) const { return column().nested()[Index(row)]; }

 private:
  const Column* borrowed_ = nullptr;
  Column owned_;
  bool constant_ = false;
};

}  // namespace sluice
