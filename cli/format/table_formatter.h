#pragma once
// psql-like aligned table: centered header, a dashed rule, numbers right-aligned, "(n rows)".
// Column widths are fixed when the first batch arrives (header and that batch's cells), so a
// continuous query prints each row as it comes; a later, wider cell widens only its own line.

#include <ostream>
#include <string>
#include <vector>

#include "cli/format/result_formatter.h"

namespace sluice {

class TableFormatter : public ResultFormatter {
 public:
  explicit TableFormatter(std::ostream& out) : out_(out) {}

  void Begin(const Schema& schema) override;
  void AddBatch(const RecordBatch& batch) override;
  void End(int64_t row_count) override;

 private:
  void PrintHeader();
  void PrintRow(const std::vector<std::string>& cells);

  std::ostream& out_;
  Schema schema_;
  std::vector<size_t> widths_;
  std::vector<bool> right_aligned_;
  bool header_printed_ = false;
};

}  // namespace sluice
