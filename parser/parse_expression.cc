// Expressions by precedence climbing, loosest first:
//   OR < AND < NOT < comparison and predicates (= <> < IS BETWEEN IN LIKE) < || < + - < * / %
//   < unary minus < postfix ([i], ->field) < primary.
// Binary operators of one level associate to the left.

#include "parser/sql_parser.h"

namespace sluice {
namespace {

bool IsNumber(const Token& token) {
  return token.kind == TokenKind::kInteger || token.kind == TokenKind::kDecimal ||
         token.kind == TokenKind::kDouble;
}

LiteralKind NumberKind(TokenKind kind) {
  if (kind == TokenKind::kInteger) return LiteralKind::kInteger;
  return kind == TokenKind::kDecimal ? LiteralKind::kDecimal : LiteralKind::kDouble;
}

std::string Upper(std::string text) {
  for (char& c : text) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return text;
}

}  // namespace

Result<ExprPtr> SqlParser::ParseExpr() {
  DepthScope scope(&depth_);
  // A parenthesis costs a dozen stack frames on the way down, hence several levels.
  RETURN_NOT_OK(Deeper(4));
  return ParseOr();
}

Result<ExprPtr> SqlParser::ParseOr() {
  DepthScope scope(&depth_);
  ASSIGN_OR_RETURN(ExprPtr left, ParseAnd());
  while (PeekKeyword("or")) {
    int64_t position = Advance().position;
    RETURN_NOT_OK(Deeper());
    ASSIGN_OR_RETURN(ExprPtr right, ParseAnd());
    left = std::make_unique<BinaryExpr>(BinaryOp::kOr, std::move(left), std::move(right), position);
  }
  return left;
}

Result<ExprPtr> SqlParser::ParseAnd() {
  DepthScope scope(&depth_);
  ASSIGN_OR_RETURN(ExprPtr left, ParseNot());
  while (PeekKeyword("and")) {
    int64_t position = Advance().position;
    RETURN_NOT_OK(Deeper());
    ASSIGN_OR_RETURN(ExprPtr right, ParseNot());
    left =
        std::make_unique<BinaryExpr>(BinaryOp::kAnd, std::move(left), std::move(right), position);
  }
  return left;
}

Result<ExprPtr> SqlParser::ParseNot() {
  if (!PeekKeyword("not")) return ParseComparison();
  DepthScope scope(&depth_);
  int64_t position = Advance().position;
  RETURN_NOT_OK(Deeper());
  ASSIGN_OR_RETURN(ExprPtr operand, ParseNot());
  return ExprPtr(std::make_unique<UnaryExpr>(UnaryOp::kNot, std::move(operand), position));
}

Result<ExprPtr> SqlParser::ParseComparison() {
  DepthScope scope(&depth_);
  ASSIGN_OR_RETURN(ExprPtr left, ParseConcat());
  while (true) {
    bool matched = false;
    ASSIGN_OR_RETURN(left, ParsePredicateTail(std::move(left), &matched));
    if (!matched) return left;
    RETURN_NOT_OK(Deeper());
  }
}

Result<ExprPtr> SqlParser::ParsePredicateTail(ExprPtr left, bool* matched) {
  *matched = true;
  const Token& token = Peek();
  BinaryOp op;
  switch (token.kind) {
    case TokenKind::kEq: op = BinaryOp::kEqual; break;
    case TokenKind::kNotEq: op = BinaryOp::kNotEqual; break;
    case TokenKind::kLess: op = BinaryOp::kLess; break;
    case TokenKind::kLessEq: op = BinaryOp::kLessEqual; break;
    case TokenKind::kGreater: op = BinaryOp::kGreater; break;
    case TokenKind::kGreaterEq: op = BinaryOp::kGreaterEqual; break;
    default: op = BinaryOp::kAnd; *matched = false;
  }
  if (*matched) {
    Advance();
    ASSIGN_OR_RETURN(ExprPtr right, ParseConcat());
    return ExprPtr(
        std::make_unique<BinaryExpr>(op, std::move(left), std::move(right), token.position));
  }

  if (token.Is("is")) {
    auto is_null = std::make_unique<IsNullExpr>(Advance().position);
    is_null->negated = AcceptKeyword("not");
    RETURN_NOT_OK(ExpectKeyword("null"));
    is_null->operand = std::move(left);
    *matched = true;
    return ExprPtr(std::move(is_null));
  }

  bool negated = token.Is("not");
  const Token& word = Peek(negated ? 1 : 0);
  if (word.Is("between")) {
    auto between = std::make_unique<BetweenExpr>(token.position);
    index_ += negated ? 2 : 1;
    between->negated = negated;
    between->operand = std::move(left);
    ASSIGN_OR_RETURN(between->low, ParseConcat());
    RETURN_NOT_OK(ExpectKeyword("and"));
    ASSIGN_OR_RETURN(between->high, ParseConcat());
    *matched = true;
    return ExprPtr(std::move(between));
  }
  if (word.Is("in")) {
    auto in = std::make_unique<InListExpr>(token.position);
    index_ += negated ? 2 : 1;
    in->negated = negated;
    in->operand = std::move(left);
    RETURN_NOT_OK(Expect(TokenKind::kLParen));
    ASSIGN_OR_RETURN(in->list, ParseExprList("after IN list"));
    *matched = true;
    return ExprPtr(std::move(in));
  }
  if (word.Is("like")) {
    auto like = std::make_unique<LikeExpr>(token.position);
    index_ += negated ? 2 : 1;
    like->negated = negated;
    like->operand = std::move(left);
    ASSIGN_OR_RETURN(like->pattern, ParseConcat());
    *matched = true;
    return ExprPtr(std::move(like));
  }
  return left;
}

Result<ExprPtr> SqlParser::ParseConcat() {
  DepthScope scope(&depth_);
  ASSIGN_OR_RETURN(ExprPtr left, ParseAdditive());
  while (Peek().kind == TokenKind::kConcat) {
    int64_t position = Advance().position;
    RETURN_NOT_OK(Deeper());
    ASSIGN_OR_RETURN(ExprPtr right, ParseAdditive());
    left = std::make_unique<BinaryExpr>(BinaryOp::kConcat, std::move(left), std::move(right),
                                        position);
  }
  return left;
}

Result<ExprPtr> SqlParser::ParseAdditive() {
  DepthScope scope(&depth_);
  ASSIGN_OR_RETURN(ExprPtr left, ParseMultiplicative());
  while (Peek().kind == TokenKind::kPlus || Peek().kind == TokenKind::kMinus) {
    BinaryOp op = Peek().kind == TokenKind::kPlus ? BinaryOp::kAdd : BinaryOp::kSubtract;
    int64_t position = Advance().position;
    RETURN_NOT_OK(Deeper());
    ASSIGN_OR_RETURN(ExprPtr right, ParseMultiplicative());
    left = std::make_unique<BinaryExpr>(op, std::move(left), std::move(right), position);
  }
  return left;
}

Result<ExprPtr> SqlParser::ParseMultiplicative() {
  DepthScope scope(&depth_);
  ASSIGN_OR_RETURN(ExprPtr left, ParseUnary());
  while (true) {
    BinaryOp op;
    switch (Peek().kind) {
      case TokenKind::kStar: op = BinaryOp::kMultiply; break;
      case TokenKind::kSlash: op = BinaryOp::kDivide; break;
      case TokenKind::kPercent: op = BinaryOp::kModulo; break;
      default: return left;
    }
    int64_t position = Advance().position;
    RETURN_NOT_OK(Deeper());
    ASSIGN_OR_RETURN(ExprPtr right, ParseUnary());
    left = std::make_unique<BinaryExpr>(op, std::move(left), std::move(right), position);
  }
}

Result<ExprPtr> SqlParser::ParseUnary() {
  const Token& token = Peek();
  if (token.kind != TokenKind::kMinus && token.kind != TokenKind::kPlus) return ParsePostfix();
  DepthScope scope(&depth_);
  RETURN_NOT_OK(Deeper());
  Advance();
  if (token.kind == TokenKind::kPlus) return ParseUnary();
  const Token& number = Peek();
  if (IsNumber(number)) {
    // Folded so the most negative BIGINT can be written; binds like any literal.
    auto literal = std::make_unique<LiteralExpr>(NumberKind(number.kind), token.position);
    literal->text = "-" + Advance().text;
    return ExprPtr(std::move(literal));
  }
  ASSIGN_OR_RETURN(ExprPtr operand, ParseUnary());
  return ExprPtr(std::make_unique<UnaryExpr>(UnaryOp::kNegate, std::move(operand), token.position));
}

Result<ExprPtr> SqlParser::ParsePostfix() {
  DepthScope scope(&depth_);
  ASSIGN_OR_RETURN(ExprPtr base, ParsePrimary());
  while (true) {
    const Token& token = Peek();
    if (token.kind == TokenKind::kLBracket) {
      Advance();
      RETURN_NOT_OK(Deeper());
      auto subscript = std::make_unique<SubscriptExpr>(token.position);
      subscript->operand = std::move(base);
      ASSIGN_OR_RETURN(subscript->index, ParseExpr());
      RETURN_NOT_OK(Expect(TokenKind::kRBracket, "after subscript"));
      base = std::move(subscript);
    } else if (token.kind == TokenKind::kArrow) {
      Advance();
      RETURN_NOT_OK(Deeper());
      auto access = std::make_unique<FieldAccessExpr>(token.position);
      access->operand = std::move(base);
      if (!Peek().is_identifier()) return SyntaxError();
      access->field_position = Peek().position;
      access->field = Advance().text;
      base = std::move(access);
    } else {
      return base;
    }
  }
}

Result<ExprPtr> SqlParser::ParsePrimary() {
  const Token& token = Peek();
  if (IsNumber(token)) {
    auto literal = std::make_unique<LiteralExpr>(NumberKind(token.kind), token.position);
    literal->text = Advance().text;
    return ExprPtr(std::move(literal));
  }
  if (token.kind == TokenKind::kString) {
    auto literal = std::make_unique<LiteralExpr>(LiteralKind::kString, token.position);
    literal->text = Advance().text;
    return ExprPtr(std::move(literal));
  }
  if (token.kind == TokenKind::kLParen) {
    Advance();
    ASSIGN_OR_RETURN(ExprPtr inner, ParseExpr());
    RETURN_NOT_OK(Expect(TokenKind::kRParen));
    return inner;
  }
  if (token.kind == TokenKind::kQuotedIdentifier) return ParseNameOrCall();
  if (token.kind != TokenKind::kIdentifier) return SyntaxError();

  const Token& next = Peek(1);
  if (token.Is("null") || token.Is("true") || token.Is("false")) {
    auto literal = std::make_unique<LiteralExpr>(
        token.Is("null") ? LiteralKind::kNull : LiteralKind::kBoolean, token.position);
    literal->bool_value = token.Is("true");
    literal->text = Advance().text;
    return ExprPtr(std::move(literal));
  }
  if (token.Is("case")) return ParseCase();
  if (token.Is("cast") && next.kind == TokenKind::kLParen) return ParseCast();
  if (token.Is("extract") && next.kind == TokenKind::kLParen) return ParseExtract();
  if ((token.Is("timestamp") || token.Is("date")) && next.kind == TokenKind::kString) {
    auto literal = std::make_unique<LiteralExpr>(
        token.Is("date") ? LiteralKind::kDate : LiteralKind::kTimestamp, token.position);
    Advance();
    literal->text = Advance().text;
    return ExprPtr(std::move(literal));
  }
  if (token.Is("interval") &&
      (next.kind == TokenKind::kInteger || next.kind == TokenKind::kString)) {
    return ParseInterval();
  }
  if (IsReservedKeyword(token.text)) {
    // LEFT and RIGHT are reserved for joins but also name string functions.
    bool function = (token.Is("left") || token.Is("right")) && next.kind == TokenKind::kLParen;
    if (!function) return SyntaxError();
  }
  return ParseNameOrCall();
}

Result<ExprPtr> SqlParser::ParseNameOrCall() {
  const Token& first = Advance();
  if (Peek().kind == TokenKind::kLParen) return ParseFunctionArgs(first.text, first.position);
  auto column = std::make_unique<ColumnRefExpr>(first.position);
  column->parts.push_back(first.text);
  while (Peek().kind == TokenKind::kDot) {
    Advance();
    if (!Peek().is_identifier()) return SyntaxError();
    column->parts.push_back(Advance().text);
  }
  return ExprPtr(std::move(column));
}

Result<ExprPtr> SqlParser::ParseFunctionArgs(std::string name, int64_t position) {
  auto call = std::make_unique<FunctionCallExpr>(position);
  call->name = std::move(name);
  Advance();  // (
  if (Peek().kind == TokenKind::kStar && Peek(1).kind == TokenKind::kRParen) {
    index_ += 2;
    call->star_arg = true;
    return ExprPtr(std::move(call));
  }
  if (Accept(TokenKind::kRParen)) return ExprPtr(std::move(call));
  call->distinct = AcceptKeyword("distinct");
  ASSIGN_OR_RETURN(call->args, ParseExprList("after function arguments"));
  return ExprPtr(std::move(call));
}

Result<ExprList> SqlParser::ParseExprList(std::string_view context) {
  ExprList list;
  do {
    ASSIGN_OR_RETURN(ExprPtr expr, ParseExpr());
    list.push_back(std::move(expr));
  } while (Accept(TokenKind::kComma));
  RETURN_NOT_OK(Expect(TokenKind::kRParen, context));
  return list;
}

Result<ExprPtr> SqlParser::ParseCase() {
  auto case_expr = std::make_unique<CaseExpr>(Advance().position);
  if (!PeekKeyword("when")) {
    ASSIGN_OR_RETURN(case_expr->operand, ParseExpr());
  }
  if (!PeekKeyword("when")) return SyntaxError();
  while (AcceptKeyword("when")) {
    WhenClause clause;
    ASSIGN_OR_RETURN(clause.when, ParseExpr());
    RETURN_NOT_OK(ExpectKeyword("then"));
    ASSIGN_OR_RETURN(clause.then, ParseExpr());
    case_expr->whens.push_back(std::move(clause));
  }
  if (AcceptKeyword("else")) {
    ASSIGN_OR_RETURN(case_expr->else_result, ParseExpr());
  }
  RETURN_NOT_OK(ExpectKeyword("end"));
  return ExprPtr(std::move(case_expr));
}

Result<ExprPtr> SqlParser::ParseCast() {
  auto cast = std::make_unique<CastExpr>(Advance().position);
  Advance();  // (
  ASSIGN_OR_RETURN(cast->operand, ParseExpr());
  RETURN_NOT_OK(ExpectKeyword("as"));
  ASSIGN_OR_RETURN(cast->target, ParseType());
  RETURN_NOT_OK(Expect(TokenKind::kRParen, "after CAST type"));
  return ExprPtr(std::move(cast));
}

Result<ExprPtr> SqlParser::ParseExtract() {
  auto call = std::make_unique<FunctionCallExpr>(Advance().position);
  call->name = "extract";
  Advance();  // (
  const Token& unit = Peek();
  if (!unit.is_identifier()) return SyntaxError();
  auto unit_literal = std::make_unique<LiteralExpr>(LiteralKind::kString, unit.position);
  unit_literal->text = Upper(Advance().text);
  call->args.push_back(std::move(unit_literal));
  RETURN_NOT_OK(ExpectKeyword("from"));
  ASSIGN_OR_RETURN(ExprPtr operand, ParseExpr());
  call->args.push_back(std::move(operand));
  RETURN_NOT_OK(Expect(TokenKind::kRParen, "after EXTRACT argument"));
  return ExprPtr(std::move(call));
}

Result<ExprPtr> SqlParser::ParseInterval() {
  auto literal = std::make_unique<LiteralExpr>(LiteralKind::kInterval, Advance().position);
  const Token& count = Peek();
  if (count.kind == TokenKind::kInteger) {
    ASSIGN_OR_RETURN(literal->interval, ParseDuration());
    return ExprPtr(std::move(literal));
  }
  // INTERVAL '5' MINUTE: the string must hold a plain count.
  const std::string& digits = count.text;
  bool valid = !digits.empty() && digits.size() <= 18;
  for (char c : digits) valid = valid && c >= '0' && c <= '9';
  if (!valid) {
    return ErrorAt(count, "invalid interval count " + QuoteString(digits) +
                              " (expected a non-negative integer)");
  }
  Advance();
  ASSIGN_OR_RETURN(literal->interval, ParseDurationUnit(std::stoll(digits), count.position));
  return ExprPtr(std::move(literal));
}

}  // namespace sluice
