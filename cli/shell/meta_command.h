#pragma once
// Backslash commands of the interactive shell (\q, \?, \timing, \format, \i). They are handled by
// the shell itself, never sent to the engine, and only recognised at the start of a statement.

#include <cstdint>
#include <string>
#include <string_view>

#include "cli/format/result_formatter.h"
#include "common/status.h"

namespace sluice {

struct MetaCommand {
  enum class Kind : uint8_t { kQuit, kHelp, kTiming, kFormat, kInclude };
  Kind kind = Kind::kHelp;
  // kTiming: the new setting; toggled when the command gave none.
  enum class Toggle : uint8_t { kToggle, kOn, kOff } timing = Toggle::kToggle;
  OutputFormat format = OutputFormat::kTable;  // kFormat
  std::string path;                            // kInclude
};

// True when `line` (leading blanks ignored) is a meta-command rather than SQL.
bool IsMetaCommand(std::string_view line);

// Parses one meta-command line such as "\format csv" or "\i setup.sql". Errors carry a message
// for the user ("unknown command \x: try \?").
Result<MetaCommand> ParseMetaCommand(std::string_view line);

// The text \? prints.
std::string_view MetaCommandHelp();

}  // namespace sluice
