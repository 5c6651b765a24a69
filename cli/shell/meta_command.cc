#include "cli/shell/meta_command.h"

#include <vector>

namespace sluice {

namespace {

std::string_view Trim(std::string_view text) {
  size_t begin = text.find_first_not_of(" \t\r\n");
  if (begin == std::string_view::npos) return {};
  size_t end = text.find_last_not_of(" \t\r\n;");
  return text.substr(begin, end + 1 - begin);
}

std::vector<std::string_view> SplitWords(std::string_view text) {
  std::vector<std::string_view> words;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t begin = text.find_first_not_of(" \t", pos);
    if (begin == std::string_view::npos) break;
    size_t end = text.find_first_of(" \t", begin);
    if (end == std::string_view::npos) end = text.size();
    words.push_back(text.substr(begin, end - begin));
    pos = end;
  }
  return words;
}

Status Usage(std::string_view usage) { return Status::Parser("usage: " + std::string(usage)); }

}  // namespace

bool IsMetaCommand(std::string_view line) {
  std::string_view trimmed = Trim(line);
  return !trimmed.empty() && trimmed.front() == '\\';
}

Result<MetaCommand> ParseMetaCommand(std::string_view line) {
  std::string_view trimmed = Trim(line);
  if (trimmed.empty() || trimmed.front() != '\\') {
    return Status::Parser("not a meta-command: " + std::string(trimmed));
  }
  std::vector<std::string_view> words = SplitWords(trimmed);
  std::string_view name = words[0];
  MetaCommand command;
  if (name == "\\q" || name == "\\quit") {
    if (words.size() != 1) return Usage("\\q");
    command.kind = MetaCommand::Kind::kQuit;
  } else if (name == "\\?" || name == "\\h" || name == "\\help") {
    command.kind = MetaCommand::Kind::kHelp;
  } else if (name == "\\timing") {
    command.kind = MetaCommand::Kind::kTiming;
    if (words.size() > 2) return Usage("\\timing [on|off]");
    if (words.size() == 2) {
      if (words[1] == "on") {
        command.timing = MetaCommand::Toggle::kOn;
      } else if (words[1] == "off") {
        command.timing = MetaCommand::Toggle::kOff;
      } else {
        return Usage("\\timing [on|off]");
      }
    }
  } else if (name == "\\format") {
    if (words.size() != 2) return Usage("\\format table|csv|json|jsonl");
    ASSIGN_OR_RETURN(command.format, ParseOutputFormat(words[1]));
    command.kind = MetaCommand::Kind::kFormat;
  } else if (name == "\\i" || name == "\\include") {
    // The rest of the line is the path, so names with spaces work without quoting.
    std::string_view path = Trim(trimmed.substr(name.size()));
    if (path.empty()) return Usage("\\i FILE");
    command.kind = MetaCommand::Kind::kInclude;
    command.path = std::string(path);
  } else {
    return Status::Parser("unknown command " + std::string(name) + ": try \\? for the list");
  }
  return command;
}

std::string_view MetaCommandHelp() {
  return "Statements end with ';' and may span lines. Meta-commands:\n"
         "  \\?                 show this help\n"
         "  \\q                 quit (Ctrl-D does too)\n"
         "  \\timing [on|off]   show how long each statement took\n"
         "  \\format FORMAT     output format: table, csv, json or jsonl\n"
         "  \\i FILE            run the statements in FILE (stops at its first error)\n"
         "Ctrl-C cancels the running statement (a continuous SELECT stops and the shell stays);\n"
         "at the prompt it discards the line being typed.\n";
}

}  // namespace sluice
