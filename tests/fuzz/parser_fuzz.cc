// libFuzzer target for the parser: any input must parse or fail cleanly, and whatever parses must
// survive ToSql -> parse -> ToSql unchanged. Built and run by run_parser_fuzz.sh.

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "parser/parser.h"

namespace {

void Fail(const char* what, std::string_view detail) {
  std::fprintf(stderr, "parser_fuzz: %s: %.*s\n", what, static_cast<int>(detail.size()),
               detail.data());
  std::abort();
}

// Canonical text may nest a little deeper than its source (added parentheses), so a depth error
// on the re-parse is the one acceptable failure.
bool IsDepthError(const sluice::Status& status) {
  return status.message().find("nested too deeply") != std::string::npos;
}

void CheckPosition(const sluice::Status& status, size_t size) {
  if (status.position() < 0 || static_cast<size_t>(status.position()) > size) {
    Fail("error position outside the text", status.ToString());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);

  auto script = sluice::ParseScript(text);
  if (!script.ok()) {
    CheckPosition(script.status(), size);
  } else {
    for (const sluice::StatementPtr& statement : *script) {
      if (statement->begin < 0 || statement->end > static_cast<int64_t>(size) ||
          statement->begin > statement->end) {
        Fail("statement span outside the text", text);
      }
      std::string sql = sluice::ToSql(*statement);
      auto again = sluice::ParseStatement(sql);
      if (!again.ok()) {
        if (IsDepthError(again.status())) continue;
        Fail("canonical SQL does not parse", sql + " -> " + again.status().ToString());
      }
      if (sluice::ToSql(**again) != sql) Fail("canonical SQL is not stable", sql);
    }
    if (sluice::SplitStatements(text).size() != script->size()) {
      Fail("SplitStatements disagrees with ParseScript", text);
    }
  }

  auto expr = sluice::ParseExpression(text);
  if (!expr.ok()) {
    CheckPosition(expr.status(), size);
  } else {
    std::string sql = sluice::ToSql(**expr);
    auto again = sluice::ParseExpression(sql);
    if (!again.ok() && !IsDepthError(again.status())) {
      Fail("canonical expression does not parse", sql + " -> " + again.status().ToString());
    }
    if (again.ok() && sluice::ToSql(**again) != sql)
      Fail("canonical expression is not stable", sql);
    if (sluice::ToSql(*(*expr)->Clone()) != sql) Fail("clone differs", sql);
  }

  (void)sluice::IsCompleteStatement(text);
  for (std::string_view piece : sluice::SplitStatements(text)) {
    if (piece.data() < text.data() || piece.data() + piece.size() > text.data() + text.size()) {
      Fail("SplitStatements piece outside the text", piece);
    }
  }
  return 0;
}
