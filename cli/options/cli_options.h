#pragma once
// Command-line options of `sluice` (CLI11). Parsing is separate from main() so tests can check
// what a command line means without starting an engine.

#include <optional>
#include <string>
#include <vector>

#include "cli/format/result_formatter.h"

namespace sluice {

// One -c or -f, kept in command-line order: `sluice -f a.sql -c "..." -f b.sql` runs all three
// in that order, as psql does.
struct ScriptSource {
  enum class Kind { kCommand, kFile };
  Kind kind;
  std::string text;  // the SQL (kCommand) or the path (kFile)
};

struct CliOptions {
  std::string data_dir;
  int worker_crash_limit = 10;        // --worker-crash-limit
  int worker_max_backoff_ms = 10000;  // --worker-max-backoff-ms
  std::vector<ScriptSource> scripts;
  OutputFormat format = OutputFormat::kTable;
  bool continue_on_error = false;
  std::string host;  // reserved for the server; rejected for now
  // `sluice audit verify`: recompute the audit log's hash chain instead of running SQL.
  bool audit_verify = false;
  // --user: the session's user; empty means the data dir's local-trust user, admin.
  std::string user;
  // -W/--password: authenticate with the user's password even under local trust (it is always
  // asked for when the caller does not own the data dir). SLUICE_PASSWORD, when set, supplies it.
  bool ask_password = false;
};

struct ParsedCommandLine {
  CliOptions options;
  // Set when the process should exit right away (--help, --version, a bad option) with this code;
  // the text to print has been printed.
  std::optional<int> exit_code;
};

// `version` is printed by --version. Environment: SLUICE_DATA gives the data dir default.
ParsedCommandLine ParseCommandLine(int argc, const char* const* argv, const std::string& version);

}  // namespace sluice
