#include "cli/script/script_runner.h"

#include <chrono>
#include <cstdio>
#include <vector>

#include "cli/script/interrupt.h"
#include "parser/parser.h"

namespace sluice {

RunOutcome ScriptRunner::Run(std::string_view script, bool continue_on_error) {
  RunOutcome outcome;
  for (std::string_view statement : SplitStatements(script)) {
    if (InterruptPending()) {
      outcome.interrupted = true;
      break;
    }
    handler_.BeginStatement(script, statement.data() - script.data(), &session_);
    const auto start = std::chrono::steady_clock::now();
    Status status;
    {
      RunningStatement running(session_);
      status = session_.ExecuteScript(statement, handler_);
    }
    if (timing_) {
      std::chrono::duration<double, std::milli> elapsed = std::chrono::steady_clock::now() - start;
      char text[64];
      std::snprintf(text, sizeof(text), "Time: %.3f ms\n", elapsed.count());
      timing_out_ << text;
      timing_out_.flush();
    }
    if (status.category() == ErrorCategory::kCancelled || InterruptPending()) {
      outcome.interrupted = true;
      break;
    }
    if (!status.ok()) {
      outcome.failed = true;
      if (!continue_on_error) break;
    }
  }
  handler_.BeginStatement({}, 0, nullptr);  // the script text may die after this call
  return outcome;
}

size_t CompleteStatementsEnd(std::string_view buffer) {
  std::vector<std::string_view> statements = SplitStatements(buffer);
  if (statements.empty()) return IsCompleteStatement(buffer) ? buffer.size() : 0;  // ";" alone
  std::string_view last = statements.back();
  const size_t last_begin = static_cast<size_t>(last.data() - buffer.data());
  size_t next = buffer.find_first_not_of(" \t\r\n", last_begin + last.size());
  if (next != std::string_view::npos && buffer[next] == ';') return buffer.size();
  return last_begin;  // the last statement has no ';' yet
}

}  // namespace sluice
