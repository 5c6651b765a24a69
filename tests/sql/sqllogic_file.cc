#include "sqllogic_file.h"

#include <sstream>

namespace sluice {

namespace {

std::vector<std::string_view> SplitLines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t begin = 0;
  while (begin < text.size()) {
    size_t end = text.find('\n', begin);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(begin, end - begin);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    begin = end + 1;
  }
  return lines;
}

bool IsBlank(std::string_view line) {
  return line.find_first_not_of(" \t") == std::string_view::npos;
}

std::vector<std::string> Words(std::string_view line) {
  std::istringstream in{std::string(line)};
  std::vector<std::string> words;
  for (std::string word; in >> word;) words.push_back(word);
  return words;
}

Status LineError(size_t line_idx, const std::string& message) {
  return Status::Parser("line " + std::to_string(line_idx + 1) + ": " + message);
}

}  // namespace

Result<std::vector<TestRecord>> ParseTestFile(std::string_view text) {
  std::vector<std::string_view> lines = SplitLines(text);
  std::vector<TestRecord> records;
  size_t line_idx = 0;
  // Reads lines up to a blank line (or EOF), stopping early at "----" when `stop_at_dashes`.
  auto read_block = [&](bool stop_at_dashes) {
    std::vector<std::string_view> block;
    while (line_idx < lines.size() && !IsBlank(lines[line_idx]) &&
           !(stop_at_dashes && lines[line_idx] == "----")) {
      block.push_back(lines[line_idx++]);
    }
    return block;
  };
  while (line_idx < lines.size()) {
    std::string_view header = lines[line_idx];
    if (IsBlank(header) || header.front() == '#') {
      ++line_idx;
      continue;
    }
    TestRecord record;
    record.line = static_cast<int>(line_idx + 1);
    std::vector<std::string> words = Words(header);
    const size_t header_idx = line_idx++;
    if (words[0] == "halt") {
      record.kind = TestRecord::Kind::kHalt;
      records.push_back(std::move(record));
      break;
    }
    if (words[0] == "statement" && words.size() >= 2 && words[1] == "ok") {
      record.kind = TestRecord::Kind::kStatementOk;
    } else if (words[0] == "statement" && words.size() >= 2 && words[1] == "error") {
      record.kind = TestRecord::Kind::kStatementError;
      // The rest of the header line, if any, is the expected message.
      size_t rest = header.find("error") + 5;
      size_t begin = header.find_first_not_of(" \t", rest);
      if (begin != std::string_view::npos)
        record.expected_error = std::string(header.substr(begin));
    } else if (words[0] == "query" && words.size() >= 2) {
      record.kind = TestRecord::Kind::kQuery;
      record.column_types = words[1];
      if (record.column_types.find_first_not_of("TIRB") != std::string::npos) {
        return LineError(header_idx,
                         "column types are letters T, I, R, B; got '" + record.column_types + "'");
      }
      for (size_t word_idx = 2; word_idx < words.size(); ++word_idx) {
        if (words[word_idx] == "rowsort") {
          record.rowsort = true;
        } else if (words[word_idx] == "contains") {
          record.contains = true;
        } else if (words[word_idx] == "eventually") {
          record.eventually = true;
        } else if (words[word_idx] != "nosort") {
          return LineError(header_idx, "unknown query option '" + words[word_idx] +
                                           "' (rowsort, nosort, contains or eventually)");
        }
      }
    } else {
      return LineError(header_idx, "unknown record '" + std::string(header) +
                                       "': expected statement ok, statement error, query or halt");
    }

    for (std::string_view sql_line : read_block(/*stop_at_dashes=*/true)) {
      if (!record.sql.empty()) record.sql += '\n';
      record.sql += sql_line;
    }
    if (record.sql.empty()) return LineError(header_idx, "record has no SQL");
    const bool has_dashes = line_idx < lines.size() && lines[line_idx] == "----";
    if (has_dashes) ++line_idx;
    std::vector<std::string_view> after =
        has_dashes ? read_block(false) : std::vector<std::string_view>{};
    switch (record.kind) {
      case TestRecord::Kind::kStatementOk:
        if (has_dashes) return LineError(header_idx, "statement ok takes no '----' section");
        break;
      case TestRecord::Kind::kStatementError:
        for (std::string_view message_line : after) {
          if (!record.expected_error.empty()) record.expected_error += '\n';
          record.expected_error += message_line;
        }
        break;
      case TestRecord::Kind::kQuery:
        for (std::string_view row : after) record.expected_rows.emplace_back(row);
        break;
      case TestRecord::Kind::kHalt: break;
    }
    records.push_back(std::move(record));
  }
  return records;
}

}  // namespace sluice
