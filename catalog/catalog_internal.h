#pragma once
// Helpers shared by the catalog_*.cc files: row loops and message pieces. Not part of the
// catalog's interface.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/sqlite_statement.h"
#include "common/status.h"

namespace sluice::catalog_internal {

// Turns the current row of a statement into an object; decoding a stored field may fail.
template <typename T>
using RowReader = Result<T> (*)(const SqliteStatement& row);

// Runs `sql` with `params` and reads every row.
template <typename T, typename... Params>
Result<std::vector<T>> SelectRows(SqliteConnection& connection, RowReader<T> read,
                                  std::string_view sql, const Params&... params) {
  ASSIGN_OR_RETURN(SqliteStatement statement, SqliteStatement::Make(connection, sql, params...));
  std::vector<T> rows;
  while (true) {
    ASSIGN_OR_RETURN(bool has_row, statement.Step());
    if (!has_row) return rows;
    ASSIGN_OR_RETURN(T row, read(statement));
    rows.push_back(std::move(row));
  }
}

// Runs `sql` with `params` and reads the first row, if any.
template <typename T, typename... Params>
Result<std::optional<T>> SelectRow(SqliteConnection& connection, RowReader<T> read,
                                   std::string_view sql, const Params&... params) {
  ASSIGN_OR_RETURN(SqliteStatement statement, SqliteStatement::Make(connection, sql, params...));
  ASSIGN_OR_RETURN(bool has_row, statement.Step());
  if (!has_row) return std::optional<T>();
  ASSIGN_OR_RETURN(T row, read(statement));
  return std::optional<T>(std::move(row));
}

// Runs a statement that returns no rows.
template <typename... Params>
Status Execute(SqliteConnection& connection, std::string_view sql, const Params&... params) {
  ASSIGN_OR_RETURN(SqliteStatement statement, SqliteStatement::Make(connection, sql, params...));
  return statement.Run();
}

// "name" with double quotes, as names appear in messages.
inline std::string Quote(std::string_view name) { return "\"" + std::string(name) + "\""; }

// An empty owner means the default owner role.
std::string OwnerOrDefault(const std::string& owner);

// "a, b, c" or, past `limit` items, "a, b, c and 4 more": dependents lists stay readable.
std::string JoinLimited(const std::vector<std::string>& items, size_t limit = 5);

// `<what> "name" does not exist<where>`, plus a "did you mean" hint when a candidate is close.
// `where` is empty or like ` in database "shop"`.
Status NotFound(std::string_view what, const std::string& name,
                const std::vector<std::string>& candidates, std::string_view where = "");

}  // namespace sluice::catalog_internal
