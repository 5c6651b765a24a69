// Opening the catalog file and running transactions. Object operations live in
// catalog_<object>.cc, the table layout and its migrations in catalog_schema.cc.

#include "catalog/catalog.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "catalog/catalog_read_cache.h"
#include "catalog/sqlite_statement.h"

namespace sluice {

namespace {

// How long a statement waits for another connection's lock before failing with "database is
// locked". Only one engine uses a data dir, so a wait means a stray sqlite3 shell or a backup.
constexpr int kBusyTimeoutMillis = 5000;

// The catalog holds (encrypted) credentials: create it owner-only before SQLite does, since the
// WAL and shared-memory files inherit the database file's permissions.
Status CreateOwnerOnlyFile(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return Status::FromErrno("catalog: cannot create \"" + path + "\"", errno);
  ::close(fd);
  return Status::OK();
}

}  // namespace

Catalog::Catalog(std::unique_ptr<SqliteConnection> connection)
    : connection_(std::move(connection)), read_cache_(std::make_unique<CatalogReadCache>()) {}

Catalog::~Catalog() = default;

Result<std::unique_ptr<Catalog>> Catalog::Open(const std::string& path) {
  RETURN_NOT_OK(CreateOwnerOnlyFile(path));
  ASSIGN_OR_RETURN(std::unique_ptr<SqliteConnection> connection, SqliteConnection::Open(path));
  sqlite3_busy_timeout(connection->handle(), kBusyTimeoutMillis);
  RETURN_NOT_OK(connection->Exec("PRAGMA foreign_keys = ON"));
  {
    ASSIGN_OR_RETURN(SqliteStatement journal,
                     SqliteStatement::Prepare(*connection, "PRAGMA journal_mode = WAL"));
    ASSIGN_OR_RETURN(bool has_row, journal.Step());
    const std::string mode = has_row ? journal.Text(0) : "";
    if (mode != "wal") {
      return Status::Storage("catalog: \"" + path + "\" cannot use WAL mode (journal mode is \"" +
                             mode + "\")");
    }
  }
  std::unique_ptr<Catalog> catalog(new Catalog(std::move(connection)));
  RETURN_NOT_OK(catalog->Migrate());
  return catalog;
}

int64_t Catalog::change_count() const {
  return static_cast<int64_t>(sqlite3_total_changes(connection_->handle())) + rollbacks_;
}

Status Catalog::RunInTransaction(const std::function<Status()>& body) {
  const bool outermost = transaction_depth_ == 0;
  const std::string savepoint = "nested_" + std::to_string(transaction_depth_);
  // IMMEDIATE takes the write lock up front, so a transaction that read something cannot fail
  // later to upgrade its lock (SQLITE_BUSY) after deciding what to write.
  RETURN_NOT_OK(connection_->Exec(outermost ? "BEGIN IMMEDIATE" : "SAVEPOINT " + savepoint));
  ++transaction_depth_;
  Status status = body();
  --transaction_depth_;
  if (status.ok()) {
    status = connection_->Exec(outermost ? "COMMIT" : "RELEASE " + savepoint);
    if (status.ok()) return status;
  }
  // Whatever the body wrote is undone (here or by SQLite itself): caches built since are stale.
  ++rollbacks_;
  // Some errors (disk full, I/O) make SQLite roll back by itself; then there is nothing to undo.
  if (!sqlite3_get_autocommit(connection_->handle())) {
    Status undone = connection_->Exec(
        outermost ? "ROLLBACK" : "ROLLBACK TO " + savepoint + "; RELEASE " + savepoint);
    (void)undone;  // the body's error is the one worth reporting
  }
  return status;
}

}  // namespace sluice
