#pragma once
// Parsed (unbound) expressions: what the SQL text says, with byte positions, before any name or
// type resolution. The binder turns these into typed expressions; nothing here knows a schema.

#include <cassert>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/types.h"

namespace sluice {

// A unit of time as written in SQL (SIZE 1 MINUTE, WITHIN 2 SECONDS, INTERVAL 5 DAY).
enum class TimeUnit : uint8_t { kMillisecond, kSecond, kMinute, kHour, kDay };

int64_t TimeUnitMillis(TimeUnit unit);
// Singular upper-case spelling: "MILLISECOND", "SECOND", ...
const char* TimeUnitName(TimeUnit unit);

// A length of time from the SQL text: `count unit`, already converted to milliseconds.
struct Duration {
  int64_t millis = 0;
  int64_t count = 0;  // as written, kept so ToSql reproduces "1 MINUTE" rather than "60000 ..."
  TimeUnit unit = TimeUnit::kMillisecond;
  int64_t position = -1;  // of the count
};

// A SQL type as written (INTEGER, DECIMAL(10, 2), STRUCT<a INT>), converted to a DataType.
struct TypeName {
  DataType type;
  int64_t position = -1;
};

enum class ExprKind : uint8_t {
  kLiteral,
  kColumnRef,
  kStar,
  kFunctionCall,
  kCast,
  kCase,
  kUnary,
  kBinary,
  kIsNull,
  kBetween,
  kInList,
  kLike,
  kFieldAccess,
  kSubscript,
};

// Base of every parsed expression. `position` is the byte offset (into the text given to the
// parser) of the token an error about this node should point at: the operator for unary and binary
// expressions and postfix accessors, the first token otherwise.
struct Expr {
  Expr(ExprKind kind, int64_t position) : kind(kind), position(position) {}
  virtual ~Expr() = default;
  Expr(const Expr&) = delete;
  Expr& operator=(const Expr&) = delete;

  // Deep copy (the binder may need to expand or re-bind a subtree).
  virtual std::unique_ptr<Expr> Clone() const = 0;

  template <typename T>
  const T& As() const {
    assert(kind == T::kKind);
    return static_cast<const T&>(*this);
  }
  template <typename T>
  T& As() {
    assert(kind == T::kKind);
    return static_cast<T&>(*this);
  }

  const ExprKind kind;
  int64_t position;
};

using ExprPtr = std::unique_ptr<Expr>;
using ExprList = std::vector<ExprPtr>;

enum class LiteralKind : uint8_t {
  kNull,
  kBoolean,
  kInteger,    // text: digits with an optional leading '-'; may exceed int64 (binder decides)
  kDecimal,    // text: "12.50", "-0.5", ".5", "1." (a '.', no exponent)
  kDouble,     // text: "1e5", "2.5E-3" (has an exponent)
  kString,     // text: the content, quotes removed and '' unescaped
  kTimestamp,  // TIMESTAMP '...'; text: the string content, not yet validated
  kDate,       // DATE '...'; text: the string content, not yet validated
  kInterval,   // INTERVAL n unit; `interval` holds it
};

// A constant. A minus sign directly before a numeric literal is folded into its text, so
// -9223372036854775808 stays representable.
struct LiteralExpr final : Expr {
  static constexpr ExprKind kKind = ExprKind::kLiteral;
  LiteralExpr(LiteralKind literal_kind, int64_t position)
      : Expr(kKind, position), literal_kind(literal_kind) {}
  ExprPtr Clone() const override;

  LiteralKind literal_kind;
  std::string text;
  bool bool_value = false;  // kBoolean only
  Duration interval;        // kInterval only
};

// A name: `a`, `t.a`, `s.t.a`, `db.s.t.a` or `a.field`. Which prefix names a relation and which
// suffix names struct fields is decided by the binder. Parts are case-folded unless quoted.
struct ColumnRefExpr final : Expr {
  static constexpr ExprKind kKind = ExprKind::kColumnRef;
  explicit ColumnRefExpr(int64_t position) : Expr(kKind, position) {}
  ExprPtr Clone() const override;

  std::vector<std::string> parts;
};

// `*` or `t.*` in a select list (COUNT(*) is FunctionCallExpr::star_arg instead).
struct StarExpr final : Expr {
  static constexpr ExprKind kKind = ExprKind::kStar;
  explicit StarExpr(int64_t position) : Expr(kKind, position) {}
  ExprPtr Clone() const override;

  std::vector<std::string> qualifier;  // empty for a bare `*`
};

// name([DISTINCT] args) or name(*). EXTRACT(unit FROM e) arrives as extract('UNIT', e).
struct FunctionCallExpr final : Expr {
  static constexpr ExprKind kKind = ExprKind::kFunctionCall;
  explicit FunctionCallExpr(int64_t position) : Expr(kKind, position) {}
  ExprPtr Clone() const override;

  std::string name;  // lower case unless quoted
  ExprList args;
  bool distinct = false;
  bool star_arg = false;  // COUNT(*): args is empty
};

struct CastExpr final : Expr {
  static constexpr ExprKind kKind = ExprKind::kCast;
  explicit CastExpr(int64_t position) : Expr(kKind, position) {}
  ExprPtr Clone() const override;

  ExprPtr operand;
  TypeName target;
};

struct WhenClause {
  ExprPtr when;
  ExprPtr then;
};

// CASE [operand] WHEN ... THEN ... [ELSE ...] END. With an operand, each `when` is compared to it.
struct CaseExpr final : Expr {
  static constexpr ExprKind kKind = ExprKind::kCase;
  explicit CaseExpr(int64_t position) : Expr(kKind, position) {}
  ExprPtr Clone() const override;

  ExprPtr operand;  // may be null
  std::vector<WhenClause> whens;
  ExprPtr else_result;  // may be null
};

enum class UnaryOp : uint8_t { kNegate, kNot };

struct UnaryExpr final : Expr {
  static constexpr ExprKind kKind = ExprKind::kUnary;
  UnaryExpr(UnaryOp op, ExprPtr operand, int64_t position)
      : Expr(kKind, position), op(op), operand(std::move(operand)) {}
  ExprPtr Clone() const override;

  UnaryOp op;
  ExprPtr operand;
};

enum class BinaryOp : uint8_t {
  kAdd,
  kSubtract,
  kMultiply,
  kDivide,
  kModulo,
  kConcat,  // ||
  kEqual,
  kNotEqual,  // <> and !=
  kLess,
  kLessEqual,
  kGreater,
  kGreaterEqual,
  kAnd,
  kOr,
};

// SQL spelling of an operator: "+", "<>", "AND", "||".
const char* BinaryOpName(BinaryOp op);

struct BinaryExpr final : Expr {
  static constexpr ExprKind kKind = ExprKind::kBinary;
  BinaryExpr(BinaryOp op, ExprPtr left, ExprPtr right, int64_t position)
      : Expr(kKind, position), op(op), left(std::move(left)), right(std::move(right)) {}
  ExprPtr Clone() const override;

  BinaryOp op;
  ExprPtr left;
  ExprPtr right;
};

// operand IS [NOT] NULL; position is that of IS.
struct IsNullExpr final : Expr {
  static constexpr ExprKind kKind = ExprKind::kIsNull;
  explicit IsNullExpr(int64_t position) : Expr(kKind, position) {}
  ExprPtr Clone() const override;

  ExprPtr operand;
  bool negated = false;
};

// operand [NOT] BETWEEN low AND high; position is that of BETWEEN (or NOT).
struct BetweenExpr final : Expr {
  static constexpr ExprKind kKind = ExprKind::kBetween;
  explicit BetweenExpr(int64_t position) : Expr(kKind, position) {}
  ExprPtr Clone() const override;

  ExprPtr operand;
  ExprPtr low;
  ExprPtr high;
  bool negated = false;
};

// operand [NOT] IN (list); position is that of IN (or NOT). The list is never empty.
struct InListExpr final : Expr {
  static constexpr ExprKind kKind = ExprKind::kInList;
  explicit InListExpr(int64_t position) : Expr(kKind, position) {}
  ExprPtr Clone() const override;

  ExprPtr operand;
  ExprList list;
  bool negated = false;
};

// operand [NOT] LIKE pattern; position is that of LIKE (or NOT).
struct LikeExpr final : Expr {
  static constexpr ExprKind kKind = ExprKind::kLike;
  explicit LikeExpr(int64_t position) : Expr(kKind, position) {}
  ExprPtr Clone() const override;

  ExprPtr operand;
  ExprPtr pattern;
  bool negated = false;
};

// operand->field (struct field or map key by name); position is that of "->".
struct FieldAccessExpr final : Expr {
  static constexpr ExprKind kKind = ExprKind::kFieldAccess;
  explicit FieldAccessExpr(int64_t position) : Expr(kKind, position) {}
  ExprPtr Clone() const override;

  ExprPtr operand;
  std::string field;  // case-folded unless quoted
  int64_t field_position = -1;
};

// operand[index] (array element or map value); position is that of "[".
struct SubscriptExpr final : Expr {
  static constexpr ExprKind kKind = ExprKind::kSubscript;
  explicit SubscriptExpr(int64_t position) : Expr(kKind, position) {}
  ExprPtr Clone() const override;

  ExprPtr operand;
  ExprPtr index;
};

// Canonical SQL text of an expression: keywords upper case, function names lower case,
// identifiers quoted only when needed, parentheses only where precedence requires them. Parsing
// the result yields the same tree. Used to name unnamed select items ("upper(name)", "a + 1").
std::string ToSql(const Expr& expr);

// `name` as it must be written in SQL: bare if it is a lower-case, non-reserved identifier,
// otherwise double-quoted with '"' doubled.
std::string QuoteIdentifier(const std::string& name);
// `text` as a single-quoted SQL string literal.
std::string QuoteString(const std::string& text);
// A type as the parser reads it back: "DECIMAL(10, 2)", "STRUCT<a INTEGER, \"B\" VARCHAR>".
std::string TypeToSql(const DataType& type);

}  // namespace sluice
