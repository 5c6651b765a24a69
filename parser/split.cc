// Statement boundaries without parsing: the shell needs them for text that may not parse yet.
// Quotes and comments follow the lexer's rules so a ';' inside them is never a boundary.

#include "parser/parser.h"

namespace sluice {
namespace {

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

// Offset of the next ';' at or after `from` that is outside quotes and comments, or text.size().
// Sets *has_token when something other than whitespace and comments precedes it.
size_t NextBoundary(std::string_view text, size_t from, bool* has_token) {
  *has_token = false;
  size_t pos = from;
  while (pos < text.size()) {
    char c = text[pos];
    char next = pos + 1 < text.size() ? text[pos + 1] : '\0';
    if (c == ';') return pos;
    if (c == '-' && next == '-') {
      size_t newline = text.find('\n', pos);
      pos = newline == std::string_view::npos ? text.size() : newline;
    } else if (c == '/' && next == '*') {
      size_t close = text.find("*/", pos + 2);
      pos = close == std::string_view::npos ? text.size() : close + 2;
    } else if (c == '\'' || c == '"') {
      *has_token = true;
      ++pos;
      while (pos < text.size()) {
        if (text[pos] == c) {
          if (pos + 1 < text.size() && text[pos + 1] == c) {
            pos += 2;  // doubled quote: an escaped quote character
            continue;
          }
          ++pos;
          break;
        }
        ++pos;
      }
    } else {
      if (!IsSpace(c)) *has_token = true;
      ++pos;
    }
  }
  return text.size();
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && IsSpace(text.front())) text.remove_prefix(1);
  while (!text.empty() && IsSpace(text.back())) text.remove_suffix(1);
  return text;
}

}  // namespace

bool IsCompleteStatement(std::string_view buffer) {
  bool has_token = false;
  return NextBoundary(buffer, 0, &has_token) < buffer.size();
}

std::vector<std::string_view> SplitStatements(std::string_view text) {
  std::vector<std::string_view> pieces;
  size_t start = 0;
  while (start <= text.size()) {
    bool has_token = false;
    size_t boundary = NextBoundary(text, start, &has_token);
    if (has_token) pieces.push_back(Trim(text.substr(start, boundary - start)));
    start = boundary + 1;
  }
  return pieces;
}

}  // namespace sluice
