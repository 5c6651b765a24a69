#include "cli/shell/history_file.h"

#include <fcntl.h>
#include <pwd.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>

#include "rbac/audit_log.h"

namespace sluice {

std::string HistoryFile::Encode(std::string_view entry) {
  std::string text;
  size_t line_begin = 0;
  while (true) {
    size_t line_end = entry.find('\n', line_begin);
    std::string_view line = entry.substr(line_begin, line_end - line_begin);
    text += line;
    // A line of its own that ends in '\' would read as "continued": a blank keeps it apart.
    if (!line.empty() && line.back() == '\\') text += ' ';
    if (line_end == std::string_view::npos) break;
    text += "\\\n";
    line_begin = line_end + 1;
  }
  text += '\n';
  return text;
}

std::vector<std::string> HistoryFile::Decode(std::string_view text) {
  std::vector<std::string> entries;
  std::string current;
  bool continued = false;
  size_t line_begin = 0;
  while (line_begin < text.size()) {
    size_t line_end = text.find('\n', line_begin);
    if (line_end == std::string_view::npos) line_end = text.size();
    std::string_view line = text.substr(line_begin, line_end - line_begin);
    line_begin = line_end + 1;
    if (!continued) current.clear();
    continued = !line.empty() && line.back() == '\\';
    if (continued) line.remove_suffix(1);
    current += line;
    if (continued) {
      current += '\n';
    } else if (!current.empty()) {
      entries.push_back(current);
    }
  }
  if (continued && !current.empty()) {
    current.pop_back();  // a file cut short after a continuation keeps what it has
    entries.push_back(current);
  }
  return entries;
}

std::vector<std::string> HistoryFile::Load() {
  if (path_.empty()) return {};
  std::ifstream in(path_, std::ios::binary);
  if (!in) return {};
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<std::string> entries = Decode(text);
  const size_t total = entries.size();
  if (total > max_entries_) {
    entries.erase(entries.begin(), entries.end() - static_cast<ptrdiff_t>(max_entries_));
  }
  // Appending never trims, so the file is cut back here once it holds twice what is kept.
  if (total >= 2 * max_entries_) {
    std::string kept;
    for (const std::string& entry : entries) kept += Encode(entry);
    // 0600 like the file itself: statements may hold store passwords.
    const std::string temp_path = path_ + ".tmp";
    int fd = open(temp_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd >= 0) {
      bool written = write(fd, kept.data(), kept.size()) == static_cast<ssize_t>(kept.size());
      close(fd);
      if (written) std::rename(temp_path.c_str(), path_.c_str());
    }
  }
  return entries;
}

void HistoryFile::Append(std::string_view entry) {
  if (path_.empty() || entry.empty()) return;
  int fd = open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) return;
  // Secrets never reach a plain file: a user's password or a store's secret key is kept as
  // '********', as in the audit log (recalling the entry means typing the secret again).
  std::string text = Encode(rbac::RedactSecrets(std::string(entry)));
  // One write per entry: O_APPEND keeps entries of two shells from interleaving mid-line.
  [[maybe_unused]] ssize_t written = write(fd, text.data(), text.size());
  close(fd);
}

std::string HistoryFile::DefaultPath() {
  const char* home = std::getenv("HOME");
  if (home == nullptr || *home == '\0') {
    const passwd* entry = getpwuid(getuid());
    home = entry != nullptr ? entry->pw_dir : nullptr;
  }
  if (home == nullptr || *home == '\0') return "";
  return std::string(home) + "/.sluice_history";
}

}  // namespace sluice
