#include "cli/format/result_formatter.h"

#include <string>

#include "cli/format/csv_formatter.h"
#include "cli/format/json_formatter.h"
#include "cli/format/table_formatter.h"

namespace sluice {

Result<OutputFormat> ParseOutputFormat(std::string_view name) {
  std::string lower(name);
  for (char& c : lower) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  if (lower == "table") return OutputFormat::kTable;
  if (lower == "csv") return OutputFormat::kCsv;
  if (lower == "json") return OutputFormat::kJson;
  if (lower == "jsonl") return OutputFormat::kJsonl;
  return Status::Parser("unknown output format \"" + std::string(name) +
                        "\": use table, csv, json or jsonl");
}

std::string_view OutputFormatName(OutputFormat format) {
  switch (format) {
    case OutputFormat::kTable: return "table";
    case OutputFormat::kCsv: return "csv";
    case OutputFormat::kJson: return "json";
    case OutputFormat::kJsonl: return "jsonl";
  }
  return "table";
}

std::unique_ptr<ResultFormatter> MakeResultFormatter(OutputFormat format, std::ostream& out) {
  switch (format) {
    case OutputFormat::kTable: return std::make_unique<TableFormatter>(out);
    case OutputFormat::kCsv: return std::make_unique<CsvFormatter>(out);
    case OutputFormat::kJson: return std::make_unique<JsonFormatter>(out, /*lines=*/false);
    case OutputFormat::kJsonl: return std::make_unique<JsonFormatter>(out, /*lines=*/true);
  }
  return std::make_unique<TableFormatter>(out);
}

}  // namespace sluice
