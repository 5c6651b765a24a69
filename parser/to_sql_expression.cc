// Canonical SQL text of expressions and types. The output must parse back to the same tree, so
// parentheses follow the parser's precedence levels exactly (see parse_expression.cc).

#include <string>

#include "parser/ast.h"
#include "parser/token.h"

namespace sluice {

namespace {

// Binding strength, loosest first; mirrors the parser's functions.
enum Precedence : int {
  kOrLevel = 1,
  kAndLevel,
  kNotLevel,
  kComparisonLevel,  // also IS NULL, BETWEEN, IN, LIKE
  kConcatLevel,
  kAdditiveLevel,
  kMultiplicativeLevel,
  kUnaryLevel,
  kPostfixLevel,
  kAtomLevel,
};

int BinaryLevel(BinaryOp op) {
  switch (op) {
    case BinaryOp::kOr: return kOrLevel;
    case BinaryOp::kAnd: return kAndLevel;
    case BinaryOp::kConcat: return kConcatLevel;
    case BinaryOp::kAdd:
    case BinaryOp::kSubtract: return kAdditiveLevel;
    case BinaryOp::kMultiply:
    case BinaryOp::kDivide:
    case BinaryOp::kModulo: return kMultiplicativeLevel;
    default: return kComparisonLevel;
  }
}

int Level(const Expr& expr) {
  switch (expr.kind) {
    case ExprKind::kBinary: return BinaryLevel(expr.As<BinaryExpr>().op);
    case ExprKind::kUnary:
      return expr.As<UnaryExpr>().op == UnaryOp::kNot ? kNotLevel : kUnaryLevel;
    case ExprKind::kIsNull:
    case ExprKind::kBetween:
    case ExprKind::kInList:
    case ExprKind::kLike: return kComparisonLevel;
    case ExprKind::kFieldAccess:
    case ExprKind::kSubscript: return kPostfixLevel;
    case ExprKind::kLiteral: {
      // A folded negative number re-parses only where a unary minus may stand.
      const std::string& text = expr.As<LiteralExpr>().text;
      return !text.empty() && text[0] == '-' ? kUnaryLevel : kAtomLevel;
    }
    default: return kAtomLevel;
  }
}

// `expr` rendered where the parser expects a sub-expression of at least `min_level`.
std::string Operand(const Expr& expr, int min_level) {
  std::string text = ToSql(expr);
  return Level(expr) < min_level ? "(" + text + ")" : text;
}

std::string Join(const ExprList& list) {
  std::string text;
  for (const ExprPtr& expr : list) {
    if (!text.empty()) text += ", ";
    text += ToSql(*expr);
  }
  return text;
}

std::string JoinNames(const std::vector<std::string>& parts) {
  std::string text;
  for (const std::string& part : parts) {
    if (!text.empty()) text += '.';
    text += QuoteIdentifier(part);
  }
  return text;
}

bool IsUnitWord(const std::string& text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (!((c >= 'A' && c <= 'Z') || c == '_')) return false;
  }
  return true;
}

// EXTRACT(unit FROM e) is parsed into extract('UNIT', e); render it back in its own syntax.
bool IsExtractForm(const FunctionCallExpr& call) {
  if (call.name != "extract" || call.distinct || call.star_arg || call.args.size() != 2) {
    return false;
  }
  const Expr& unit = *call.args[0];
  return unit.kind == ExprKind::kLiteral &&
         unit.As<LiteralExpr>().literal_kind == LiteralKind::kString &&
         IsUnitWord(unit.As<LiteralExpr>().text);
}

std::string FunctionSql(const FunctionCallExpr& call) {
  if (IsExtractForm(call)) {
    return "EXTRACT(" + call.args[0]->As<LiteralExpr>().text + " FROM " + ToSql(*call.args[1]) +
           ")";
  }
  std::string name;
  if (call.name == "left" || call.name == "right") {
    name = call.name;  // reserved, yet accepted bare as function names
  } else if (call.name == "extract") {
    name = "\"extract\"";  // bare, it would start EXTRACT syntax
  } else {
    name = QuoteIdentifier(call.name);
  }
  if (call.star_arg) return name + "(*)";
  return name + "(" + (call.distinct ? "DISTINCT " : "") + Join(call.args) + ")";
}

std::string LiteralSql(const LiteralExpr& literal) {
  switch (literal.literal_kind) {
    case LiteralKind::kNull: return "NULL";
    case LiteralKind::kBoolean: return literal.bool_value ? "TRUE" : "FALSE";
    case LiteralKind::kInteger:
    case LiteralKind::kDecimal:
    case LiteralKind::kDouble: return literal.text;
    case LiteralKind::kString: return QuoteString(literal.text);
    case LiteralKind::kTimestamp: return "TIMESTAMP " + QuoteString(literal.text);
    case LiteralKind::kDate: return "DATE " + QuoteString(literal.text);
    case LiteralKind::kInterval:
      return "INTERVAL " + std::to_string(literal.interval.count) + " " +
             TimeUnitName(literal.interval.unit);
  }
  return "?";
}

std::string CaseSql(const CaseExpr& case_expr) {
  std::string text = "CASE";
  if (case_expr.operand) text += " " + ToSql(*case_expr.operand);
  for (const WhenClause& clause : case_expr.whens) {
    text += " WHEN " + ToSql(*clause.when) + " THEN " + ToSql(*clause.then);
  }
  if (case_expr.else_result) text += " ELSE " + ToSql(*case_expr.else_result);
  return text + " END";
}

std::string NegateSql(const UnaryExpr& negate) {
  std::string operand = ToSql(*negate.operand);
  // "-(1[2])" must not become the literal -1; "- -x" must not become a "--" comment.
  char first = operand.empty() ? ' ' : operand[0];
  bool wrap = Level(*negate.operand) < kUnaryLevel || first == '-' || first == '.' ||
              (first >= '0' && first <= '9');
  return wrap ? "-(" + operand + ")" : "-" + operand;
}

}  // namespace

std::string QuoteIdentifier(const std::string& name) {
  bool bare = !name.empty() && !(name[0] >= '0' && name[0] <= '9') && name[0] != '$';
  for (char c : name) {
    bare = bare && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '$');
  }
  if (bare && !IsReservedKeyword(name)) return name;
  std::string quoted = "\"";
  for (char c : name) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

std::string QuoteString(const std::string& text) {
  std::string quoted = "'";
  for (char c : text) {
    if (c == '\'') quoted += '\'';
    quoted += c;
  }
  return quoted + "'";
}

std::string TypeToSql(const DataType& type) {
  switch (type.id()) {
    case TypeId::kNull: return "NULL";
    case TypeId::kBoolean: return "BOOLEAN";
    case TypeId::kInteger: return "INTEGER";
    case TypeId::kBigint: return "BIGINT";
    case TypeId::kDouble: return "DOUBLE";
    case TypeId::kDecimal:
      return "DECIMAL(" + std::to_string(type.precision()) + ", " + std::to_string(type.scale()) +
             ")";
    case TypeId::kVarchar: return "VARCHAR";
    case TypeId::kTimestamp: return "TIMESTAMP";
    case TypeId::kDate: return "DATE";
    case TypeId::kBytes: return "BYTES";
    case TypeId::kArray: return "ARRAY<" + TypeToSql(type.children()[0]) + ">";
    case TypeId::kMap: return "MAP<VARCHAR, " + TypeToSql(type.children()[0]) + ">";
    case TypeId::kStruct: {
      std::string text = "STRUCT<";
      for (size_t field_idx = 0; field_idx < type.children().size(); ++field_idx) {
        if (field_idx > 0) text += ", ";
        text += QuoteIdentifier(type.field_names()[field_idx]) + " " +
                TypeToSql(type.children()[field_idx]);
      }
      return text + ">";
    }
  }
  return "?";
}

std::string ToSql(const Expr& expr) {
  switch (expr.kind) {
    case ExprKind::kLiteral: return LiteralSql(expr.As<LiteralExpr>());
    case ExprKind::kColumnRef: return JoinNames(expr.As<ColumnRefExpr>().parts);
    case ExprKind::kStar: {
      const auto& star = expr.As<StarExpr>();
      return star.qualifier.empty() ? "*" : JoinNames(star.qualifier) + ".*";
    }
    case ExprKind::kFunctionCall: return FunctionSql(expr.As<FunctionCallExpr>());
    case ExprKind::kCast: {
      const auto& cast = expr.As<CastExpr>();
      return "CAST(" + ToSql(*cast.operand) + " AS " + TypeToSql(cast.target.type) + ")";
    }
    case ExprKind::kCase: return CaseSql(expr.As<CaseExpr>());
    case ExprKind::kUnary: {
      const auto& unary = expr.As<UnaryExpr>();
      if (unary.op == UnaryOp::kNegate) return NegateSql(unary);
      return "NOT " + Operand(*unary.operand, kNotLevel);
    }
    case ExprKind::kBinary: {
      const auto& binary = expr.As<BinaryExpr>();
      int level = BinaryLevel(binary.op);
      return Operand(*binary.left, level) + " " + BinaryOpName(binary.op) + " " +
             Operand(*binary.right, level + 1);
    }
    case ExprKind::kIsNull: {
      const auto& is_null = expr.As<IsNullExpr>();
      return Operand(*is_null.operand, kComparisonLevel) +
             (is_null.negated ? " IS NOT NULL" : " IS NULL");
    }
    case ExprKind::kBetween: {
      const auto& between = expr.As<BetweenExpr>();
      return Operand(*between.operand, kComparisonLevel) +
             (between.negated ? " NOT BETWEEN " : " BETWEEN ") +
             Operand(*between.low, kConcatLevel) + " AND " + Operand(*between.high, kConcatLevel);
    }
    case ExprKind::kInList: {
      const auto& in = expr.As<InListExpr>();
      return Operand(*in.operand, kComparisonLevel) + (in.negated ? " NOT IN (" : " IN (") +
             Join(in.list) + ")";
    }
    case ExprKind::kLike: {
      const auto& like = expr.As<LikeExpr>();
      return Operand(*like.operand, kComparisonLevel) + (like.negated ? " NOT LIKE " : " LIKE ") +
             Operand(*like.pattern, kConcatLevel);
    }
    case ExprKind::kFieldAccess: {
      const auto& access = expr.As<FieldAccessExpr>();
      return Operand(*access.operand, kPostfixLevel) + "->" + QuoteIdentifier(access.field);
    }
    case ExprKind::kSubscript: {
      const auto& subscript = expr.As<SubscriptExpr>();
      return Operand(*subscript.operand, kPostfixLevel) + "[" + ToSql(*subscript.index) + "]";
    }
  }
  return "?";
}

}  // namespace sluice
