#include "catalog/sqlite_statement.h"

#include <utility>

namespace sluice {

Result<std::unique_ptr<SqliteConnection>> SqliteConnection::Open(const std::string& path) {
  sqlite3* db = nullptr;
  const int rc =
      sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close(db);
    return Status::Storage("catalog: cannot open \"" + path + "\": " + message);
  }
  sqlite3_extended_result_codes(db, 1);
  return std::unique_ptr<SqliteConnection>(new SqliteConnection(db));
}

SqliteConnection::~SqliteConnection() { sqlite3_close_v2(db_); }

Status SqliteConnection::Exec(const std::string& sql) {
  char* error = nullptr;
  const int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error);
  if (rc == SQLITE_OK) return Status::OK();
  std::string message = error ? error : sqlite3_errstr(rc);
  sqlite3_free(error);
  return Status::Storage("catalog: " + message);
}

Status SqliteConnection::LastError(std::string_view what) const {
  return Status::Storage("catalog: " + std::string(what) + ": " + sqlite3_errmsg(db_));
}

Result<SqliteStatement> SqliteStatement::Prepare(SqliteConnection& connection,
                                                 std::string_view sql) {
  sqlite3_stmt* statement = nullptr;
  const int rc = sqlite3_prepare_v2(connection.handle(), sql.data(), static_cast<int>(sql.size()),
                                    &statement, nullptr);
  if (rc != SQLITE_OK) return connection.LastError("preparing a statement");
  return SqliteStatement(&connection, statement);
}

SqliteStatement::SqliteStatement(SqliteStatement&& other) noexcept
    : connection_(other.connection_),
      statement_(std::exchange(other.statement_, nullptr)),
      bind_error_(other.bind_error_) {}

SqliteStatement& SqliteStatement::operator=(SqliteStatement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(statement_);
    connection_ = other.connection_;
    statement_ = std::exchange(other.statement_, nullptr);
    bind_error_ = other.bind_error_;
  }
  return *this;
}

SqliteStatement::~SqliteStatement() { sqlite3_finalize(statement_); }

void SqliteStatement::NoteBind(int rc) {
  if (rc != SQLITE_OK && bind_error_ == SQLITE_OK) bind_error_ = rc;
}

void SqliteStatement::Bind(int index, int64_t value) {
  NoteBind(sqlite3_bind_int64(statement_, index, value));
}

void SqliteStatement::Bind(int index, std::string_view value) {
  // SQLITE_TRANSIENT: SQLite copies, so the caller's string may die before Step.
  NoteBind(sqlite3_bind_text64(statement_, index, value.data(), value.size(), SQLITE_TRANSIENT,
                               SQLITE_UTF8));
}

void SqliteStatement::Bind(int index, SqliteBlob value) {
  NoteBind(sqlite3_bind_blob64(statement_, index, value.bytes.data(), value.bytes.size(),
                               SQLITE_TRANSIENT));
}

void SqliteStatement::Bind(int index, std::nullopt_t) {
  NoteBind(sqlite3_bind_null(statement_, index));
}

void SqliteStatement::Bind(int index, const std::optional<int64_t>& value) {
  if (value) {
    Bind(index, *value);
  } else {
    Bind(index, std::nullopt);
  }
}

Result<bool> SqliteStatement::Step() {
  if (bind_error_ != SQLITE_OK) {
    return Status::Storage(std::string("catalog: binding a parameter: ") +
                           sqlite3_errstr(bind_error_));
  }
  const int rc = sqlite3_step(statement_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return connection_->LastError("running a statement");
}

Status SqliteStatement::Run() {
  while (true) {
    ASSIGN_OR_RETURN(bool has_row, Step());
    if (!has_row) return Status::OK();
  }
}

bool SqliteStatement::IsNull(int column) const {
  return sqlite3_column_type(statement_, column) == SQLITE_NULL;
}

int64_t SqliteStatement::Int(int column) const { return sqlite3_column_int64(statement_, column); }

std::string SqliteStatement::Text(int column) const {
  const unsigned char* text = sqlite3_column_text(statement_, column);
  if (text == nullptr) return std::string();
  return std::string(reinterpret_cast<const char*>(text),
                     static_cast<size_t>(sqlite3_column_bytes(statement_, column)));
}

std::string SqliteStatement::Blob(int column) const {
  const void* bytes = sqlite3_column_blob(statement_, column);
  if (bytes == nullptr) return std::string();
  return std::string(static_cast<const char*>(bytes),
                     static_cast<size_t>(sqlite3_column_bytes(statement_, column)));
}

}  // namespace sluice
