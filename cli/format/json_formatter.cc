#include "cli/format/json_formatter.h"

#include <string>

namespace sluice {

void JsonFormatter::Begin(const Schema& schema) {
  encoder_ = std::make_unique<JsonRecordEncoder>(schema);
  first_row_ = true;
  if (!lines_) out_ << "[";
}

void JsonFormatter::AddBatch(const RecordBatch& batch) {
  std::string text;
  for (size_t row_idx = 0; row_idx < batch.num_rows(); ++row_idx) {
    if (!lines_) text += first_row_ ? "\n" : ",\n";
    first_row_ = false;
    encoder_->EncodeRow(batch, row_idx, text);
    if (lines_) text += '\n';
  }
  out_ << text;
  out_.flush();
}

void JsonFormatter::End(int64_t row_count) {
  if (!lines_) out_ << (first_row_ ? "]\n" : "\n]\n");
  out_.flush();
}

}  // namespace sluice
