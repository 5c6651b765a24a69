#include "cli/shell/shell.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <fstream>
#include <iostream>
#include <iterator>

#include "cli/script/interrupt.h"
#include "cli/shell/line_editor.h"
#include "cli/shell/meta_command.h"
#include "parser/parser.h"

namespace sluice {

namespace {

constexpr const char* kContinuationPrompt = "...> ";

bool IsBlank(std::string_view text) {
  return text.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

std::string_view TrimBlanks(std::string_view text) {
  size_t begin = text.find_first_not_of(" \t\r\n");
  if (begin == std::string_view::npos) return {};
  size_t end = text.find_last_not_of(" \t\r\n");
  return text.substr(begin, end + 1 - begin);
}

// A shell started in a session of its own (setsid, as supervisors and test drivers do) has no
// controlling terminal, so Ctrl-C on its terminal would signal nobody. A session leader without
// one adopts its stdin terminal; in the usual case (started from a login shell) this fails
// harmlessly because the terminal already controls the session.
void AdoptTerminalForCtrlC() {
  if (getsid(0) == getpid()) ioctl(STDIN_FILENO, TIOCSCTTY, 0);
}

}  // namespace

std::string Shell::Prompt() const {
  return "sluice:" + session_.current_database() + "." + session_.current_schema() + "> ";
}

int Shell::Run() {
  std::cout << "sluice shell. Statements end with ';'. Type \\? for help, \\q or Ctrl-D to quit.\n";
  AdoptTerminalForCtrlC();
  runner_.handler().set_terminal(true);
  LineEditor editor(HistoryFile(HistoryFile::DefaultPath()));
  std::string buffer;  // the statement being typed, possibly over several lines
  while (true) {
    ClearInterrupt();
    std::string line;
    LineEditor::ReadStatus status =
        editor.ReadLine(buffer.empty() ? Prompt() : kContinuationPrompt, line);
    if (status == LineEditor::ReadStatus::kEof) {
      std::cout << "\n";
      break;
    }
    if (status == LineEditor::ReadStatus::kInterrupted) {
      buffer.clear();
      continue;
    }
    // Meta-commands are whole lines; they leave a half-typed statement alone.
    if (IsMetaCommand(line)) {
      editor.AddHistory(TrimBlanks(line));
      if (!RunMetaCommand(line)) break;
      continue;
    }
    if (buffer.empty() && IsBlank(line)) continue;
    buffer += line;
    buffer += '\n';
    if (!IsCompleteStatement(buffer)) continue;
    const size_t end = CompleteStatementsEnd(buffer);
    std::string ready = buffer.substr(0, end);
    buffer.erase(0, end);
    if (IsBlank(buffer)) buffer.clear();
    editor.AddHistory(TrimBlanks(ready));
    runner_.Run(ready, /*continue_on_error=*/true);
  }
  return 0;
}

bool Shell::RunMetaCommand(std::string_view line) {
  Result<MetaCommand> parsed = ParseMetaCommand(line);
  if (!parsed.ok()) {
    std::cerr << "ERROR: " << parsed.status().message() << "\n";
    return true;
  }
  const MetaCommand& command = *parsed;
  switch (command.kind) {
    case MetaCommand::Kind::kQuit: return false;
    case MetaCommand::Kind::kHelp: std::cout << MetaCommandHelp(); break;
    case MetaCommand::Kind::kTiming:
      runner_.set_timing(command.timing == MetaCommand::Toggle::kToggle
                             ? !runner_.timing()
                             : command.timing == MetaCommand::Toggle::kOn);
      std::cout << "Timing is " << (runner_.timing() ? "on" : "off") << ".\n";
      break;
    case MetaCommand::Kind::kFormat:
      runner_.handler().set_format(command.format);
      std::cout << "Output format is " << OutputFormatName(command.format) << ".\n";
      break;
    case MetaCommand::Kind::kInclude: {
      std::ifstream in(command.path, std::ios::binary);
      if (!in) {
        std::cerr << "ERROR: cannot read " << command.path << "\n";
        break;
      }
      std::string script((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      // Like -f: a file's later statements usually depend on the earlier ones.
      runner_.Run(script, /*continue_on_error=*/false);
      break;
    }
  }
  return true;
}

}  // namespace sluice
