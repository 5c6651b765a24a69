// RedactSecrets (declared in audit_log.h): keeps passwords and store credentials out of the audit
// log. It works on the statement text as written, so it also covers statements that fail to parse.

#include <algorithm>
#include <cctype>
#include <string_view>

#include "common/ascii.h"
#include "rbac/audit_log.h"

namespace sluice::rbac {

namespace {

bool IsSecretKey(const std::string& key) {
  std::string lower = AsciiLower(key);
  return lower.find("password") != std::string::npos || lower.find("secret") != std::string::npos;
}

// The text before `pos`, without trailing blanks.
std::string TrimmedPrefix(const std::string& text, size_t pos) {
  size_t end = pos;
  while (end > 0 && std::isspace(static_cast<unsigned char>(text[end - 1]))) --end;
  return text.substr(0, end);
}

// Whether `text` ends, before `end` and trailing blanks, with the word `word` (lower case,
// compared case-insensitively); sets `start` to where that word begins.
bool EndsWithWord(const std::string& text, size_t end, std::string_view word, size_t* start) {
  while (end > 0 && std::isspace(static_cast<unsigned char>(text[end - 1]))) --end;
  if (end < word.size()) return false;
  size_t begin = end - word.size();
  for (size_t char_idx = 0; char_idx < word.size(); ++char_idx) {
    if (std::tolower(static_cast<unsigned char>(text[begin + char_idx])) != word[char_idx]) {
      return false;
    }
  }
  if (begin > 0 &&
      (std::isalnum(static_cast<unsigned char>(text[begin - 1])) || text[begin - 1] == '_')) {
    return false;
  }
  *start = begin;
  return true;
}

// A password written without quotes (`WITH PASSWORD hunter2`, which the parser refuses) still
// must not reach the log: true when `out` ends in "WITH PASSWORD" and blanks.
bool AfterWithPassword(const std::string& out) {
  if (out.empty() || !std::isspace(static_cast<unsigned char>(out.back()))) return false;
  size_t password_start = 0;
  size_t with_start = 0;
  return EndsWithWord(out, out.size(), "password", &password_start) &&
         EndsWithWord(out, password_start, "with", &with_start);
}

}  // namespace

std::string RedactSecrets(const std::string& sql) {
  std::string out;
  std::string last_literal;  // the previous literal's contents: a property key before '='
  size_t last_literal_end = std::string::npos;  // where it ended in `out`
  size_t pos = 0;
  while (pos < sql.size()) {
    if (sql[pos] != '\'') {
      if (!std::isspace(static_cast<unsigned char>(sql[pos])) && AfterWithPassword(out)) {
        while (pos < sql.size() && !std::isspace(static_cast<unsigned char>(sql[pos])) &&
               sql[pos] != ';' && sql[pos] != '\'') {
          ++pos;
        }
        out += "********";
        continue;
      }
      out += sql[pos++];
      continue;
    }
    // A single-quoted literal; '' inside is an escaped quote. An unterminated one runs to the end.
    size_t end = pos + 1;
    std::string contents;
    while (end < sql.size()) {
      if (sql[end] == '\'' && end + 1 < sql.size() && sql[end + 1] == '\'') {
        contents += '\'';
        end += 2;
      } else if (sql[end] == '\'') {
        break;
      } else {
        contents += sql[end++];
      }
    }
    std::string before = AsciiLower(TrimmedPrefix(out, out.size()));
    bool after_password =
        before.size() >= 8 && before.compare(before.size() - 8, 8, "password") == 0;
    // A property value: only '=' (and blanks) between the key literal and this one.
    bool secret_value = false;
    if (last_literal_end != std::string::npos && IsSecretKey(last_literal)) {
      std::string between = out.substr(last_literal_end);
      std::erase_if(between, [](unsigned char c) { return std::isspace(c); });
      secret_value = between == "=";
    }
    out += (after_password || secret_value) ? "'********'" : sql.substr(pos, end + 1 - pos);
    last_literal = contents;
    last_literal_end = out.size();
    pos = end + 1;
  }
  return out;
}

}  // namespace sluice::rbac
