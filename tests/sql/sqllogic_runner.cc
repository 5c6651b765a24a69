// sqllogic_runner: runs SQL logic test files (format in sqllogic_file.h) against a real engine.
// Each file gets a fresh data dir, so files are independent and can run in parallel under ctest.
//
//   sqllogic_runner [--worker-binary PATH] [--keep-data] FILE.test...
//
// Every failing record is reported (file:line, SQL, expected vs actual), then the exit code is 1.

#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "cli/format/cell_text.h"
#include "engine/engine.h"
#include "sqllogic_file.h"

namespace sluice {
namespace {

// Keeps the rows of the last result set as text, the way the test files spell them.
class CollectingHandler : public ResultHandler {
 public:
  void Reset() {
    has_result_ = false;
    column_count_ = 0;
    rows_.clear();
  }
  bool has_result() const { return has_result_; }
  size_t column_count() const { return column_count_; }
  const std::vector<std::string>& rows() const { return rows_; }

  void OnResultStart(const Schema& schema) override {
    has_result_ = true;
    column_count_ = schema.size();
    rows_.clear();  // only the statement's last result set is compared
  }
  Status OnRows(const RecordBatch& batch) override {
    std::string cell;
    for (size_t row_idx = 0; row_idx < batch.num_rows(); ++row_idx) {
      std::string line;
      for (size_t column_idx = 0; column_idx < batch.num_columns(); ++column_idx) {
        if (column_idx > 0) line += '\t';
        const Column& column = batch.column(column_idx);
        cell.clear();
        if (column.IsNull(row_idx)) {
          cell = "NULL";
        } else {
          AppendCellText(column, row_idx, cell);
          if (cell.empty()) cell = "(empty)";  // a blank line would end the record
        }
        line += cell;
      }
      rows_.push_back(std::move(line));
    }
    return Status::OK();
  }
  void OnResultEnd(int64_t row_count) override {}
  void OnCommandComplete(std::string_view tag) override {}
  void OnNotice(std::string_view message) override {}
  void OnError(const Status& status) override {}

 private:
  bool has_result_ = false;
  size_t column_count_ = 0;
  std::vector<std::string> rows_;
};

void PrintRows(const char* title, const std::vector<std::string>& rows) {
  std::cerr << title << " (" << rows.size() << " rows):\n";
  for (const std::string& row : rows) std::cerr << "  " << row << "\n";
}

// Runs one record; on failure prints why (unless !report) and returns false.
bool RunRecord(const std::string& path, const TestRecord& record, Session& session,
               CollectingHandler& handler, bool report = true) {
  handler.Reset();
  Status status = session.ExecuteScript(record.sql, handler);
  auto fail = [&](const std::string& why) {
    if (!report) return false;
    std::cerr << path << ":" << record.line << ": " << why << "\n"
              << "  " << record.sql << "\n";
    return false;
  };
  switch (record.kind) {
    case TestRecord::Kind::kStatementOk:
      if (!status.ok()) return fail("statement failed:\n" + RenderError(status, record.sql));
      return true;
    case TestRecord::Kind::kStatementError: {
      if (status.ok()) return fail("statement succeeded but an error was expected");
      std::string rendered = RenderError(status, record.sql);
      if (rendered.find(record.expected_error) == std::string::npos) {
        return fail("error does not contain \"" + record.expected_error + "\"; it was:\n" +
                    rendered);
      }
      return true;
    }
    case TestRecord::Kind::kQuery: {
      if (!status.ok()) return fail("query failed:\n" + RenderError(status, record.sql));
      if (!handler.has_result()) return fail("statement returned no result set");
      if (handler.column_count() != record.column_types.size()) {
        return fail("query returned " + std::to_string(handler.column_count()) +
                    " columns, the record declares " + std::to_string(record.column_types.size()) +
                    " (" + record.column_types + ")");
      }
      std::vector<std::string> actual = handler.rows();
      std::vector<std::string> expected = record.expected_rows;
      if (record.rowsort) {
        std::sort(actual.begin(), actual.end());
        std::sort(expected.begin(), expected.end());
      }
      if (record.contains) {
        bool all_found = true;
        for (const std::string& row : expected) {
          if (std::find(actual.begin(), actual.end(), row) == actual.end()) all_found = false;
        }
        if (all_found) return true;
      } else if (actual == expected) {
        return true;
      }
      fail(std::string("wrong result") + (record.rowsort ? " (rows sorted)" : "") +
           (record.contains ? " (expected rows missing)" : ""));
      if (!report) return false;
      PrintRows("expected", expected);
      PrintRows("actual", actual);
      return false;
    }
    case TestRecord::Kind::kHalt: return true;
  }
  return true;
}

// RunRecord, for an `eventually` query retried until it passes or kSettleSeconds pass: what it
// checks settles on its own after the statement before returns (a finished query's workers are
// reported STOPPED once their exits are seen, after FLUSH has seen their last outputs).
bool RunSettling(const std::string& path, const TestRecord& record, Session& session,
                 CollectingHandler& handler) {
  if (!record.eventually) return RunRecord(path, record, session, handler);
  constexpr int kSettleSeconds = 30;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(kSettleSeconds);
  while (std::chrono::steady_clock::now() < deadline) {
    if (RunRecord(path, record, session, handler, /*report=*/false)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return RunRecord(path, record, session, handler);
}

struct FileResult {
  int passed = 0;
  int failed = 0;
  bool broken = false;  // could not be read, parsed or opened
};

FileResult RunFile(const std::string& path, const std::string& worker_binary, bool keep_data) {
  FileResult result;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::cerr << path << ": cannot read: " << std::strerror(errno) << "\n";
    result.broken = true;
    return result;
  }
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  Result<std::vector<TestRecord>> records = ParseTestFile(text);
  if (!records.ok()) {
    std::cerr << path << ": " << records.status().message() << "\n";
    result.broken = true;
    return result;
  }

  std::string temp_template =
      (std::filesystem::temp_directory_path() / "sluice-sqllogic-XXXXXX").string();
  if (mkdtemp(temp_template.data()) == nullptr) {
    std::cerr << path << ": cannot create a temp dir: " << std::strerror(errno) << "\n";
    result.broken = true;
    return result;
  }
  const std::string data_dir = temp_template + "/data";
  {
    EngineOptions options;
    options.data_dir = data_dir;
    options.worker_binary = worker_binary;
    Result<std::unique_ptr<Engine>> engine = Engine::Open(options);
    if (!engine.ok()) {
      std::cerr << path << ": cannot open engine on " << data_dir << ": "
                << engine.status().ToString() << "\n";
      result.broken = true;
    } else {
      std::unique_ptr<Session> session = (*engine)->NewSession();
      CollectingHandler handler;
      for (const TestRecord& record : *records) {
        if (record.kind == TestRecord::Kind::kHalt) break;
        (RunSettling(path, record, *session, handler) ? result.passed : result.failed)++;
      }
    }
  }  // the engine (and its workers) stop before the data dir goes
  if (keep_data) {
    std::cerr << path << ": data dir kept at " << data_dir << "\n";
  } else {
    std::error_code ignored;
    std::filesystem::remove_all(temp_template, ignored);
  }
  return result;
}

int Main(int argc, char** argv) {
  std::string worker_binary;
  if (const char* env = std::getenv("SLUICE_WORKER_BINARY")) worker_binary = env;
  bool keep_data = false;
  std::vector<std::string> files;
  for (int arg_idx = 1; arg_idx < argc; ++arg_idx) {
    std::string_view arg = argv[arg_idx];
    if (arg == "--worker-binary" && arg_idx + 1 < argc) {
      worker_binary = argv[++arg_idx];
    } else if (arg == "--keep-data") {
      keep_data = true;
    } else if (arg.starts_with("--")) {
      std::cerr << "usage: sqllogic_runner [--worker-binary PATH] [--keep-data] FILE.test...\n";
      return 2;
    } else {
      files.emplace_back(arg);
    }
  }
  if (files.empty()) {
    std::cerr << "usage: sqllogic_runner [--worker-binary PATH] [--keep-data] FILE.test...\n";
    return 2;
  }
  bool all_ok = true;
  for (const std::string& path : files) {
    FileResult result = RunFile(path, worker_binary, keep_data);
    std::cout << path << ": " << result.passed << " passed, " << result.failed << " failed"
              << (result.broken ? " (file could not run)" : "") << "\n";
    all_ok = all_ok && !result.broken && result.failed == 0;
  }
  return all_ok ? 0 : 1;
}

}  // namespace
}  // namespace sluice

int main(int argc, char** argv) { return sluice::Main(argc, argv); }
