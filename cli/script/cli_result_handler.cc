#include "cli/script/cli_result_handler.h"

#include "cli/script/interrupt.h"

namespace sluice {

void CliResultHandler::BeginStatement(std::string_view script, int64_t offset, Session* session) {
  script_ = script;
  offset_ = offset;
  session_ = session;
  interrupt_line_broken_ = false;
}

void CliResultHandler::BreakLineAfterInterrupt() {
  if (!terminal_ || interrupt_line_broken_ || !InterruptPending()) return;
  out_ << "\n";
  interrupt_line_broken_ = true;
}

void CliResultHandler::OnResultStart(const Schema& schema) {
  formatter_ = MakeResultFormatter(format_, out_);
  formatter_->Begin(schema);
}

Status CliResultHandler::OnRows(const RecordBatch& batch) {
  // The engine clears a cancel request when a statement starts; a Ctrl-C that landed just then is
  // repeated here so a continuous query still stops.
  if (session_ != nullptr && InterruptPending()) session_->Cancel();
  if (formatter_ == nullptr) return Status::Internal("rows arrived before the result started");
  formatter_->AddBatch(batch);
  // stdout closed (say `sluice -c ... | head`): stop the query rather than stream into nothing.
  if (!out_.good()) return Status::Cancelled("output closed");
  return Status::OK();
}

void CliResultHandler::OnResultEnd(int64_t row_count) {
  if (formatter_ == nullptr) return;
  BreakLineAfterInterrupt();
  formatter_->End(row_count);
  formatter_.reset();
}

void CliResultHandler::OnCommandComplete(std::string_view tag) {
  std::ostream& stream = format_ == OutputFormat::kTable ? out_ : err_;
  stream << tag << "\n";
  stream.flush();
}

void CliResultHandler::OnNotice(std::string_view message) {
  err_ << "NOTICE: " << message << "\n";
  err_.flush();
}

void CliResultHandler::OnError(const Status& status) {
  BreakLineAfterInterrupt();
  out_.flush();  // rows printed before the error come first
  if (status.category() == ErrorCategory::kCancelled) {
    err_ << status.message() << "\n";  // the user asked for it: not an ERROR
  } else if (status.has_position()) {
    Status shifted(status.category(), status.message(), status.position() + offset_);
    err_ << RenderError(shifted, script_) << "\n";
  } else {
    err_ << RenderError(status, script_) << "\n";
  }
  err_.flush();
}

}  // namespace sluice
