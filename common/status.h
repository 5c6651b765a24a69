#pragma once
// Status and Result<T>: errors are values. Every fallible function in Sluice returns one of these
// (Arrow/RocksDB style). A Status carries a category, a message for the user, and, when the error
// comes from SQL text, the byte offset into that text so it can be rendered with a caret.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace sluice {

enum class ErrorCategory : uint8_t {
  kOk = 0,
  kParser,      // lexer and grammar errors
  kBinder,      // unknown names, type errors, wrong arity
  kCatalog,     // already exists, dependents, catalog I/O
  kPermission,  // denied access (always audited)
  kStorage,     // log, state store, files
  kConnector,   // sources and sinks (local log, kafka, datagen)
  kExecution,   // run-time evaluation: cast failure, bad record, overflow
  kCancelled,   // the user cancelled (Ctrl-C); not shown as an error
  kInternal,    // a bug in Sluice
};

// Upper-case name used in messages: "PARSER", "BINDER", ...
std::string_view CategoryName(ErrorCategory category);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(ErrorCategory category, std::string message, int64_t position = -1)
      : state_(std::make_shared<State>(State{category, std::move(message), position})) {}

  static Status OK() { return Status(); }
  static Status Parser(std::string msg, int64_t pos = -1) {
    return Status(ErrorCategory::kParser, std::move(msg), pos);
  }
  static Status Binder(std::string msg, int64_t pos = -1) {
    return Status(ErrorCategory::kBinder, std::move(msg), pos);
  }
  static Status Catalog(std::string msg, int64_t pos = -1) {
    return Status(ErrorCategory::kCatalog, std::move(msg), pos);
  }
  static Status Permission(std::string msg, int64_t pos = -1) {
    return Status(ErrorCategory::kPermission, std::move(msg), pos);
  }
  static Status Storage(std::string msg) { return Status(ErrorCategory::kStorage, std::move(msg)); }
  static Status Connector(std::string msg) {
    return Status(ErrorCategory::kConnector, std::move(msg));
  }
  static Status Execution(std::string msg, int64_t pos = -1) {
    return Status(ErrorCategory::kExecution, std::move(msg), pos);
  }
  static Status Cancelled(std::string msg = "query cancelled") {
    return Status(ErrorCategory::kCancelled, std::move(msg));
  }
  static Status Internal(std::string msg) {
    return Status(ErrorCategory::kInternal, std::move(msg));
  }
  // errno-based storage error: "<what>: <strerror(err)>".
  static Status FromErrno(std::string_view what, int err);

  bool ok() const { return state_ == nullptr; }
  ErrorCategory category() const { return state_ ? state_->category : ErrorCategory::kOk; }
  const std::string& message() const;
  // Byte offset into the SQL text the error refers to, or -1.
  int64_t position() const { return state_ ? state_->position : -1; }
  bool has_position() const { return position() >= 0; }

  // Same error with a position attached (if it has none yet), e.g. when the binder knows where.
  Status WithPosition(int64_t pos) const;
  // Same error with "<prefix>: " put in front of the message.
  Status WithContext(std::string_view prefix) const;

  // A transient failure (a broker unreachable, a timed-out request): running the query again
  // later may succeed, so its supervisor retries with back-off instead of failing it. Kept by
  // WithContext and WithPosition.
  Status AsRetriable() const;
  bool retriable() const { return state_ != nullptr && state_->retriable; }

  // "PARSER: message" (no position rendering).
  std::string ToString() const;

 private:
  struct State {
    ErrorCategory category;
    std::string message;
    int64_t position;
    bool retriable = false;
  };
  std::shared_ptr<const State> state_;  // null means OK; shared so Status copies are cheap
};

// Renders an error as psql does:
//   ERROR: BINDER: column "x" does not exist
//   LINE 2: SELECT x FROM t
//                  ^
// `source` is the full text the position refers to (a statement, or a whole file).
std::string RenderError(const Status& status, std::string_view source);

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}          // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {}  // NOLINT: implicit by design

  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }
  T& value() & { return *value_; }
  const T& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }
  T& operator*() & { return *value_; }
  const T& operator*() const& { return *value_; }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }
  T ValueOr(T fallback) const& { return ok() ? *value_ : std::move(fallback); }

 private:
  Status status_;
  std::optional<T> value_;
};

}  // namespace sluice

#define SLUICE_CONCAT_IMPL(a, b) a##b
#define SLUICE_CONCAT(a, b) SLUICE_CONCAT_IMPL(a, b)

#define RETURN_NOT_OK(expr)        \
  do {                             \
    ::sluice::Status _st = (expr); \
    if (!_st.ok()) return _st;     \
  } while (0)

#define ASSIGN_OR_RETURN_IMPL(tmp, lhs, rexpr) \
  auto tmp = (rexpr);                          \
  if (!tmp.ok()) return tmp.status();          \
  lhs = std::move(tmp).value()

// ASSIGN_OR_RETURN(auto x, F());  or  ASSIGN_OR_RETURN(x, F());
#define ASSIGN_OR_RETURN(lhs, rexpr) \
  ASSIGN_OR_RETURN_IMPL(SLUICE_CONCAT(_result_, __LINE__), lhs, rexpr)
