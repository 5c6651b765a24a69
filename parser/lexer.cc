#include "parser/lexer.h"

#include <string>

namespace sluice {
namespace {

bool IsIdentStart(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
         static_cast<unsigned char>(c) >= 0x80;
}
bool IsIdentChar(char c) { return IsIdentStart(c) || (c >= '0' && c <= '9') || c == '$'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

// Scans one text; each Scan* method consumes one token starting at pos_.
class Lexer {
 public:
  explicit Lexer(std::string_view text) : text_(text) {}

  TokenizedText Run() {
    TokenizedText out;
    while (true) {
      Status st = SkipSpaceAndComments();
      if (st.ok() && pos_ < text_.size()) st = ScanToken(&out.tokens);
      if (!st.ok()) {
        out.error = st;
        Token end;
        end.position = st.position();
        out.tokens.push_back(std::move(end));
        return out;
      }
      if (pos_ >= text_.size()) break;
    }
    Token end;
    end.position = static_cast<int64_t>(text_.size());
    out.tokens.push_back(std::move(end));
    return out;
  }

 private:
  char Peek(size_t ahead = 0) const {
    return pos_ + ahead < text_.size() ? text_[pos_ + ahead] : '\0';
  }

  Status SkipSpaceAndComments() {
    while (pos_ < text_.size()) {
      char c = text_[pos_];
      if (IsSpace(c)) {
        ++pos_;
      } else if (c == '-' && Peek(1) == '-') {
        while (pos_ < text_.size() && text_[pos_] != '\n') ++pos_;
      } else if (c == '/' && Peek(1) == '*') {
        size_t close = text_.find("*/", pos_ + 2);
        if (close == std::string_view::npos) {
          return Status::Parser("unterminated /* comment", static_cast<int64_t>(pos_));
        }
        pos_ = close + 2;
      } else {
        break;
      }
    }
    return Status::OK();
  }

  void Emit(std::vector<Token>* tokens, TokenKind kind, size_t start, std::string text) {
    Token token;
    token.kind = kind;
    token.text = std::move(text);
    token.position = static_cast<int64_t>(start);
    token.length = static_cast<int64_t>(pos_ - start);
    tokens->push_back(std::move(token));
  }

  Status ScanToken(std::vector<Token>* tokens) {
    size_t start = pos_;
    char c = text_[pos_];
    if (IsIdentStart(c)) {
      std::string folded;
      while (pos_ < text_.size() && IsIdentChar(text_[pos_])) {
        char ch = text_[pos_++];
        folded.push_back(ch >= 'A' && ch <= 'Z' ? static_cast<char>(ch - 'A' + 'a') : ch);
      }
      Emit(tokens, TokenKind::kIdentifier, start, std::move(folded));
      return Status::OK();
    }
    if (IsDigit(c) || (c == '.' && IsDigit(Peek(1)))) return ScanNumber(tokens);
    if (c == '\'' || c == '"') return ScanQuoted(tokens, c);

    TokenKind kind;
    size_t length = 1;
    char next = Peek(1);
    switch (c) {
      case '(': kind = TokenKind::kLParen; break;
      case ')': kind = TokenKind::kRParen; break;
      case '[': kind = TokenKind::kLBracket; break;
      case ']': kind = TokenKind::kRBracket; break;
      case ',': kind = TokenKind::kComma; break;
      case '.': kind = TokenKind::kDot; break;
      case ';': kind = TokenKind::kSemicolon; break;
      case '+': kind = TokenKind::kPlus; break;
      case '*': kind = TokenKind::kStar; break;
      case '/': kind = TokenKind::kSlash; break;
      case '%': kind = TokenKind::kPercent; break;
      case '=': kind = TokenKind::kEq; break;
      case '-':
        kind = next == '>' ? TokenKind::kArrow : TokenKind::kMinus;
        length = next == '>' ? 2 : 1;
        break;
      case '<':
        if (next == '=') {
          kind = TokenKind::kLessEq, length = 2;
        } else if (next == '>') {
          kind = TokenKind::kNotEq, length = 2;
        } else {
          kind = TokenKind::kLess;
        }
        break;
      case '>':
        kind = next == '=' ? TokenKind::kGreaterEq : TokenKind::kGreater;
        length = next == '=' ? 2 : 1;
        break;
      case '!':
        if (next != '=') return SyntaxErrorAt(start, 1);
        kind = TokenKind::kNotEq, length = 2;
        break;
      case '|':
        if (next != '|') return SyntaxErrorAt(start, 1);
        kind = TokenKind::kConcat, length = 2;
        break;
      default: return SyntaxErrorAt(start, 1);
    }
    pos_ += length;
    Emit(tokens, kind, start, std::string(text_.substr(start, length)));
    return Status::OK();
  }

  Status SyntaxErrorAt(size_t start, size_t length) {
    return Status::Parser(
        "syntax error at or near \"" + std::string(text_.substr(start, length)) + "\"",
        static_cast<int64_t>(start));
  }

  // digits [. digits] [e [+-] digits], or . digits [e ...]
  Status ScanNumber(std::vector<Token>* tokens) {
    size_t start = pos_;
    TokenKind kind = TokenKind::kInteger;
    while (IsDigit(Peek())) ++pos_;
    if (Peek() == '.') {
      kind = TokenKind::kDecimal;
      ++pos_;
      while (IsDigit(Peek())) ++pos_;
    }
    if (Peek() == 'e' || Peek() == 'E') {
      size_t digits = pos_ + 1;
      if (digits < text_.size() && (text_[digits] == '+' || text_[digits] == '-')) ++digits;
      if (digits < text_.size() && IsDigit(text_[digits])) {
        kind = TokenKind::kDouble;
        pos_ = digits;
        while (IsDigit(Peek())) ++pos_;
      }
    }
    if (pos_ < text_.size() && (IsIdentChar(text_[pos_]) || text_[pos_] == '.')) {
      size_t junk_end = pos_;
      while (junk_end < text_.size() && (IsIdentChar(text_[junk_end]) || text_[junk_end] == '.')) {
        ++junk_end;
      }
      return Status::Parser("trailing junk after numeric literal at or near \"" +
                                std::string(text_.substr(start, junk_end - start)) + "\"",
                            static_cast<int64_t>(start));
    }
    Emit(tokens, kind, start, std::string(text_.substr(start, pos_ - start)));
    return Status::OK();
  }

  // 'string' or "identifier"; a doubled quote stands for one quote character.
  Status ScanQuoted(std::vector<Token>* tokens, char quote) {
    size_t start = pos_++;
    std::string content;
    while (true) {
      if (pos_ >= text_.size()) {
        return Status::Parser(
            quote == '\'' ? "unterminated quoted string" : "unterminated quoted identifier",
            static_cast<int64_t>(start));
      }
      char c = text_[pos_++];
      if (c == quote) {
        if (Peek() != quote) break;
        ++pos_;
      }
      content.push_back(c);
    }
    if (quote == '"' && content.empty()) {
      return Status::Parser("zero-length delimited identifier at or near \"\"\"\"",
                            static_cast<int64_t>(start));
    }
    Emit(tokens, quote == '\'' ? TokenKind::kString : TokenKind::kQuotedIdentifier, start,
         std::move(content));
    return Status::OK();
  }

  std::string_view text_;
  size_t pos_ = 0;
};

}  // namespace

TokenizedText Tokenize(std::string_view text) { return Lexer(text).Run(); }

}  // namespace sluice
