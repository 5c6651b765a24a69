#include "cli/options/cli_options.h"

#include <CLI/CLI.hpp>
#include <iostream>

namespace sluice {

namespace {

constexpr const char* kDescription =
    "sluice: a streaming SQL engine. Without -c or -f it opens an interactive shell on the\n"
    "embedded engine (or, when stdin is not a terminal, runs the statements read from stdin).";

constexpr const char* kFooter =
    "Examples:\n"
    "  sluice                               shell on ./sluice-data\n"
    "  sluice --data-dir /var/lib/sluice    shell on another data dir\n"
    "  sluice -f pipeline.sql               run a file; stop at its first error\n"
    "  sluice -c 'SHOW RELATIONS;' --format csv\n"
    "                                       run SQL, print results as CSV\n"
    "  sluice -f setup.sql -c 'SELECT * FROM views LIMIT 5;'\n"
    "                                       -f and -c run in command-line order\n"
    "  echo 'SHOW DATABASES;' | sluice      run the statements read from stdin\n"
    "  sluice audit verify                  check the audit log's hash chain (exit 2 if broken)\n"
    "  SLUICE_PASSWORD=... sluice --user bob -W\n"
    "                                       log in as bob with his password\n"
    "\n"
    "Exit status: 0 when every statement succeeded; 3 when a statement failed (also with\n"
    "--continue-on-error); 1 when sluice could not start (bad option, unusable data dir,\n"
    "unreadable -f file); 130 when interrupted with Ctrl-C.\n"
    "`sluice worker` is internal: the engine starts it to run one persistent query.";

}  // namespace

ParsedCommandLine ParseCommandLine(int argc, const char* const* argv, const std::string& version) {
  ParsedCommandLine parsed;
  CliOptions& options = parsed.options;
  CLI::App app(kDescription, "sluice");
  app.footer(kFooter);
  app.get_formatter()->column_width(34);

  options.data_dir = "./sluice-data";
  app.add_option("--data-dir", options.data_dir,
                 "Data dir of the embedded engine (created if missing; default ./sluice-data)")
      ->envname("SLUICE_DATA")
      ->type_name("DIR");
  std::vector<std::string> files;
  std::vector<std::string> commands;
  CLI::Option* file_option =
      app.add_option("-f,--file", files, "Run the statements in FILE (repeatable)")
          ->type_name("FILE")
          ->allow_extra_args(false);
  CLI::Option* command_option =
      app.add_option("-c,--command", commands, "Run SQL: statements separated by ';' (repeatable)")
          ->type_name("SQL")
          ->allow_extra_args(false);
  std::string format_name = "table";
  app.add_option("--format", format_name, "Output format of results (default table)")
      ->check(CLI::IsMember({"table", "csv", "json", "jsonl"}, CLI::ignore_case))
      ->type_name("FORMAT");
  app.add_option("--worker-crash-limit", options.worker_crash_limit,
                 "Crashes of a query's worker within a minute after which the query is FAILED "
                 "instead of restarted (default 10)")
      ->check(CLI::Range(1, 1000000))
      ->type_name("N");
  app.add_option("--worker-max-backoff-ms", options.worker_max_backoff_ms,
                 "Longest wait before restarting a crashed worker (the wait starts at 100 ms "
                 "and doubles per crash; default 10000)")
      ->check(CLI::Range(1, 3600000))
      ->type_name("MS");
  app.add_flag("--continue-on-error", options.continue_on_error,
               "Run the remaining statements after one fails");
  app.add_option("--host", options.host, "Connect to a sluice server (not supported yet)")
      ->type_name("HOST");
  app.add_option("--user", options.user,
                 "Start the session as USER (default admin, by local trust of the data dir)")
      ->type_name("USER");
  app.add_flag("-W,--password", options.ask_password,
               "Log in with the user's password (from SLUICE_PASSWORD or asked on the terminal); "
               "always the case when the data dir belongs to another OS user");
  CLI::App* audit = app.add_subcommand("audit", "Audit log tools");
  audit
      ->add_subcommand("verify",
                       "Recompute the audit log's SHA-256 chain in the data dir and name the "
                       "first broken record (exit 0 intact, 2 broken)")
      ->callback([&options]() { options.audit_verify = true; });
  audit->require_subcommand(1);
  app.set_version_flag("--version", "sluice " + version);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    // --help and --version arrive here too, with exit code 0.
    parsed.exit_code = app.exit(error) == 0 ? 0 : 1;
    return parsed;
  }

  // -f and -c interleave in command-line order; parse_order() lists one entry per value.
  size_t file_idx = 0;
  size_t command_idx = 0;
  for (const CLI::Option* option : app.parse_order()) {
    if (option == file_option && file_idx < files.size()) {
      options.scripts.push_back({ScriptSource::Kind::kFile, files[file_idx++]});
    } else if (option == command_option && command_idx < commands.size()) {
      options.scripts.push_back({ScriptSource::Kind::kCommand, commands[command_idx++]});
    }
  }
  Result<OutputFormat> format = ParseOutputFormat(format_name);
  if (format.ok()) options.format = *format;
  return parsed;
}

}  // namespace sluice
