#pragma once
// The SQL lexer: turns text into tokens with byte positions, folding unquoted identifiers to lower
// case and unescaping quoted strings and identifiers. Comments (-- and /* */) are skipped.

#include <string_view>
#include <vector>

#include "common/status.h"
#include "parser/token.h"

namespace sluice {

// The tokens of a text and, if lexing stopped early, why. A lexer error does not fail the whole
// text at once: the tokens before it are kept and end with a kEnd token at the error's position,
// so the parser reports whichever error comes first in the text (a syntax error in an earlier
// statement wins over an unterminated string in a later one).
struct TokenizedText {
  std::vector<Token> tokens;  // never empty; the last token is kEnd
  Status error;               // OK unless lexing stopped at the final kEnd token
};

TokenizedText Tokenize(std::string_view text);

}  // namespace sluice
