#pragma once
// The bound expression tree: typed nodes the binder builds (see expression_factory.h) and the
// evaluator runs a batch at a time (see evaluate.h). Nodes are immutable once built; anything
// worth preparing once (a compiled LIKE pattern, a regex, the set of an IN list, a literal's cell)
// is prepared when the node is made, so evaluation never re-parses per batch.

#include <cassert>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/batch.h"
#include "common/types.h"
#include "common/value.h"
#include "runtime/expression/like_matcher.h"
#include "runtime/function/function.h"

namespace sluice {

enum class ExpressionKind : uint8_t {
  kColumnRef,
  kLiteral,
  kFunctionCall,  // also arithmetic, comparison and || operators
  kCast,
  kCase,
  kAnd,
  kOr,
  kNot,
  kIsNull,
  kInList,
  kLike,
  kCoalesce,
  kNullIf,
  kStructField,
  kMapAccess,
  kArraySubscript,
};

class Expression;
using ExpressionPtr = std::unique_ptr<Expression>;

class Expression {
 public:
  virtual ~Expression() = default;
  Expression(const Expression&) = delete;
  Expression& operator=(const Expression&) = delete;

  ExpressionKind kind() const { return kind_; }
  const DataType& type() const { return type_; }
  // Byte offset into the SQL text this node came from, or -1.
  int64_t position() const { return position_; }
  const std::vector<ExpressionPtr>& children() const { return children_; }
  const Expression& child(size_t index) const { return *children_[index]; }
  // The value when this node is a literal, else null.
  const Value* literal() const;

  // Deep copy; prepared state (compiled patterns, function state) is shared, not rebuilt.
  virtual ExpressionPtr Clone() const = 0;
  // SQL-like text for messages and plan display, e.g. "(#2 * 0.908)" (#n: input column n).
  std::string ToString() const;

  template <typename T>
  const T& As() const {
    assert(T::Matches(kind_));
    return static_cast<const T&>(*this);
  }

 protected:
  Expression(ExpressionKind kind, DataType type, int64_t position,
             std::vector<ExpressionPtr> children)
      : kind_(kind), type_(std::move(type)), position_(position), children_(std::move(children)) {}
  std::vector<ExpressionPtr> CloneChildren() const;

 private:
  ExpressionKind kind_;
  DataType type_;
  int64_t position_;
  std::vector<ExpressionPtr> children_;
};

// Reads input column `index` of the batch. Evaluation shares the column's cells, never copies
// string bytes.
class ColumnRefExpression final : public Expression {
 public:
  static constexpr ExpressionKind kKind = ExpressionKind::kColumnRef;
  static bool Matches(ExpressionKind kind) { return kind == kKind; }
  ColumnRefExpression(int index, DataType type, int64_t position)
      : Expression(kKind, std::move(type), position, {}), index_(index) {}
  ExpressionPtr Clone() const override;
  int index() const { return index_; }

 private:
  int index_;
};

// A constant. Its one-row cell is built once here and broadcast by the evaluator.
class LiteralExpression final : public Expression {
 public:
  static constexpr ExpressionKind kKind = ExpressionKind::kLiteral;
  static bool Matches(ExpressionKind kind) { return kind == kKind; }
  LiteralExpression(Value value, int64_t position);
  ExpressionPtr Clone() const override;
  const Value& value() const { return value_; }
  const Column& cell() const { return cell_; }

 private:
  Value value_;
  Column cell_;
};

// A resolved scalar function or operator. Children are already cast to the overload's parameter
// types, so the kernel never converts.
class FunctionCallExpression final : public Expression {
 public:
  static constexpr ExpressionKind kKind = ExpressionKind::kFunctionCall;
  static bool Matches(ExpressionKind kind) { return kind == kKind; }
  FunctionCallExpression(const ScalarFunction& function, size_t overload_index,
                         std::shared_ptr<const FunctionState> state, DataType type,
                         std::vector<ExpressionPtr> args, int64_t position)
      : Expression(kKind, std::move(type), position, std::move(args)),
        function_(&function),
        overload_index_(overload_index),
        state_(std::move(state)) {}
  ExpressionPtr Clone() const override;
  const ScalarFunction& function() const { return *function_; }
  const FunctionOverload& overload() const { return function_->overloads[overload_index_]; }
  const FunctionState* state() const { return state_.get(); }

 private:
  const ScalarFunction* function_;  // owned by the global FunctionRegistry
  size_t overload_index_;
  std::shared_ptr<const FunctionState> state_;
};

// CAST(child AS type()).
class CastExpression final : public Expression {
 public:
  static constexpr ExpressionKind kKind = ExpressionKind::kCast;
  static bool Matches(ExpressionKind kind) { return kind == kKind; }
  CastExpression(ExpressionPtr operand, DataType target, int64_t position);
  ExpressionPtr Clone() const override;
};

// Searched CASE: children are WHEN0, THEN0, WHEN1, THEN1, ... [, ELSE]. A branch is evaluated only
// for the rows that reach it, so `CASE WHEN x = 0 THEN 0 ELSE 1 / x END` never divides by zero.
class CaseExpression final : public Expression {
 public:
  static constexpr ExpressionKind kKind = ExpressionKind::kCase;
  static bool Matches(ExpressionKind kind) { return kind == kKind; }
  CaseExpression(std::vector<ExpressionPtr> children, bool has_else, DataType type,
                 int64_t position)
      : Expression(kKind, std::move(type), position, std::move(children)), has_else_(has_else) {}
  ExpressionPtr Clone() const override;
  bool has_else() const { return has_else_; }
  size_t num_whens() const { return (children().size() - (has_else_ ? 1 : 0)) / 2; }

 private:
  bool has_else_;
};

// n-ary AND / OR with three-valued logic. Later children are evaluated only for rows the earlier
// ones left undecided (SQL leaves this open; users rely on `x <> 0 AND 10 / x > 1`).
class ConjunctionExpression final : public Expression {
 public:
  static constexpr ExpressionKind kKind = ExpressionKind::kAnd;
  static bool Matches(ExpressionKind kind) {
    return kind == ExpressionKind::kAnd || kind == ExpressionKind::kOr;
  }
  ConjunctionExpression(ExpressionKind kind, std::vector<ExpressionPtr> children, int64_t position)
      : Expression(kind, DataType::Boolean(), position, std::move(children)) {}
  ExpressionPtr Clone() const override;
};

class NotExpression final : public Expression {
 public:
  static constexpr ExpressionKind kKind = ExpressionKind::kNot;
  static bool Matches(ExpressionKind kind) { return kind == kKind; }
  NotExpression(ExpressionPtr operand, int64_t position);
  ExpressionPtr Clone() const override;
};

class IsNullExpression final : public Expression {
 public:
  static constexpr ExpressionKind kKind = ExpressionKind::kIsNull;
  static bool Matches(ExpressionKind kind) { return kind == kKind; }
  IsNullExpression(ExpressionPtr operand, bool negated, int64_t position);
  ExpressionPtr Clone() const override;
  bool negated() const { return negated_; }

 private:
  bool negated_;
};

// The literal items of an IN list, sorted for binary search, plus whether one of them is NULL
// (which turns a miss into NULL rather than FALSE).
struct InSet {
  std::vector<int64_t> ints;
  std::vector<double> doubles;
  std::vector<std::string> strings;
  std::vector<Value> nested;
  bool has_null = false;
};

// operand [NOT] IN (items): children are the operand then the items, all of one type. When every
// item is a literal, `set` holds them and the items are not evaluated.
class InListExpression final : public Expression {
 public:
  static constexpr ExpressionKind kKind = ExpressionKind::kInList;
  static bool Matches(ExpressionKind kind) { return kind == kKind; }
  InListExpression(std::vector<ExpressionPtr> children, bool negated,
                   std::shared_ptr<const InSet> set, int64_t position)
      : Expression(kKind, DataType::Boolean(), position, std::move(children)),
        negated_(negated),
        set_(std::move(set)) {}
  ExpressionPtr Clone() const override;
  bool negated() const { return negated_; }
  const InSet* set() const { return set_.get(); }

 private:
  bool negated_;
  std::shared_ptr<const InSet> set_;
};

// operand [NOT] LIKE pattern. A literal pattern is compiled once into `matcher`.
class LikeExpression final : public Expression {
 public:
  static constexpr ExpressionKind kKind = ExpressionKind::kLike;
  static bool Matches(ExpressionKind kind) { return kind == kKind; }
  LikeExpression(ExpressionPtr operand, ExpressionPtr pattern, bool negated, char escape,
                 std::shared_ptr<const LikeMatcher> matcher, int64_t position);
  ExpressionPtr Clone() const override;
  bool negated() const { return negated_; }
  char escape() const { return escape_; }
  const LikeMatcher* matcher() const { return matcher_.get(); }

 private:
  bool negated_;
  char escape_;
  std::shared_ptr<const LikeMatcher> matcher_;
};

// COALESCE(a, b, ...): each argument is evaluated only for rows still NULL.
class CoalesceExpression final : public Expression {
 public:
  static constexpr ExpressionKind kKind = ExpressionKind::kCoalesce;
  static bool Matches(ExpressionKind kind) { return kind == kKind; }
  CoalesceExpression(std::vector<ExpressionPtr> args, DataType type, int64_t position)
      : Expression(kKind, std::move(type), position, std::move(args)) {}
  ExpressionPtr Clone() const override;
};

// NULLIF(a, b): children are `a` and the bound comparison `a = b` (so the comparison follows the
// usual promotion rules while the result keeps a's type).
class NullIfExpression final : public Expression {
 public:
  static constexpr ExpressionKind kKind = ExpressionKind::kNullIf;
  static bool Matches(ExpressionKind kind) { return kind == kKind; }
  NullIfExpression(ExpressionPtr value, ExpressionPtr equal, int64_t position);
  ExpressionPtr Clone() const override;
};

// struct_value.field, the field chosen by index at bind time.
class StructFieldExpression final : public Expression {
 public:
  static constexpr ExpressionKind kKind = ExpressionKind::kStructField;
  static bool Matches(ExpressionKind kind) { return kind == kKind; }
  StructFieldExpression(ExpressionPtr operand, int field_index, int64_t position);
  ExpressionPtr Clone() const override;
  int field_index() const { return field_index_; }

 private:
  int field_index_;
};

// map_value[key]: NULL when the key is absent.
class MapAccessExpression final : public Expression {
 public:
  static constexpr ExpressionKind kKind = ExpressionKind::kMapAccess;
  static bool Matches(ExpressionKind kind) { return kind == kKind; }
  MapAccessExpression(ExpressionPtr map, ExpressionPtr key, int64_t position);
  ExpressionPtr Clone() const override;
};

// array_value[index], 1-based as in SQL; NULL when out of range.
class ArraySubscriptExpression final : public Expression {
 public:
  static constexpr ExpressionKind kKind = ExpressionKind::kArraySubscript;
  static bool Matches(ExpressionKind kind) { return kind == kKind; }
  ArraySubscriptExpression(ExpressionPtr array, ExpressionPtr index, int64_t position);
  ExpressionPtr Clone() const override;
};

}  // namespace sluice
