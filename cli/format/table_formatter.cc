#include "cli/format/table_formatter.h"

#include <algorithm>

#include "cli/format/cell_text.h"

namespace sluice {

namespace {

// `last`: the line's final cell gets no trailing padding, so lines carry no trailing blanks that
// are not data.
void AppendPadded(std::string_view text, size_t width, bool right, bool last, std::string& line) {
  size_t pad = width > DisplayWidth(text) ? width - DisplayWidth(text) : 0;
  if (right) line.append(pad, ' ');
  line += text;
  if (!right && !last) line.append(pad, ' ');
}

}  // namespace

void TableFormatter::Begin(const Schema& schema) {
  schema_ = schema;
  widths_.clear();
  right_aligned_.clear();
  for (const Field& field : schema_.fields()) {
    widths_.push_back(DisplayWidth(field.name));
    right_aligned_.push_back(IsRightAligned(field.type));
  }
  header_printed_ = false;
}

void TableFormatter::AddBatch(const RecordBatch& batch) {
  // Render the whole batch first: the first batch decides the column widths.
  std::vector<std::vector<std::string>> rows(batch.num_rows());
  for (size_t row_idx = 0; row_idx < batch.num_rows(); ++row_idx) {
    std::vector<std::string>& cells = rows[row_idx];
    cells.resize(batch.num_columns());
    for (size_t column_idx = 0; column_idx < batch.num_columns(); ++column_idx) {
      const Column& column = batch.column(column_idx);
      if (!column.IsNull(row_idx)) AppendCellText(column, row_idx, cells[column_idx]);
      if (!header_printed_ && column_idx < widths_.size()) {
        widths_[column_idx] = std::max(widths_[column_idx], DisplayWidth(cells[column_idx]));
      }
    }
  }
  if (!header_printed_) PrintHeader();
  for (const auto& cells : rows) PrintRow(cells);
  out_.flush();
}

void TableFormatter::End(int64_t row_count) {
  if (!header_printed_) PrintHeader();
  out_ << "(" << row_count << (row_count == 1 ? " row)" : " rows)") << "\n\n";
  out_.flush();
}

void TableFormatter::PrintHeader() {
  std::string header;
  std::string rule;
  for (size_t column_idx = 0; column_idx < widths_.size(); ++column_idx) {
    if (column_idx > 0) {
      header += "|";
      rule += "+";
    }
    const std::string& name = schema_.field(column_idx).name;
    const bool last = column_idx + 1 == widths_.size();
    // Centered as psql does; the odd space goes to the right.
    size_t slack = widths_[column_idx] - DisplayWidth(name);
    header += " ";
    header.append(slack / 2, ' ');
    header += name;
    if (!last) header.append(slack - slack / 2 + 1, ' ');
    rule.append(widths_[column_idx] + 2, '-');
  }
  out_ << header << "\n" << rule << "\n";
  header_printed_ = true;
}

void TableFormatter::PrintRow(const std::vector<std::string>& cells) {
  std::string line;
  for (size_t column_idx = 0; column_idx < cells.size(); ++column_idx) {
    const bool last = column_idx + 1 == cells.size();
    if (column_idx > 0) line += "|";
    line += " ";
    size_t width = column_idx < widths_.size() ? widths_[column_idx] : 0;
    bool right = column_idx < right_aligned_.size() && right_aligned_[column_idx];
    AppendPadded(cells[column_idx], width, right, last, line);
    if (!last) line += " ";
  }
  // A NULL (or '') at the end leaves only padding there: no trailing blanks.
  if (!cells.empty() && cells.back().empty()) line.erase(line.find_last_not_of(' ') + 1);
  out_ << line << "\n";
}

}  // namespace sluice
