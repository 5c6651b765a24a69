#pragma once
// Entry points of the SQL parser. Errors are Status::Parser with the byte offset (into `text`) of
// the offending token and a psql-like message ("syntax error at or near \"FROM\""); render them
// with RenderError(status, text).

#include <memory>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "parser/ast.h"

namespace sluice {

// Parses statements separated by ';'. Empty statements (";;", comment-only text) are skipped;
// the first error stops parsing. Positions are offsets into `text`.
Result<std::vector<StatementPtr>> ParseScript(std::string_view text);

// Parses exactly one statement, optionally followed by ';'.
Result<StatementPtr> ParseStatement(std::string_view text);

// Parses one expression and nothing else ("a + 1", "upper(name)"); for tests and tools.
Result<ExprPtr> ParseExpression(std::string_view text);

// For the interactive shell: true when `buffer` holds a ';' outside quotes and comments, i.e.
// pressing Enter should run it rather than ask for another line.
bool IsCompleteStatement(std::string_view buffer);

// Splits `text` at each ';' outside quotes and comments. Pieces are views into `text` without the
// ';' and without surrounding whitespace; pieces holding no token (blank or comment-only) are
// dropped. An unterminated quote or comment extends to the end of the text.
std::vector<std::string_view> SplitStatements(std::string_view text);

}  // namespace sluice
