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

SqliteConnection::~SqliteConnection() {
  for (auto& [sql, statements] : idle_) {
    for (sqlite3_stmt* statement : statements) sqlite3_finalize(statement);
  }
  sqlite3_close_v2(db_);
}

sqlite3_stmt* SqliteConnection::TakeIdle(std::string_view sql) {
  auto found = idle_.find(std::string(sql));
  if (found == idle_.end() || found->second.empty()) return nullptr;
  sqlite3_stmt* statement = found->second.back();
  found->second.pop_back();
  return statement;
}

void SqliteConnection::ReturnIdle(sqlite3_stmt* statement) {
  // Reset ends the statement's read of the database (a kept statement must not hold a read
  // transaction open); a few copies per text cover nested use of the same statement.
  sqlite3_reset(statement);
  sqlite3_clear_bindings(statement);
  // The catalog's texts are fixed (values are bound), so the map stays small; bounded anyway.
  const char* sql = sqlite3_sql(statement);
  if (sql == nullptr || (idle_.size() >= 512 && idle_.find(sql) == idle_.end())) {
    sqlite3_finalize(statement);
    return;
  }
  std::vector<sqlite3_stmt*>& kept = idle_[sql];
  if (kept.size() >= 4) {
    sqlite3_finalize(statement);
    return;
  }
  kept.push_back(statement);
}

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
  sqlite3_stmt* statement = connection.TakeIdle(sql);
  if (statement != nullptr) return SqliteStatement(&connection, statement);
  const char* tail = nullptr;
  const int rc = sqlite3_prepare_v3(connection.handle(), sql.data(), static_cast<int>(sql.size()),
                                    SQLITE_PREPARE_PERSISTENT, &statement, &tail);
  if (rc != SQLITE_OK) return connection.LastError("preparing a statement");
  // Only a statement whose text is all of `sql` is kept for reuse under that text.
  if (statement != nullptr && tail != sql.data() + sql.size()) {
    return SqliteStatement(nullptr, &connection, statement);
  }
  return SqliteStatement(&connection, statement);
}

SqliteStatement::SqliteStatement(SqliteStatement&& other) noexcept
    : owner_(other.owner_),
      connection_(other.connection_),
      statement_(std::exchange(other.statement_, nullptr)),
      bind_error_(other.bind_error_) {}

SqliteStatement& SqliteStatement::operator=(SqliteStatement&& other) noexcept {
  if (this != &other) {
    Release();
    owner_ = other.owner_;
    connection_ = other.connection_;
    statement_ = std::exchange(other.statement_, nullptr);
    bind_error_ = other.bind_error_;
  }
  return *this;
}

SqliteStatement::~SqliteStatement() { Release(); }

void SqliteStatement::Release() {
  if (statement_ == nullptr) return;
  if (owner_ != nullptr) {
    owner_->ReturnIdle(std::exchange(statement_, nullptr));
  } else {
    sqlite3_finalize(std::exchange(statement_, nullptr));
  }
}

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
