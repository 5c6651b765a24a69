#include "parser/parser.h"

#include <charconv>
#include <cstdint>
#include <string>

#include "parser/sql_parser.h"

namespace sluice {
namespace {

// Each level costs a few stack frames here and in every pass that later walks the tree (the
// parenthesized-expression path costs several levels per parenthesis, see ParseExpr).
constexpr int kMaxDepth = 1000;

}  // namespace

SqlParser::SqlParser(std::string_view text) : text_(text), lexed_(Tokenize(text)) {}

// ------------------------------------------------------------------------------------------
// Tokens and errors

const Token& SqlParser::Peek(size_t ahead) const {
  size_t at = index_ + ahead;
  return at < lexed_.tokens.size() ? lexed_.tokens[at] : lexed_.tokens.back();
}

const Token& SqlParser::Advance() {
  const Token& token = Peek();
  if (index_ + 1 < lexed_.tokens.size()) ++index_;
  return token;
}

bool SqlParser::AcceptKeyword(std::string_view keyword) {
  if (!PeekKeyword(keyword)) return false;
  Advance();
  return true;
}

bool SqlParser::Accept(TokenKind kind) {
  if (Peek().kind != kind) return false;
  Advance();
  return true;
}

Status SqlParser::ExpectKeyword(std::string_view keyword) {
  if (AcceptKeyword(keyword)) return Status::OK();
  return SyntaxError();
}

namespace {

const char* TokenSpelling(TokenKind kind) {
  switch (kind) {
    case TokenKind::kLParen: return "(";
    case TokenKind::kRParen: return ")";
    case TokenKind::kLBracket: return "[";
    case TokenKind::kRBracket: return "]";
    case TokenKind::kComma: return ",";
    case TokenKind::kDot: return ".";
    case TokenKind::kSemicolon: return ";";
    case TokenKind::kEq: return "=";
    case TokenKind::kLess: return "<";
    case TokenKind::kGreater: return ">";
    default: return "?";
  }
}

}  // namespace

Status SqlParser::Expect(TokenKind kind, std::string_view context) {
  if (Accept(kind)) return Status::OK();
  if (context.empty()) return SyntaxError();
  return ErrorAt(Peek(), std::string("expected \"") + TokenSpelling(kind) + "\" " +
                             std::string(context) + ", found " + Describe(Peek()));
}

Status SqlParser::SyntaxError() const {
  const Token& token = Peek();
  if (token.kind == TokenKind::kEnd) return ErrorAt(token, "syntax error at end of input");
  return ErrorAt(token, "syntax error at or near " + Describe(token));
}

Status SqlParser::ErrorAt(const Token& token, std::string message) const {
  // Running into the point where the lexer gave up means the lexer's error is the real one.
  if (token.kind == TokenKind::kEnd && !lexed_.error.ok()) return lexed_.error;
  return Status::Parser(std::move(message), token.position);
}

std::string SqlParser::Describe(const Token& token) const {
  if (token.kind == TokenKind::kEnd) return "end of input";
  return "\"" + std::string(text_.substr(token.position, token.length)) + "\"";
}

Status SqlParser::Deeper(int levels) {
  depth_ += levels;
  if (depth_ <= kMaxDepth) return Status::OK();
  return ErrorAt(Peek(), "statement is nested too deeply (more than " + std::to_string(kMaxDepth) +
                             " levels)");
}

int64_t SqlParser::EndOfPrevious() const {
  if (index_ == 0) return 0;
  const Token& previous = lexed_.tokens[index_ - 1];
  return previous.position + previous.length;
}

// ------------------------------------------------------------------------------------------
// Scripts and statements

Result<std::vector<StatementPtr>> SqlParser::ParseScript() {
  std::vector<StatementPtr> statements;
  while (true) {
    while (Accept(TokenKind::kSemicolon)) {
    }
    if (AtEnd()) break;
    ASSIGN_OR_RETURN(StatementPtr statement, ParseOneStatement());
    if (!Accept(TokenKind::kSemicolon) && !AtEnd()) return SyntaxError();
    statements.push_back(std::move(statement));
  }
  if (!lexed_.error.ok()) return lexed_.error;
  return statements;
}

Result<StatementPtr> SqlParser::ParseSingle() {
  while (Accept(TokenKind::kSemicolon)) {
  }
  if (AtEnd()) return SyntaxError();
  ASSIGN_OR_RETURN(StatementPtr statement, ParseOneStatement());
  if (Accept(TokenKind::kSemicolon)) {
    while (Accept(TokenKind::kSemicolon)) {
    }
    if (!AtEnd()) {
      return ErrorAt(Peek(),
                     "only one statement is allowed here, found another at " + Describe(Peek()));
    }
  }
  if (!AtEnd()) return SyntaxError();
  if (!lexed_.error.ok()) return lexed_.error;
  return statement;
}

Result<ExprPtr> SqlParser::ParseStandaloneExpression() {
  ASSIGN_OR_RETURN(ExprPtr expr, ParseExpr());
  if (!AtEnd()) return SyntaxError();
  if (!lexed_.error.ok()) return lexed_.error;
  return expr;
}

Result<StatementPtr> SqlParser::ParseOneStatement() {
  const Token& first = Peek();
  int64_t start = first.position;
  Result<StatementPtr> parsed = Status::OK();
  if (first.Is("select")) {
    ASSIGN_OR_RETURN(SelectPtr select, ParseSelect());
    parsed = StatementPtr(std::move(select));
  } else if (first.Is("create")) {
    parsed = ParseCreate();
  } else if (first.Is("drop")) {
    parsed = ParseDrop();
  } else if (first.Is("show")) {
    parsed = ParseShow();
  } else if (first.Is("explain")) {
    parsed = ParseExplain();
  } else if (first.Is("describe")) {
    parsed = ParseDescribe();
  } else if (first.Is("use")) {
    parsed = ParseUse();
  } else if (first.Is("alter")) {
    parsed = ParseAlter();
  } else if (first.Is("insert")) {
    parsed = ParseInsert();
  } else if (first.Is("terminate") || first.Is("restart")) {
    parsed = ParseQueryCommand();
  } else if (first.Is("flush")) {
    Advance();
    parsed = StatementPtr(std::make_unique<FlushStatement>(start));
  } else if (first.Is("print")) {
    parsed = ParsePrint();
  } else if (first.Is("grant") || first.Is("revoke")) {
    parsed = ParseGrantOrRevoke();
  } else if (first.Is("can")) {
    parsed = ParseCanI();
  } else {
    return SyntaxError();
  }
  if (!parsed.ok()) return parsed.status();
  StatementPtr statement = std::move(parsed).value();
  statement->position = start;
  statement->begin = start;
  statement->end = EndOfPrevious();
  return statement;
}

// ------------------------------------------------------------------------------------------
// Names, properties, numbers

Result<Identifier> SqlParser::ParseIdentifier(std::string_view what) {
  const Token& token = Peek();
  bool usable = token.kind == TokenKind::kQuotedIdentifier ||
                (token.kind == TokenKind::kIdentifier && !IsReservedKeyword(token.text));
  if (!usable) {
    if (token.kind == TokenKind::kEnd || token.kind == TokenKind::kIdentifier) {
      return SyntaxError();
    }
    return ErrorAt(token, "expected " + std::string(what) + ", found " + Describe(token));
  }
  Advance();
  return Identifier{token.text, token.position};
}

Result<QualifiedName> SqlParser::ParseQualifiedName(size_t max_parts, std::string_view what) {
  QualifiedName name;
  ASSIGN_OR_RETURN(Identifier first, ParseIdentifier(what));
  name.position = first.position;
  name.parts.push_back(std::move(first.name));
  while (Peek().kind == TokenKind::kDot && Peek(1).is_identifier()) {
    Advance();
    ASSIGN_OR_RETURN(Identifier part, ParseIdentifier(what));
    name.parts.push_back(std::move(part.name));
  }
  if (name.parts.size() > max_parts) {
    return Status::Parser("improper qualified name (too many dotted names): " + name.ToString(),
                          name.position);
  }
  return name;
}

Result<PropertyList> SqlParser::ParseProperties() {
  PropertyList properties;
  RETURN_NOT_OK(Expect(TokenKind::kLParen));
  do {
    Property property;
    const Token& key = Peek();
    property.key_position = key.position;
    if (key.kind == TokenKind::kString) {
      property.key = Advance().text;
    } else if (key.is_identifier()) {
      property.key = Advance().text;
      while (Peek().kind == TokenKind::kDot && Peek(1).is_identifier()) {
        Advance();
        property.key += "." + Advance().text;
      }
    } else {
      return SyntaxError();
    }
    for (const Property& earlier : properties) {
      if (earlier.key == property.key) {
        return Status::Parser(
            "property " + QuoteString(property.key) + " is specified more than once",
            property.key_position);
      }
    }
    RETURN_NOT_OK(Expect(TokenKind::kEq, "after property key"));
    const Token& value = Peek();
    property.value_position = value.position;
    bool negative = value.kind == TokenKind::kMinus;
    const Token& number = Peek(negative ? 1 : 0);
    if (value.kind == TokenKind::kString) {
      property.value = Advance().text;
    } else if (number.kind == TokenKind::kInteger || number.kind == TokenKind::kDecimal ||
               number.kind == TokenKind::kDouble) {
      if (negative) Advance();
      property.value_kind = PropertyValueKind::kNumber;
      property.value = (negative ? "-" : "") + Advance().text;
    } else if (value.Is("true") || value.Is("false")) {
      property.value_kind = PropertyValueKind::kBoolean;
      property.value = Advance().text;
    } else {
      return ErrorAt(value, "expected a string, number, TRUE or FALSE as value of property " +
                                QuoteString(property.key) + ", found " + Describe(value));
    }
    properties.push_back(std::move(property));
  } while (Accept(TokenKind::kComma));
  RETURN_NOT_OK(Expect(TokenKind::kRParen, "after properties"));
  return properties;
}

Result<int64_t> SqlParser::ParseNonNegativeInteger(std::string_view what) {
  const Token& token = Peek();
  if (token.kind != TokenKind::kInteger) {
    return ErrorAt(token, "expected a non-negative integer " + std::string(what) + ", found " +
                              Describe(token));
  }
  int64_t value = 0;
  auto [end, error] =
      std::from_chars(token.text.data(), token.text.data() + token.text.size(), value);
  if (error != std::errc() || end != token.text.data() + token.text.size()) {
    return ErrorAt(token, "integer " + token.text + " is out of range");
  }
  Advance();
  return value;
}

Result<Duration> SqlParser::ParseDuration() {
  int64_t position = Peek().position;
  ASSIGN_OR_RETURN(int64_t count, ParseNonNegativeInteger("as a number of time units"));
  return ParseDurationUnit(count, position);
}

Result<Duration> SqlParser::ParseDurationUnit(int64_t count, int64_t position) {
  static constexpr struct {
    std::string_view singular;
    std::string_view plural;
    TimeUnit unit;
  } kUnits[] = {{"millisecond", "milliseconds", TimeUnit::kMillisecond},
                {"second", "seconds", TimeUnit::kSecond},
                {"minute", "minutes", TimeUnit::kMinute},
                {"hour", "hours", TimeUnit::kHour},
                {"day", "days", TimeUnit::kDay}};
  const Token& unit = Peek();
  for (const auto& known : kUnits) {
    if (!unit.Is(known.singular) && !unit.Is(known.plural)) continue;
    int64_t scale = TimeUnitMillis(known.unit);
    if (count > INT64_MAX / scale) return Status::Parser("interval is out of range", position);
    Advance();
    Duration duration;
    duration.millis = count * scale;
    duration.count = count;
    duration.unit = known.unit;
    duration.position = position;
    return duration;
  }
  if (unit.kind == TokenKind::kEnd) return SyntaxError();
  return ErrorAt(unit, "expected a time unit (MILLISECOND, SECOND, MINUTE, HOUR or DAY), found " +
                           Describe(unit));
}

Result<Identifier> SqlParser::ParseQueryId() {
  const Token& token = Peek();
  if (token.kind == TokenKind::kInteger || token.kind == TokenKind::kString ||
      token.is_identifier()) {
    Advance();
    return Identifier{token.text, token.position};
  }
  if (token.kind == TokenKind::kEnd) return SyntaxError();
  return ErrorAt(token, "expected a query id, found " + Describe(token));
}

bool SqlParser::ParseIfNotExists() {
  if (!PeekKeyword("if") || !PeekKeyword("not", 1) || !PeekKeyword("exists", 2)) return false;
  index_ += 3;
  return true;
}

bool SqlParser::ParseIfExists() {
  if (!PeekKeyword("if") || !PeekKeyword("exists", 1)) return false;
  index_ += 2;
  return true;
}

// ------------------------------------------------------------------------------------------
// Public API

Result<std::vector<StatementPtr>> ParseScript(std::string_view text) {
  return SqlParser(text).ParseScript();
}

Result<StatementPtr> ParseStatement(std::string_view text) { return SqlParser(text).ParseSingle(); }

Result<ExprPtr> ParseExpression(std::string_view text) {
  return SqlParser(text).ParseStandaloneExpression();
}

}  // namespace sluice
