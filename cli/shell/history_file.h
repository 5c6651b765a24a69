#pragma once
// The shell's history file (~/.sluice_history) in plain text, one entry per line, so it can be
// read and grepped. A multi-line statement is stored with each inner line break written as a
// backslash at the end of the line. Lines are appended as they are entered, so a killed shell
// keeps its history.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace sluice {

class HistoryFile {
 public:
  // An empty `path` disables the file (no HOME): Load returns nothing and Append does nothing.
  explicit HistoryFile(std::string path, size_t max_entries = 1000)
      : path_(std::move(path)), max_entries_(max_entries) {}

  // The last `max_entries` entries, oldest first; none if the file does not exist. Rewrites the
  // file when it has grown to twice the limit.
  std::vector<std::string> Load();
  // Best effort: a read-only home must not stop the shell.
  void Append(std::string_view entry);

  // The file text of one entry, ending in '\n'.
  static std::string Encode(std::string_view entry);
  static std::vector<std::string> Decode(std::string_view text);

  // $HOME/.sluice_history, or "" when there is no home directory.
  static std::string DefaultPath();

 private:
  std::string path_;
  size_t max_entries_;
};

}  // namespace sluice
