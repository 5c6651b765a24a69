#include "common/status.h"

#include <cstring>

namespace sluice {

std::string_view CategoryName(ErrorCategory category) {
  switch (category) {
    case ErrorCategory::kOk: return "OK";
    case ErrorCategory::kParser: return "PARSER";
    case ErrorCategory::kBinder: return "BINDER";
    case ErrorCategory::kCatalog: return "CATALOG";
    case ErrorCategory::kPermission: return "PERMISSION";
    case ErrorCategory::kStorage: return "STORAGE";
    case ErrorCategory::kConnector: return "CONNECTOR";
    case ErrorCategory::kExecution: return "EXECUTION";
    case ErrorCategory::kCancelled: return "CANCELLED";
    case ErrorCategory::kInternal: return "INTERNAL";
  }
  return "INTERNAL";
}

Status Status::FromErrno(std::string_view what, int err) {
  return Status(ErrorCategory::kStorage, std::string(what) + ": " + std::strerror(err));
}

const std::string& Status::message() const {
  static const std::string kEmpty;
  return state_ ? state_->message : kEmpty;
}

Status Status::WithPosition(int64_t pos) const {
  if (ok() || has_position()) return *this;
  Status out(state_->category, state_->message, pos);
  return retriable() ? out.AsRetriable() : out;
}

Status Status::WithContext(std::string_view prefix) const {
  if (ok()) return *this;
  Status out(state_->category, std::string(prefix) + ": " + state_->message, state_->position);
  return retriable() ? out.AsRetriable() : out;
}

Status Status::AsRetriable() const {
  if (ok() || retriable()) return *this;
  Status out;
  out.state_ = std::make_shared<State>(
      State{state_->category, state_->message, state_->position, /*retriable=*/true});
  return out;
}

std::string Status::ToString() const {
  if (ok()) return "OK";
  return std::string(CategoryName(category())) + ": " + message();
}

std::string RenderError(const Status& status, std::string_view source) {
  std::string out = "ERROR: " + status.ToString();
  if (!status.has_position() || static_cast<size_t>(status.position()) > source.size()) return out;
  size_t pos = static_cast<size_t>(status.position());
  size_t line_start = 0;
  if (pos > 0) {
    size_t newline = source.rfind('\n', pos - 1);
    if (newline != std::string_view::npos) line_start = newline + 1;
  }
  size_t line_end = source.find('\n', pos);
  if (line_end == std::string_view::npos) line_end = source.size();
  int line_number = 1;
  for (size_t i = 0; i < line_start; ++i) line_number += source[i] == '\n';
  std::string prefix = "LINE " + std::to_string(line_number) + ": ";
  std::string_view line = source.substr(line_start, line_end - line_start);
  out += "\n" + prefix + std::string(line) + "\n";
  // Tabs in the line keep their width under the caret.
  std::string pad(prefix.size(), ' ');
  for (size_t i = line_start; i < pos; ++i) pad += source[i] == '\t' ? '\t' : ' ';
  out += pad + "^";
  return out;
}

}  // namespace sluice
