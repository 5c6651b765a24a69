#pragma once
// Tokens produced by the lexer. Keywords are not a token kind: they are unquoted identifiers whose
// folded text the parser compares, so any keyword that is not reserved still works as a name.

#include <cstdint>
#include <string>
#include <string_view>

namespace sluice {

enum class TokenKind : uint8_t {
  kIdentifier,        // unquoted; text folded to lower case
  kQuotedIdentifier,  // "Name"; text without quotes, "" unescaped
  kString,            // 'text'; text without quotes, '' unescaped
  kInteger,           // 123
  kDecimal,           // 1.5, .5, 1.
  kDouble,            // 1e5, 1.5E-3
  kLParen,
  kRParen,
  kLBracket,
  kRBracket,
  kComma,
  kDot,
  kSemicolon,
  kPlus,
  kMinus,
  kStar,
  kSlash,
  kPercent,
  kConcat,  // ||
  kArrow,   // ->
  kEq,
  kNotEq,  // <> or !=
  kLess,
  kLessEq,
  kGreater,
  kGreaterEq,
  kEnd,  // end of input (or the point where the lexer stopped at an error)
};

struct Token {
  TokenKind kind = TokenKind::kEnd;
  std::string text;
  int64_t position = 0;  // byte offset of the first character
  int64_t length = 0;    // bytes of source text, quotes included

  bool is_identifier() const {
    return kind == TokenKind::kIdentifier || kind == TokenKind::kQuotedIdentifier;
  }
  // True for an unquoted identifier spelling `keyword` (lower case) in any case.
  bool Is(std::string_view keyword) const {
    return kind == TokenKind::kIdentifier && text == keyword;
  }
};

// Reserved words cannot be used as unquoted column names, aliases or relation names.
// REQUIRES: `word` is lower case.
bool IsReservedKeyword(std::string_view word);

}  // namespace sluice
