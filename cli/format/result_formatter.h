#pragma once
// ResultFormatter: writes one row-returning statement's result in an output format. Results may be
// endless (a continuous SELECT), so every format writes rows as their batch arrives and flushes;
// nothing waits for the end except the closing line.

#include <cstdint>
#include <iosfwd>
#include <memory>
#include <string_view>

#include "common/batch.h"
#include "common/status.h"
#include "common/types.h"

namespace sluice {

enum class OutputFormat : uint8_t { kTable, kCsv, kJson, kJsonl };

// "table", "csv", "json", "jsonl" (case-insensitive); an error naming the choices otherwise.
Result<OutputFormat> ParseOutputFormat(std::string_view name);
std::string_view OutputFormatName(OutputFormat format);

class ResultFormatter {
 public:
  virtual ~ResultFormatter() = default;
  // Starts a result. REQUIRES: the previous result (if any) got End.
  virtual void Begin(const Schema& schema) = 0;
  // REQUIRES: Begin was called; `batch` has the schema's columns.
  virtual void AddBatch(const RecordBatch& batch) = 0;
  virtual void End(int64_t row_count) = 0;
};

// The formatter writes to `out`, which must outlive it.
std::unique_ptr<ResultFormatter> MakeResultFormatter(OutputFormat format, std::ostream& out);

}  // namespace sluice
