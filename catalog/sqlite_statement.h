#pragma once
// A thin RAII layer over the SQLite C API for the catalog: a connection that turns SQLite failures
// into STORAGE errors carrying SQLite's message, and prepared statements with typed binds. Not
// thread-safe; the catalog is used by one thread at a time.

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/status.h"

namespace sluice {

// Marks a binary value (bound as a BLOB, not TEXT).
struct SqliteBlob {
  std::string_view bytes;
};

class SqliteConnection {
 public:
  // Opens (creating if missing) the database file at `path` in read-write mode.
  static Result<std::unique_ptr<SqliteConnection>> Open(const std::string& path);
  ~SqliteConnection();
  SqliteConnection(const SqliteConnection&) = delete;
  SqliteConnection& operator=(const SqliteConnection&) = delete;

  // Runs one or more statements that return no rows (DDL, PRAGMA, BEGIN/COMMIT).
  Status Exec(const std::string& sql);
  // A STORAGE error from the connection's last failure: "catalog: <what>: <sqlite message>".
  Status LastError(std::string_view what) const;
  int64_t last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }
  int changes() const { return sqlite3_changes(db_); }
  sqlite3* handle() const { return db_; }

 private:
  friend class SqliteStatement;
  explicit SqliteConnection(sqlite3* db) : db_(db) {}
  // Prepared statements are kept for reuse by their SQL text: the catalog runs the same few
  // dozen statements over and over (a view read binds its relation several times), and compiling
  // one costs more than running it. A statement comes back reset, its bindings cleared.
  sqlite3_stmt* TakeIdle(std::string_view sql);
  void ReturnIdle(sqlite3_stmt* statement);

  sqlite3* db_;
  std::unordered_map<std::string, std::vector<sqlite3_stmt*>> idle_;
};

class SqliteStatement {
 public:
  // Prepares `sql` and binds `params` to its ?-placeholders in order.
  template <typename... Params>
  static Result<SqliteStatement> Make(SqliteConnection& connection, std::string_view sql,
                                      const Params&... params) {
    ASSIGN_OR_RETURN(SqliteStatement statement, Prepare(connection, sql));
    [[maybe_unused]] int index = 0;
    (statement.Bind(++index, params), ...);
    return statement;
  }
  static Result<SqliteStatement> Prepare(SqliteConnection& connection, std::string_view sql);

  SqliteStatement(SqliteStatement&& other) noexcept;
  SqliteStatement& operator=(SqliteStatement&& other) noexcept;
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;
  ~SqliteStatement();

  // Placeholders are numbered from 1. A failed bind is reported by the next Step.
  void Bind(int index, int64_t value);
  void Bind(int index, int value) { Bind(index, static_cast<int64_t>(value)); }
  void Bind(int index, std::string_view value);
  void Bind(int index, const std::string& value) { Bind(index, std::string_view(value)); }
  void Bind(int index, const char* value) { Bind(index, std::string_view(value)); }
  void Bind(int index, SqliteBlob value);
  void Bind(int index, std::nullopt_t);
  // NULL when absent.
  void Bind(int index, const std::optional<int64_t>& value);

  // Advances to the next row: true when a row is ready, false when the statement is done.
  Result<bool> Step();
  // Runs a statement that returns no rows to completion.
  Status Run();

  // Column accessors for the current row; columns are numbered from 0.
  bool IsNull(int column) const;
  int64_t Int(int column) const;
  std::string Text(int column) const;
  std::string Blob(int column) const;

 private:
  SqliteStatement(SqliteConnection* connection, sqlite3_stmt* statement)
      : owner_(connection), connection_(connection), statement_(statement) {}
  // Not kept for reuse (finalized when done).
  SqliteStatement(std::nullptr_t, SqliteConnection* connection, sqlite3_stmt* statement)
      : connection_(connection), statement_(statement) {}
  void NoteBind(int rc);
  // Gives the statement back to its connection for reuse (or finalizes it).
  void Release();

  SqliteConnection* owner_ = nullptr;  // keeps the statement for reuse; null: finalize
  SqliteConnection* connection_ = nullptr;
  sqlite3_stmt* statement_ = nullptr;
  int bind_error_ = SQLITE_OK;  // first failed bind, reported by Step
};

}  // namespace sluice
