// `sluice`: the shell, `-c`/`-f` runner and (as `sluice worker`) the data-plane worker process.

#include <signal.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

#include "cli/options/cli_options.h"
#include "cli/script/cli_result_handler.h"
#include "cli/script/interrupt.h"
#include "cli/script/login.h"
#include "cli/script/script_runner.h"
#include "cli/shell/shell.h"
#include "engine/engine.h"
#include "rbac/audit_log.h"
#include "runtime/worker/worker_main.h"

#ifndef SLUICE_VERSION
#define SLUICE_VERSION "unknown"
#endif

namespace sluice {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitStartup = 1;
constexpr int kExitAuditBroken = 2;
constexpr int kExitStatementFailed = 3;
constexpr int kExitInterrupted = 130;  // 128 + SIGINT, as shells report it

bool ReadFile(const std::string& path, std::string& text) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return !in.bad();
}

int ExitCodeFor(const RunOutcome& outcome) {
  if (outcome.interrupted) return kExitInterrupted;
  return outcome.failed ? kExitStatementFailed : kExitOk;
}

int Run(int argc, char** argv) {
  ParsedCommandLine parsed = ParseCommandLine(argc, argv, SLUICE_VERSION);
  if (parsed.exit_code) return *parsed.exit_code;
  const CliOptions& options = parsed.options;
  if (options.audit_verify) {
    // Reads only the audit files (no engine, no lock): anyone holding a copy can verify it.
    Status verified = rbac::VerifyAuditLog(options.data_dir + "/audit");
    if (!verified.ok()) {
      std::cerr << "sluice: " << verified.message() << "\n";
      return kExitAuditBroken;
    }
    std::cout << "audit log intact\n";
    return kExitOk;
  }
  if (!options.host.empty()) {
    std::cerr << "sluice: --host is not supported yet; this build only runs the embedded engine "
                 "(leave out --host and pass --data-dir)\n";
    return kExitStartup;
  }

  // Every -f file is read before anything runs, so a typo in the last one changes nothing.
  std::vector<std::string> scripts;
  for (const ScriptSource& source : options.scripts) {
    if (source.kind == ScriptSource::Kind::kCommand) {
      scripts.push_back(source.text);
      continue;
    }
    std::string text;
    if (!ReadFile(source.text, text)) {
      std::cerr << "sluice: cannot read " << source.text << ": " << std::strerror(errno) << "\n";
      return kExitStartup;
    }
    scripts.push_back(std::move(text));
  }

  // A closed stdout (`| head`) must surface as a write error that stops the query, not kill us
  // before the engine can stop its workers.
  signal(SIGPIPE, SIG_IGN);

  EngineOptions engine_options;
  engine_options.data_dir = options.data_dir;
  engine_options.worker_crash_limit = options.worker_crash_limit;
  engine_options.worker_max_backoff_ms = options.worker_max_backoff_ms;
  Result<std::unique_ptr<Engine>> engine = Engine::Open(engine_options);
  if (!engine.ok()) {
    std::cerr << "sluice: cannot open data dir \"" << options.data_dir
              << "\": " << engine.status().ToString() << "\n";
    return kExitStartup;
  }
  std::unique_ptr<Session> session = (*engine)->NewSession();
  Status login = LoginSession(*session, options.data_dir, options.user, options.ask_password);
  if (!login.ok()) {
    std::cerr << "sluice: " << login.ToString() << "\n";
    return kExitStartup;
  }
  InstallInterruptHandler();
  CliResultHandler handler(std::cout, std::cerr, options.format);
  ScriptRunner runner(*session, handler, std::cout);

  if (!scripts.empty()) {
    RunOutcome total;
    for (const std::string& script : scripts) {
      RunOutcome outcome = runner.Run(script, options.continue_on_error);
      total.failed |= outcome.failed;
      total.interrupted |= outcome.interrupted;
      if (outcome.interrupted || (outcome.failed && !options.continue_on_error)) break;
    }
    return ExitCodeFor(total);
  }
  if (isatty(STDIN_FILENO)) {
    Shell shell(*session, runner);
    return shell.Run();
  }
  // Piped or redirected stdin: a script, like -f, but run statement by statement as lines
  // arrive, so a producer that writes a statement and waits for its result is served at once.
  RunOutcome total;
  std::string buffer;
  std::string line;
  auto run = [&](std::string_view text) {
    RunOutcome outcome = runner.Run(text, options.continue_on_error);
    total.failed |= outcome.failed;
    total.interrupted |= outcome.interrupted;
    return !(outcome.interrupted || (outcome.failed && !options.continue_on_error));
  };
  while (std::getline(std::cin, line)) {
    buffer += line;
    buffer += '\n';
    size_t end = CompleteStatementsEnd(buffer);
    if (end == 0) continue;
    std::string ready = buffer.substr(0, end);
    buffer.erase(0, end);
    if (!run(ready)) return ExitCodeFor(total);
  }
  if (buffer.find_first_not_of(" \t\r\n") != std::string::npos) run(buffer);
  return ExitCodeFor(total);
}

}  // namespace
}  // namespace sluice

int main(int argc, char** argv) {
  // A file size limit (RLIMIT_FSIZE) must surface as a write error (EFBIG) the log reports and
  // recovers from, like a full disk, not kill the engine or a worker mid-write.
  signal(SIGXFSZ, SIG_IGN);
  // The engine starts `sluice worker` for each persistent query: dispatch before any option
  // parsing, since the worker's input arrives over a pipe, not argv.
  if (argc >= 2 && std::strcmp(argv[1], "worker") == 0) return sluice::WorkerMain();
  return sluice::Run(argc, argv);
}
