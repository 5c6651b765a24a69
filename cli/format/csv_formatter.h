#pragma once
// CSV with RFC 4180 quoting: a header line, then one line per row. A field is quoted when it holds
// a comma, a double quote (doubled inside), CR or LF, or is the empty string, so that NULL (an
// empty field) and '' stay distinguishable, as psql --csv does. Lines end in LF.

#include <ostream>
#include <string>
#include <string_view>

#include "cli/format/result_formatter.h"

namespace sluice {

class CsvFormatter : public ResultFormatter {
 public:
  explicit CsvFormatter(std::ostream& out) : out_(out) {}

  void Begin(const Schema& schema) override;
  void AddBatch(const RecordBatch& batch) override;
  void End(int64_t row_count) override;

 private:
  std::ostream& out_;
};

// Appends `field` to `line`, quoted if RFC 4180 requires it (or it is empty).
void AppendCsvField(std::string_view field, std::string& line);

}  // namespace sluice
