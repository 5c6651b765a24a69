#include "cli/format/csv_formatter.h"

#include "cli/format/cell_text.h"

namespace sluice {

void AppendCsvField(std::string_view field, std::string& line) {
  if (!field.empty() && field.find_first_of(",\"\r\n") == std::string_view::npos) {
    line += field;
    return;
  }
  line += '"';
  for (char c : field) {
    if (c == '"') line += '"';
    line += c;
  }
  line += '"';
}

void CsvFormatter::Begin(const Schema& schema) {
  std::string line;
  for (size_t column_idx = 0; column_idx < schema.size(); ++column_idx) {
    if (column_idx > 0) line += ',';
    AppendCsvField(schema.field(column_idx).name, line);
  }
  out_ << line << "\n";
}

void CsvFormatter::AddBatch(const RecordBatch& batch) {
  std::string lines;
  std::string cell;
  for (size_t row_idx = 0; row_idx < batch.num_rows(); ++row_idx) {
    for (size_t column_idx = 0; column_idx < batch.num_columns(); ++column_idx) {
      if (column_idx > 0) lines += ',';
      const Column& column = batch.column(column_idx);
      if (column.IsNull(row_idx)) continue;  // NULL is the bare empty field
      cell.clear();
      AppendCellText(column, row_idx, cell);
      AppendCsvField(cell, lines);
    }
    lines += '\n';
  }
  out_ << lines;
  out_.flush();
}

void CsvFormatter::End(int64_t row_count) { out_.flush(); }

}  // namespace sluice
