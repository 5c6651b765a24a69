#pragma once
// The control plane as one object. An Engine owns a data dir (catalog, local log, query
// supervisor); Sessions execute SQL against it on behalf of one user. The interactive shell, `-f`
// and `-c` all go through Session::ExecuteScript; the server (later) will too.

#include <atomic>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/batch.h"
#include "common/status.h"
#include "common/types.h"

namespace sluice {

// Receives what statements produce. Called on the thread that runs Execute/ExecuteScript.
class ResultHandler {
 public:
  virtual ~ResultHandler() = default;
  // A statement returns rows: called once, before any OnRows.
  virtual void OnResultStart(const Schema& schema) = 0;
  // Rows as they arrive; continuous queries call this many times. A non-OK return (say, the
  // client went away) cancels the statement.
  virtual Status OnRows(const RecordBatch& batch) = 0;
  // The row-returning statement finished (LIMIT reached, snapshot complete, or cancelled).
  virtual void OnResultEnd(int64_t row_count) = 0;
  // A statement without rows completed; `tag` is a psql-like command tag: "CREATE STREAM",
  // "INSERT 0 3", "FLUSH", "TERMINATE QUERY".
  virtual void OnCommandComplete(std::string_view tag) = 0;
  // Information for the user that is not a result, e.g. "query 3 started (RUNNING)".
  virtual void OnNotice(std::string_view message) = 0;
  // A statement of a script failed. The status position (if any) is relative to the whole
  // script text, so RenderError(status, script) prints the right LINE and caret.
  virtual void OnError(const Status& status) = 0;
};

struct EngineOptions {
  std::string data_dir = "./sluice-data";
  // Executable started as `<worker_binary> worker` for each persistent query.
  // Empty: this process's own executable (/proc/self/exe).
  std::string worker_binary;
  // Crashes of one query's worker within a minute after which it is FAILED, not restarted.
  int worker_crash_limit = 10;
  // Longest back-off before restarting a crashed worker (starts at 100 ms, doubles per crash).
  int worker_max_backoff_ms = 10000;
  // How long FLUSH waits for the running queries before it fails (it never returns early).
  int flush_timeout_ms = 120000;
};

struct ScriptOptions {
  bool continue_on_error = false;
};

class Engine;

class Session {
 public:
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;
  ~Session();

  // Runs the statements of `script` in order, each reported to `handler`. Stops at the first
  // failing statement (after handler.OnError) unless options.continue_on_error. Returns OK when
  // every statement succeeded, else the first error (positions relative to `script`).
  Status ExecuteScript(std::string_view script, ResultHandler& handler,
                       const ScriptOptions& options = {});

  // Asks the statement running on another thread to stop; it returns Status::Cancelled (a
  // continuous SELECT ends its result normally instead). Async-signal-safe.
  void Cancel() { cancel_requested_.store(true, std::memory_order_relaxed); }

  const std::string& current_database() const { return current_database_; }
  const std::string& current_schema() const { return current_schema_; }
  // Who the session acts as: its user and current role (both "admin"/"orgadmin" by local trust).
  const std::string& user() const { return user_; }
  const std::string& role() const { return role_; }
  // Starts acting as `user` with its default role (session_login.cc). Unknown users fail with a
  // PERMISSION error; the attempt is audited either way.
  Status Login(const std::string& user);
  // Starts acting as `user` after checking `password` against its SCRAM verifier (a caller that
  // is not admin by local trust, or one that asked to give a password). Failures are audited and
  // rate-limited (rbac/login_throttle.h); every failure reads `login failed for user "x"`.
  Status LoginWithPassword(const std::string& user, const std::string& password);

 private:
  friend class Engine;
  friend class StatementExecutor;
  explicit Session(Engine& engine);
  // Appends the statement's audit record (secrets redacted; synced before returning unless it is
  // a successful `read_only` statement); returns `outcome`, or the audit failure when the
  // statement itself succeeded.
  Status AuditStatement(std::string_view text, const Status& outcome, bool read_only);

  Engine& engine_;
  std::string current_database_;
  std::string current_schema_;
  std::string user_ = "admin";
  std::string role_ = "orgadmin";
  // Set by USE ROLE: the role is re-checked before each statement, since it may be revoked from
  // the user (or dropped) by another session meanwhile.
  bool role_chosen_ = false;
  std::atomic<bool> cancel_requested_{false};
  // Queries this session started or restarted since its last FLUSH: FLUSH fails for one that
  // failed meanwhile, even before FLUSH began (it is no longer running, so not waited for).
  std::vector<int64_t> started_queries_;
};

class EngineImpl;

class Engine {
 public:
  // Opens (creating on first use) the data dir, locks it against other engines, resumes the
  // persistent queries that were RUNNING.
  static Result<std::unique_ptr<Engine>> Open(const EngineOptions& options);
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;
  ~Engine();  // stops workers (their queries stay RUNNING in the catalog and resume next Open)

  std::unique_ptr<Session> NewSession();
  EngineImpl& impl() { return *impl_; }

 private:
  explicit Engine(std::unique_ptr<EngineImpl> impl);
  std::unique_ptr<EngineImpl> impl_;
};

}  // namespace sluice
