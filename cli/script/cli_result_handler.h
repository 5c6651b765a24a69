#pragma once
// CliResultHandler: what the command line shows of a statement. Rows go to the current output
// format on `out`; errors (psql style, with LINE and caret), notices and cancellations go to
// `err`. Command tags ("CREATE STREAM", "INSERT 0 3") go to `out` in the table format, as psql
// prints them, and to `err` in the machine formats so csv/json output stays parseable.

#include <cstdint>
#include <memory>
#include <ostream>
#include <string_view>

#include "cli/format/result_formatter.h"
#include "engine/engine.h"

namespace sluice {

class CliResultHandler : public ResultHandler {
 public:
  CliResultHandler(std::ostream& out, std::ostream& err, OutputFormat format)
      : out_(out), err_(err), format_(format) {}

  // On a terminal, Ctrl-C echoes "^C" where the cursor is; a line break after it keeps the
  // "(n rows)" or "query cancelled" that follows readable.
  void set_terminal(bool terminal) { terminal_ = terminal; }

  OutputFormat format() const { return format_; }
  void set_format(OutputFormat format) { format_ = format; }

  // Errors of the next statement are positioned relative to the statement, which starts at byte
  // `offset` of `script`; they are rendered against the whole script so LINE numbers are lines of
  // the file. `session` is re-cancelled if a Ctrl-C raced with the statement's start.
  // REQUIRES: `script` and `session` outlive the statement.
  void BeginStatement(std::string_view script, int64_t offset, Session* session);

  void OnResultStart(const Schema& schema) override;
  Status OnRows(const RecordBatch& batch) override;
  void OnResultEnd(int64_t row_count) override;
  void OnCommandComplete(std::string_view tag) override;
  void OnNotice(std::string_view message) override;
  void OnError(const Status& status) override;

 private:
  std::ostream& out_;
  std::ostream& err_;
  OutputFormat format_;
  std::unique_ptr<ResultFormatter> formatter_;
  std::string_view script_;
  int64_t offset_ = 0;
  Session* session_ = nullptr;
  bool terminal_ = false;
  // The line break after "^C" was written; once per statement is enough.
  bool interrupt_line_broken_ = false;

  void BreakLineAfterInterrupt();
};

}  // namespace sluice
