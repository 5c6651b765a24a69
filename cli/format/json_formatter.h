#pragma once
// JSON output. `json`: one array per result, one object per line inside it, so a streaming result
// is readable while it runs and the whole is valid JSON once it ends. `jsonl`: one object per
// line and nothing else. Objects are keyed by column name and encoded as the JSON sinks encode
// records (common/json_codec.h): NULL as null, TIMESTAMP as epoch milliseconds.

#include <memory>
#include <ostream>

#include "cli/format/result_formatter.h"
#include "common/json_codec.h"

namespace sluice {

class JsonFormatter : public ResultFormatter {
 public:
  JsonFormatter(std::ostream& out, bool lines) : out_(out), lines_(lines) {}

  void Begin(const Schema& schema) override;
  void AddBatch(const RecordBatch& batch) override;
  void End(int64_t row_count) override;

 private:
  std::ostream& out_;
  const bool lines_;  // jsonl: no enclosing array
  std::unique_ptr<JsonRecordEncoder> encoder_;
  bool first_row_ = true;
};

}  // namespace sluice
